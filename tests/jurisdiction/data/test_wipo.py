"""jurisdictions/wipo.yaml: Madrid registrations cover what they designate, nothing else."""

from __future__ import annotations

from datetime import date

from eligibility.load.loader import Loaded

from .helpers import covers, term


def test_a_madrid_registration_covers_its_designations(loaded: Loaded) -> None:
    assert covers(loaded, office="WIPO", designations=["CN", "JP"]) == {"CN", "JP"}
    assert covers(loaded, office="WIPO") == set()


def test_designating_em_covers_every_member_state(loaded: Loaded) -> None:
    assert "DE" in covers(loaded, office="WIPO", designations=["EM"])


def test_madrid_terms_are_ten_years_from_registration(loaded: Loaded) -> None:
    assert term(loaded, office="WIPO", registered_on=date(2015, 12, 10)) == date(2025, 12, 9)
