"""jurisdictions/de.yaml: the German office covers Germany alone."""

from __future__ import annotations

from datetime import date

import eligibility

from .helpers import covers, grace


def test_dpma_covers_germany_only(policy: eligibility.Policy) -> None:
    assert covers(policy, office="DPMA") == {"DE"}


def test_german_trademarks_have_six_months_grace(policy: eligibility.Policy) -> None:
    assert grace(policy, office="DPMA", expires_on=date(2026, 4, 30)) == date(2026, 10, 30)
