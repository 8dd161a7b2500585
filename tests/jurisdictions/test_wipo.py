"""jurisdictions/wipo.yaml: Madrid registrations cover what they designate, nothing else."""

from __future__ import annotations

from datetime import date

import eligibility

from .helpers import covers, term


def test_a_madrid_registration_covers_its_designations(policy: eligibility.Policy) -> None:
    assert covers(policy, office="WIPO", designations=["CN", "JP"]) == {"CN", "JP"}
    assert covers(policy, office="WIPO") == set()


def test_designating_em_covers_every_member_state(policy: eligibility.Policy) -> None:
    assert "DE" in covers(policy, office="WIPO", designations=["EM"])


def test_madrid_terms_are_ten_years_from_registration(policy: eligibility.Policy) -> None:
    assert term(policy, office="WIPO", registered_on=date(2015, 12, 10)) == date(2025, 12, 9)
