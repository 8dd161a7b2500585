"""Due windows on the China calendar: official checkpoints, time zones, unofficial years, and
agreement with a naive day-by-day walk over ``holidays.China``."""

from __future__ import annotations

import json
import shutil
import threading
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import given
from hypothesis import strategies as st

import eligibility
from eligibility.jurisdiction.calendar import BusinessCalendar, CalendarDay, CalendarRangeError
from eligibility.load import loader
from eligibility.load.loader import Loaded, packaged_dirs
from eligibility.load.yaml import load_yaml

FIXTURE = (Path(__file__).resolve().parents[1] / "fixtures" / "complaints"
           / "eligible-taobao-agent.yaml")
SHANGHAI = timedelta(hours=8)  # China Standard Time, no daylight saving since 1991
CHINA = holidays.country_holidays("CN")  # the oracle: grows to any year it is asked about
OFFICIAL_THROUGH = 2026  # cn.yaml; the pinned examples below assume it
DST_ZONES = ("America/New_York", "America/Los_Angeles", "Europe/Berlin", "Europe/London",
             "Australia/Sydney", "Pacific/Auckland", "America/Santiago", "Asia/Tehran")


def long_lived_complaint(submitted_at: str | datetime) -> dict[str, Any]:
    """The eligible Taobao complaint, with a right and a letter in force from 2000 to 2099, so
    that a due window is given on any day the tests pick."""
    data = load_yaml(FIXTURE.read_text("utf-8"))
    assert isinstance(data, dict)
    data["ip_right"].update(filed_on="1999-06-01", registered_on="2000-01-01",
                            expires_on="2099-12-31")
    data["authorization"]["issued_on"] = "2000-01-01"
    data["submitted_at"] = submitted_at
    return data


def due(policy: eligibility.Policy, submitted_at: str | datetime) -> tuple[date, date, bool]:
    verdict = policy.evaluate(long_lived_complaint(submitted_at))
    assert verdict.decision == "eligible", [r.rule for r in verdict.reasons]
    assert verdict.due is not None
    return verdict.due.earliest, verdict.due.latest, verdict.due.provisional


def oracle(day0: date, n: int) -> date:
    """The n-th working day after day 0, one day at a time."""
    day, found = day0, 0
    while found < n:
        day += timedelta(days=1)
        if CHINA.is_working_day(day):
            found += 1
    return day


# -- pinned examples (official schedules) -------------------------------------------------------


@pytest.mark.parametrize(("submitted_at", "earliest", "latest", "provisional"), [
    # National Day 2025: 1-8 October off, Saturday 11 October a make-up working day.
    ("2025-09-30T10:00:00+08:00", date(2025, 10, 9), date(2025, 10, 11), False),
    # Spring Festival 2026: Saturday 14 February worked, 15-23 February off.
    ("2026-02-13T10:00:00+08:00", date(2026, 2, 14), date(2026, 2, 25), False),
    # New Year 2026: 1-3 January off, Sunday 4 January worked.
    ("2025-12-31T10:00:00+08:00", date(2026, 1, 4), date(2026, 1, 6), False),
    # Into 2027, whose schedule is not published: counted, but provisional.
    ("2026-12-30T10:00:00+08:00", date(2026, 12, 31), date(2027, 1, 5), True),
    # Day 0 itself in 2027.
    ("2027-03-15T10:00:00+08:00", date(2027, 3, 16), date(2027, 3, 18), True),
    # An ordinary week, fully inside the official years.
    ("2026-03-02T10:00:00+08:00", date(2026, 3, 3), date(2026, 3, 5), False),
    # Before 2001 the library's schedule is not checked against the notices: provisional.
    ("2000-05-10T10:00:00+08:00", date(2000, 5, 11), date(2000, 5, 15), True),
])
def test_pinned_windows(policy: eligibility.Policy, submitted_at: str, earliest: date,
                        latest: date, provisional: bool) -> None:
    assert due(policy, submitted_at) == (earliest, latest, provisional)


def test_friday_evening_in_new_york_is_saturday_in_shanghai(policy: eligibility.Policy) -> None:
    # Friday 2025-10-10, 20:00 in New York (EDT) is Saturday 11 October, 08:00 in Shanghai: a
    # make-up working day, so day 0 is that Saturday and the count starts on Monday.
    from_new_york = due(policy, datetime(2025, 10, 10, 20, 0, tzinfo=ZoneInfo("America/New_York")))
    assert from_new_york == (date(2025, 10, 13), date(2025, 10, 15), False)
    assert due(policy, "2025-10-10T20:00:00-04:00") == from_new_york
    # Had day 0 been the Friday, the make-up Saturday would have been the first working day.
    assert due(policy, "2025-10-10T20:00:00+08:00") == (date(2025, 10, 11), date(2025, 10, 14),
                                                        False)


@pytest.mark.parametrize(("submitted_at", "day0"), [
    ("2026-03-02T23:59:00-12:00", date(2026, 3, 3)),  # UTC-12, 19:59 next day in Shanghai
    ("2026-03-02T00:30:00+14:00", date(2026, 3, 1)),  # UTC+14, 18:30 the day before
    ("2026-03-02T15:59:59+00:00", date(2026, 3, 2)),
    ("2026-03-02T16:00:00Z", date(2026, 3, 3)),  # midnight in Shanghai
])
def test_day0_is_the_date_in_shanghai(policy: eligibility.Policy, submitted_at: str,
                                      day0: date) -> None:
    assert policy.evaluate(long_lived_complaint(submitted_at)).day0 == day0


# -- properties ---------------------------------------------------------------------------------

local_times = st.datetimes(min_value=datetime(2005, 1, 1), max_value=datetime(2030, 12, 31, 23, 59))
offsets = st.integers(min_value=-12 * 60, max_value=14 * 60).map(
    lambda minutes: timezone(timedelta(minutes=minutes)))


def shanghai_day(moment: datetime) -> date:
    """Day 0 by arithmetic on the UTC instant, independent of the zone database."""
    utc = moment.replace(tzinfo=None) - moment.utcoffset()  # type: ignore[operator]
    return (utc + SHANGHAI).date()


@given(local=local_times, offset=offsets)
def test_window_matches_a_day_by_day_walk(policy: eligibility.Policy, local: datetime,
                                          offset: timezone) -> None:
    moment = local.replace(tzinfo=offset)
    day0 = shanghai_day(moment)
    earliest, latest, provisional = due(policy, moment.isoformat())
    assert (earliest, latest) == (oracle(day0, 1), oracle(day0, 3))
    assert provisional == (latest.year > OFFICIAL_THROUGH)


@given(local=local_times, zone=st.sampled_from(DST_ZONES), fold=st.sampled_from((0, 1)))
def test_window_in_daylight_saving_zones(policy: eligibility.Policy, local: datetime, zone: str,
                                         fold: int) -> None:
    moment = local.replace(tzinfo=ZoneInfo(zone), fold=fold)
    day0 = shanghai_day(moment)
    verdict = policy.evaluate(long_lived_complaint(moment))
    assert verdict.day0 == day0
    assert verdict.due is not None
    assert (verdict.due.earliest, verdict.due.latest) == (oracle(day0, 1), oracle(day0, 3))


@given(first=local_times, later_by=st.timedeltas(min_value=timedelta(0),
                                                 max_value=timedelta(days=40)),
       offset_a=offsets, offset_b=offsets)
def test_latest_never_moves_earlier(policy: eligibility.Policy, first: datetime,
                                    later_by: timedelta, offset_a: timezone,
                                    offset_b: timezone) -> None:
    a = first.replace(tzinfo=offset_a)
    b = (a + later_by).astimezone(offset_b)  # the same instant or a later one, written elsewhere
    earliest_a, latest_a, _ = due(policy, a.isoformat())
    earliest_b, latest_b, _ = due(policy, b.isoformat())
    assert latest_a <= latest_b
    assert earliest_a <= earliest_b


@given(day=st.dates(min_value=date(1990, 1, 1), max_value=date(2035, 12, 31)))
def test_provisional_exactly_when_a_year_is_unofficial(loaded: Loaded,
                                                       day: date) -> None:
    window = loaded.calendars["CN"].window(day, 1, 3)
    assert window.provisional == (day.year < 2001 or window.latest.year > OFFICIAL_THROUGH)
    assert window.earliest == oracle(day, 1)
    assert window.latest == oracle(day, 3)


# -- years the calendar cannot answer for -------------------------------------------------------


@pytest.mark.parametrize("submitted_at", [
    "1949-12-31T10:00:00+08:00",  # before holidays.China's first year (1950)
    "2101-01-04T10:00:00+08:00",  # after its last (2100)
    "2100-12-31T10:00:00+08:00",  # day 0 inside, the window runs into 2101
    "0001-01-01T00:00:00+14:00",  # before the first representable date in Shanghai
    "9999-12-31T23:00:00-12:00",  # after the last one
])
def test_unanswerable_years_are_input_errors(policy: eligibility.Policy,
                                             submitted_at: str) -> None:
    with pytest.raises(eligibility.InvalidComplaint) as caught:
        policy.evaluate(long_lived_complaint(submitted_at))
    [problem] = caught.value.problems
    assert problem.path == "submitted_at"
    assert "cannot be judged" in problem.message


def test_range_error_names_the_years(loaded: Loaded) -> None:
    with pytest.raises(CalendarRangeError, match="1950 to 2100; 2101"):
        loaded.calendars["CN"].window(date(2100, 12, 31), 1, 3)
    assert loaded.calendars["CN"].window(date(1950, 1, 2), 1, 1).earliest.year == 1950


def test_window_arguments_are_checked(loaded: Loaded) -> None:
    calendar = loaded.calendars["CN"]
    with pytest.raises(ValueError, match="first <= last"):
        calendar.window(date(2026, 3, 2), 3, 1)
    with pytest.raises(ValueError, match="counts from 1"):
        calendar.nth_working_day_after(date(2026, 3, 2), 0)


# -- built once, reused, safe across threads ----------------------------------------------------


class CountingSource:
    """Stands in for ``holidays.country_holidays`` and counts the years it builds."""

    def __init__(self, delay: float = 0.0) -> None:
        self.built: list[int] = []
        self.delay = delay
        self.real = holidays.country_holidays
        self.lock = threading.Lock()

    def __call__(self, code: str, years: Any = ()) -> Any:
        if isinstance(years, int):
            with self.lock:
                self.built.append(years)
            if self.delay:
                threading.Event().wait(self.delay)
        return self.real(code, years=years)


def test_evaluations_build_no_holidays_objects(policy: eligibility.Policy,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    due(policy, "2026-03-02T10:00:00+08:00")  # 2026 is built by now
    counter = CountingSource()
    monkeypatch.setattr(holidays, "country_holidays", counter)
    for day in range(2, 28):
        due(policy, f"2026-03-{day:02d}T10:00:00+08:00")
    assert counter.built == []


def test_concurrent_first_use_builds_each_year_once(loaded: Loaded,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    days = [date(2024, 12, 20) + timedelta(days=3 * i) for i in range(20)]
    # The expected windows first: the session's calendar may not have built these years yet, and
    # its building them must not count.
    expected = [loaded.calendars["CN"].window(d, 1, 3) for d in days]
    counter = CountingSource(delay=0.02)  # widen the window in which threads could race
    monkeypatch.setattr(holidays, "country_holidays", counter)
    spec = loaded.jurisdictions.by_code["CN"].calendar
    assert spec is not None
    # Calendars with the same days share their year tables; one more day off, in a year the
    # test never reaches, makes a calendar whose tables nothing has built yet.
    spec = spec.model_copy(update={"extra_holidays": [
        *spec.extra_holidays, CalendarDay(date=date(2031, 1, 6), name="test", source="test")]})
    fresh = BusinessCalendar("CN", spec)
    start = threading.Barrier(8)
    results: list[list[Any]] = [[] for _ in range(8)]

    def work(slot: int) -> None:
        start.wait()
        results[slot] = [fresh.window(d, 1, 3) for d in days]

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(result == expected for result in results)
    assert sorted(counter.built) == [2024, 2025]


# -- the calendar as data -----------------------------------------------------------------------


def jurisdictions_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "jurisdictions"
    shutil.copytree(packaged_dirs()[1], folder)
    return folder


def edit_calendar(folder: Path, **changes: Any) -> None:
    """Replace keys of the calendar section of the copied cn.yaml (YAML is a JSON superset)."""
    path = folder / "cn.yaml"
    lines = path.read_text("utf-8").splitlines()
    for key, value in changes.items():
        prefix = f"  {key}:"
        index = next(i for i, line in enumerate(lines) if line.startswith(prefix))
        end = index + 1
        while end < len(lines) and lines[end].startswith("    "):
            end += 1  # the key's old block value
        lines[index:end] = [f"{prefix} {json.dumps(value, default=str)}"]
    path.write_text("\n".join(lines) + "\n", "utf-8")


def test_a_fictitious_2027_holiday_moves_a_2027_window(tmp_path: Path) -> None:
    folder = jurisdictions_copy(tmp_path)
    edit_calendar(
        folder,
        extra_holidays=[{"date": "2027-03-17", "name": "Test holiday",
                         "source": "a notice invented for this test"}],
        extra_working_days=[{"date": "2027-03-20", "name": "Test make-up Saturday",
                             "source": "a notice invented for this test"}],
        official_through=2027,
    )
    edited = eligibility.load_policy(packaged_dirs()[0], folder)
    packaged = eligibility.default_policy()
    # Monday 15 March 2027: normally Tue 16 .. Thu 18; with Wednesday 17 off, Tue 16 .. Fri 19.
    assert due(packaged, "2027-03-15T10:00:00+08:00") == (date(2027, 3, 16), date(2027, 3, 18),
                                                          True)
    assert due(edited, "2027-03-15T10:00:00+08:00") == (date(2027, 3, 16), date(2027, 3, 19),
                                                        False)
    # Thursday 18 March: Fri 19, then the added working Saturday 20, then Monday 22.
    assert due(packaged, "2027-03-18T10:00:00+08:00")[:2] == (date(2027, 3, 19),
                                                              date(2027, 3, 23))
    assert due(edited, "2027-03-18T10:00:00+08:00")[:2] == (date(2027, 3, 19), date(2027, 3, 22))
    assert edited.digest != packaged.digest


def test_extra_working_day_overrides_a_library_holiday(tmp_path: Path) -> None:
    folder = jurisdictions_copy(tmp_path)
    # 2026-10-07 is a National Day day off in the library; declared worked here.
    edit_calendar(folder, extra_working_days=[{"date": "2026-10-07", "name": "Test",
                                               "source": "a notice invented for this test"}])
    edited = loader.load(packaged_dirs()[0], folder)
    assert not loader.load().calendars["CN"].is_working_day(date(2026, 10, 7))
    assert edited.calendars["CN"].is_working_day(date(2026, 10, 7))
    assert edited.calendars["CN"].window(date(2026, 9, 30), 1, 3).earliest == date(2026, 10, 7)


@pytest.mark.parametrize(("changes", "message"), [
    ({"extra_holidays": [{"date": "2027-03-17", "name": "A", "source": "s"}],
      "extra_working_days": [{"date": "2027-03-17", "name": "B", "source": "s"}]},
     "2027-03-17 is listed in both extra_holidays and extra_working_days"),
    ({"extra_holidays": [{"date": "2027-03-17", "name": "A", "source": "s"},
                         {"date": "2027-03-17", "name": "A", "source": "s"}]},
     "2027-03-17 is listed twice"),
    ({"extra_holidays": [{"date": "2101-01-02", "name": "A", "source": "s"}]},
     "2101-01-02 is outside the years"),
    ({"extra_holidays": [{"date": "2027-03-17", "name": "A"}]}, "source"),
    ({"official_from": 2030}, "official_from is after official_through"),
    ({"holidays": "XX"}, "no calendar 'XX'"),
    ({"timezone": "Mars/Olympus_Mons"}, "unknown time zone 'Mars/Olympus_Mons'"),
    ({"timezone": "../etc/passwd"}, "unknown time zone"),
    ({"checkpoints": [{"date": "2026-02-14", "working": False, "source": "a wrong notice"}]},
     "2026-02-14 is a day off by a wrong notice, but the installed holidays release"),
])
def test_bad_calendar_data_fails_the_load(tmp_path: Path, changes: dict[str, Any],
                                          message: str) -> None:
    folder = jurisdictions_copy(tmp_path)
    edit_calendar(folder, **changes)
    with pytest.raises(eligibility.PolicyError) as caught:
        eligibility.load_policy(packaged_dirs()[0], folder)
    assert caught.value.file.endswith("cn.yaml")
    assert message in caught.value.problem


def test_packaged_calendar_values_cite_sources(loaded: Loaded) -> None:
    spec = loaded.jurisdictions.by_code["CN"].calendar
    assert spec is not None
    assert "State Council" in spec.source
    assert spec.checkpoints, "the official years are pinned by checkpoints"
    for day in (*spec.extra_holidays, *spec.extra_working_days):
        assert day.source.strip()
    for point in spec.checkpoints:
        assert point.source.strip()
        assert point.date.year <= spec.official_through
        assert loaded.calendars["CN"].is_working_day(point.date) == point.working
