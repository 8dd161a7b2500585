"""jurisdictions/de.yaml: the German office covers Germany alone."""

from __future__ import annotations

from datetime import date

from eligibility.load.loader import Loaded

from .helpers import covers, grace


def test_dpma_covers_germany_only(loaded: Loaded) -> None:
    assert covers(loaded, office="DPMA") == {"DE"}


def test_german_trademarks_have_six_months_grace(loaded: Loaded) -> None:
    assert grace(loaded, office="DPMA", expires_on=date(2026, 4, 30)) == date(2026, 10, 30)
