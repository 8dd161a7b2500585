"""jurisdictions/cn.yaml: offices, terms and grace of mainland China."""

from __future__ import annotations

from datetime import date

import pytest

from eligibility.load.loader import Loaded

from .helpers import covers, grace, term


def test_chinese_offices_cover_mainland_china(loaded: Loaded) -> None:
    assert covers(loaded, office="CNIPA") == {"CN"}
    assert covers(loaded, type="copyright", office="CPCC") == {"CN"}


def test_trademark_term_is_ten_years_ending_the_day_before_the_anniversary(
        loaded: Loaded) -> None:
    assert term(loaded, office="CNIPA", registered_on=date(2016, 3, 2)) == date(2026, 3, 1)
    assert term(loaded, office="CNIPA", registered_on=date(2016, 2, 29)) == date(2026, 2, 28)
    assert term(loaded, office="CNIPA", registered_on=date(2014, 2, 28)) == date(2024, 2, 27)


def test_an_explicit_expiry_wins_over_the_derived_term(loaded: Loaded) -> None:
    assert term(loaded, office="CNIPA", registered_on=date(2016, 3, 2),
                expires_on=date(2030, 1, 1)) == date(2030, 1, 1)


def test_trademark_grace_is_six_months_after_the_term(loaded: Loaded) -> None:
    assert grace(loaded, office="CNIPA", registered_on=date(2016, 3, 2)) == date(2026, 9, 1)
    # month-end clamping: a term ending on 31 August has grace through 28/29 February
    assert grace(loaded, office="CNIPA", expires_on=date(2025, 8, 31)) == date(2026, 2, 28)


@pytest.mark.parametrize(
    ("kind", "filed", "last_day"),
    [
        ("invention", date(2006, 4, 1), date(2026, 3, 31)),
        ("utility_model", date(2016, 5, 10), date(2026, 5, 9)),
        ("design", date(2021, 6, 1), date(2036, 5, 31)),  # 15 years from the 2021 amendment
        ("design", date(2021, 5, 31), date(2031, 5, 30)),  # 10 years before it
    ],
)
def test_patent_terms_run_from_filing(loaded: Loaded, kind: str, filed: date,
                                      last_day: date) -> None:
    assert term(loaded, type="patent", patent_kind=kind, office="CNIPA",
                filed_on=filed) == last_day


def test_patents_have_no_grace_and_no_term_without_a_filing_date(
        loaded: Loaded) -> None:
    assert grace(loaded, type="patent", patent_kind="invention", office="CNIPA",
                 filed_on=date(2006, 4, 1)) == date(2026, 3, 31)
    assert term(loaded, type="patent", patent_kind="invention", office="CNIPA") is None


def test_calendar_and_appeal_settings_are_present_and_cited(loaded: Loaded) -> None:
    spec = loaded.jurisdictions.by_code["CN"]
    assert spec.calendar is not None
    assert spec.calendar.timezone == "Asia/Shanghai"
    assert spec.calendar.official_through >= 2026
    assert "State Council" in spec.calendar.source
    assert spec.appeal is not None
    assert spec.appeal.days == 15
