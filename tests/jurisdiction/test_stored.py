"""The on-disk store of holidays' working days: same calendars with it, never a failure."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import holidays
import pytest

from eligibility.jurisdiction import stored
from eligibility.jurisdiction.calendar import BusinessCalendar, CalendarDay
from eligibility.load.loader import Loaded


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / "cache"
    monkeypatch.setenv("ELIGIBILITY_CACHE_DIR", str(folder))
    stored.forget()
    yield folder
    stored.forget()


def fresh_calendar(loaded: Loaded, marker: int) -> BusinessCalendar:
    """A CN calendar whose year tables nothing in this process has built (one more day off,
    in a year the tests never reach, sets it apart)."""
    spec = loaded.jurisdictions.by_code["CN"].calendar
    assert spec is not None
    spec = spec.model_copy(update={"extra_holidays": [
        *spec.extra_holidays, CalendarDay(date=date(2090, 1, 2) + timedelta(days=marker),
                                          name="test", source="test")]})
    return BusinessCalendar("CN", spec)


DAYS = [date(2025, 1, 1) + timedelta(days=5 * i) for i in range(150)]


def test_a_stored_year_gives_the_same_windows_without_the_library(
        loaded: Loaded, store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = [loaded.calendars["CN"].window(d, 1, 5) for d in DAYS]
    first = fresh_calendar(loaded, 1)
    assert [first.window(d, 1, 5) for d in DAYS] == expected
    assert list(store.glob("holidays-*-CN.json"))
    stored.forget()  # as a new process: only the files remain

    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("the library was asked although the years are stored")

    monkeypatch.setattr(holidays, "country_holidays", refuse)
    second = fresh_calendar(loaded, 2)
    assert [second.window(d, 1, 5) for d in DAYS] == expected


@pytest.mark.parametrize("content", ["", "{not json", '{"days": {"2025": [1, 2, 3]}}',
                                     '{"days": {"2025": "x"}, "years": [2030, 1990]}', "[]"])
def test_a_damaged_store_is_ignored(loaded: Loaded, store: Path, content: str) -> None:
    expected = [loaded.calendars["CN"].window(d, 1, 5) for d in DAYS]
    first = fresh_calendar(loaded, 3)
    first.window(DAYS[0], 1, 5)
    for path in store.glob("holidays-*-CN.json"):
        path.write_text(content, "utf-8")
    stored.forget()
    second = fresh_calendar(loaded, 4)
    assert [second.window(d, 1, 5) for d in DAYS] == expected


def test_a_store_that_cannot_be_written_is_no_failure(
        loaded: Loaded, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", "utf-8")
    monkeypatch.setenv("ELIGIBILITY_CACHE_DIR", str(blocker / "cache"))
    stored.forget()
    expected = [loaded.calendars["CN"].window(d, 1, 5) for d in DAYS]
    assert [fresh_calendar(loaded, 5).window(d, 1, 5) for d in DAYS] == expected
    stored.forget()


def test_an_empty_setting_turns_the_store_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ELIGIBILITY_CACHE_DIR", "")
    assert stored.folder() is None
    monkeypatch.delenv("ELIGIBILITY_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", "/somewhere")
    assert stored.folder() == Path("/somewhere/eligibility")
