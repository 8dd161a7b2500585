"""Term and grace arithmetic against a day-by-day oracle."""

from __future__ import annotations

import sys
from datetime import date, timedelta
from pathlib import Path

from hypothesis import example, given
from hypothesis import strategies as st

from eligibility.jurisdiction.jurisdictions import TERM_FIELDS
from eligibility.jurisdiction.terms import add_months, term_end
from eligibility.load.loader import Loaded

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.mix import complaints as mix  # noqa: E402


def naive_anniversary(start: date, years: int) -> date:
    try:
        return start.replace(year=start.year + years)
    except ValueError:  # 29 February in a common year
        return date(start.year + years, 3, 1)


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)), st.integers(1, 30))
@example(date(2016, 2, 29), 10)
@example(date(2016, 3, 2), 10)
def test_a_term_ends_the_day_before_its_anniversary(start: date, years: int) -> None:
    assert term_end(start, years) == naive_anniversary(start, years) - timedelta(days=1)


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)), st.integers(0, 60))
@example(date(2025, 8, 31), 6)
def test_adding_months_keeps_the_day_or_clamps_to_month_end(start: date, months: int) -> None:
    result = add_months(start, months)
    assert (result.year * 12 + result.month) - (start.year * 12 + start.month) == months
    assert result.day == start.day or (result.day < start.day
                                       and (result + timedelta(days=1)).day == 1)


def test_dates_at_the_end_of_the_calendar_saturate() -> None:
    assert term_end(date(9995, 1, 1), 10) == date.max
    assert add_months(date(9999, 12, 1), 1) == date.max


def test_kept_terms_answer_as_computed_ones_and_read_only_their_key(loaded: Loaded) -> None:
    # term_and_grace keeps answers by TERM_FIELDS: the right's other fields must not matter.
    jurisdictions = loaded.jurisdictions
    rights = [loaded.judge.parse(c).ip_right for c in mix(400, seed=5)]
    offices = sorted(jurisdictions.offices)
    other = {"owner": "Someone Else", "number": "X 1", "status": "pending",
             "designations": ["DE"], "evidence": rights[0].evidence}
    for n, right in enumerate(rights):
        right = right.model_copy(update={"office": offices[n % len(offices)]} if n % 3 else {})
        last_day = jurisdictions.term_end(right)
        fresh = (last_day, jurisdictions.grace_end(right, last_day))
        assert jurisdictions.term_and_grace(right) == fresh
        assert set(TERM_FIELDS).isdisjoint(other)
        changed = right.model_copy(update=other)
        last_day = jurisdictions.term_end(changed)
        assert (last_day, jurisdictions.grace_end(changed, last_day)) == fresh
