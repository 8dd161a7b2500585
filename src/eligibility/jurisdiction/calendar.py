"""Business days and due windows on an official calendar.

A due window is the one date a filer plans around, so a wrong day is a missed deadline. One
calendar per jurisdiction is built once per loaded policy and reused by every evaluation.
``holidays`` supplies the public holidays and, for China, the weekend days the State Council
declares as make-up working days; the jurisdiction file can add days on top of it (a schedule
announced after the installed library was released) and says which years' schedules are
official, so that a window reaching outside them is marked provisional rather than presented as
certain.

Each year is turned, once and on first use, into the sorted day numbers of its working days. A
window is then one binary search and two lookups, whatever the holidays around it.
"""

from __future__ import annotations

import os
import threading
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, model_validator

from ..models import Spec, Text, spec_error
from . import stored

# One lock for building year tables in every calendar. It is held across fork, as the engine's
# lock is: a child forked while another thread was building a year would otherwise inherit the
# lock taken and wait for ever.
_BUILD_LOCK = threading.Lock()
os.register_at_fork(before=_BUILD_LOCK.acquire, after_in_parent=_BUILD_LOCK.release,
                    after_in_child=_BUILD_LOCK.release)

class CalendarRangeError(ValueError):
    """A date outside the years the calendar can answer for."""


class CalendarSpecError(ValueError):
    """A calendar section that cannot be trusted: unknown code, days out of range, or a
    checkpoint the installed ``holidays`` release contradicts."""


@dataclass(frozen=True, slots=True)
class Window:
    """The first and last day the platform should answer by, and whether that is certain."""

    earliest: date
    latest: date
    provisional: bool


# --- the calendar section of a jurisdiction file ------------------------------------------


class CalendarDay(Spec):
    """A day the file adds on top of ``holidays``, with the notice that declared it."""

    date: date
    name: Text
    source: Text


class CalendarCheckpoint(Spec):
    """A day whose status an official notice states, checked against ``holidays`` at load."""

    date: date
    working: bool
    source: Text


class CalendarSpec(Spec):
    """Business-day settings of a jurisdiction; see docs/calendar.md."""

    timezone: str
    holidays: str
    official_from: int | None = Field(default=None, ge=1900, le=2200)
    official_through: int = Field(ge=1900, le=2200)
    source: Text
    extra_holidays: list[CalendarDay] = Field(default_factory=list)
    extra_working_days: list[CalendarDay] = Field(default_factory=list)
    checkpoints: list[CalendarCheckpoint] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> CalendarSpec:
        if self.official_from is not None and self.official_from > self.official_through:
            raise spec_error("official_from is after official_through")
        seen: dict[date, str] = {}
        for label, days in (("extra_holidays", self.extra_holidays),
                            ("extra_working_days", self.extra_working_days)):
            for day in days:
                if day.date in seen:
                    where = ("twice" if seen[day.date] == label
                             else f"in both {seen[day.date]} and {label}")
                    raise spec_error(f"{day.date} is listed {where}")
                seen[day.date] = label
        try:
            check_spec(self)
        except CalendarSpecError as exc:
            raise spec_error(str(exc)) from None
        return self


@lru_cache(maxsize=256)
def supported_years(code: str) -> tuple[int, int]:
    """The first and last year ``holidays`` can build for a country code (fixed for the
    installed release, so asked once per code and process, and read from the store of
    :mod:`.stored` when a process before this one asked)."""
    known = stored.supported_years(code)
    if known is not None:
        return known
    try:
        source = _holidays().country_holidays(code, years=())
    except NotImplementedError:
        raise CalendarSpecError(f"the holidays library has no calendar {code!r}") from None
    years = int(source.start_year), int(source.end_year)
    stored.store(code, years=years)
    return years


def _holidays() -> Any:
    """The holidays library, imported on first use: a process that finds every year it needs
    in the store never imports it (about 100 ms of CPU with its country modules)."""
    import holidays

    return holidays


def local_day(moment: datetime, zone: ZoneInfo) -> date:
    """The calendar date of an instant in a time zone; a naive instant has no such date."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("must carry a UTC offset or time zone")
    return moment.astimezone(zone).date()


class BusinessCalendar:
    """Working days of one jurisdiction: ``holidays`` plus the file's extra days."""

    def __init__(self, code: str, spec: CalendarSpec) -> None:
        self.code = code
        self.spec = spec
        self.timezone = ZoneInfo(spec.timezone)
        self.first_year, self.last_year = supported_years(spec.holidays)
        self._extra_off = frozenset(d.date for d in spec.extra_holidays)
        self._extra_on = frozenset(d.date for d in spec.extra_working_days)
        self._official_from = spec.official_from if spec.official_from is not None else 0
        self._official_through = spec.official_through
        # year -> ordinals of its working days, ascending. Written only under the lock, each
        # entry complete before it is published; a reader sees a whole year or none. A year's
        # days depend only on the holidays calendar and the extra days, so calendars that
        # share those share the tables: the load's checkpoint check builds the years the
        # policy's calendar then uses, and a policy loaded again finds them built.
        key = (spec.holidays, self._extra_off, self._extra_on)
        with _BUILD_LOCK:
            self._years: dict[int, tuple[int, ...]] = _YEAR_TABLES.setdefault(key, {})

    def __repr__(self) -> str:
        return f"<BusinessCalendar {self.code} official {self.spec.official_through}>"

    # -- the per-year tables --

    def _working(self, year: int) -> tuple[int, ...]:
        days = self._years.get(year)
        return days if days is not None else self._build(year)

    def _build(self, year: int) -> tuple[int, ...]:
        if not self.first_year <= year <= self.last_year:
            raise CalendarRangeError(
                f"the {self.code} calendar covers the years {self.first_year} to "
                f"{self.last_year}; {year} is outside them"
            )
        with _BUILD_LOCK:
            days = self._years.get(year)
            if days is not None:  # another thread built it while this one waited
                return days
            library = _library_working_days(self.spec.holidays, year)
            off = {d.toordinal() for d in self._extra_off if d.year == year}
            on = {d.toordinal() for d in self._extra_on if d.year == year}
            days = tuple(sorted((set(library) - off) | on))
            self._years[year] = days
            return days

    # -- questions --

    def is_working_day(self, day: date) -> bool:
        days = self._working(day.year)
        ordinal = day.toordinal()
        index = bisect_right(days, ordinal)
        return index > 0 and days[index - 1] == ordinal

    def nth_working_day_after(self, day: date, n: int) -> date:
        """The n-th working day strictly after ``day`` (n >= 1)."""
        if n < 1:
            raise ValueError("n counts from 1")
        year = day.year
        days = self._working(year)
        index = bisect_right(days, day.toordinal()) + n - 1
        while index >= len(days):
            index -= len(days)
            year += 1
            days = self._working(year)
        return date.fromordinal(days[index])

    def working_day_on_or_after(self, day: date) -> date:
        """``day`` itself when it is a working day, else the next one."""
        return self.nth_working_day_after(day - timedelta(days=1), 1)

    def is_official(self, year: int) -> bool:
        """Whether the file says the official schedule of ``year`` is in the calendar."""
        return self._official_from <= year <= self._official_through

    def is_official_span(self, first: date, last: date) -> bool:
        """Whether every day from ``first`` to ``last`` lies in an official year."""
        return self.is_official(first.year) and self.is_official(last.year)

    def window(self, day0: date, first: int, last: int) -> Window:
        """The ``first``-th to ``last``-th working days after day 0.

        Provisional when any day from day 0 to the latest day lies in a year whose schedule
        is not official: the days are still counted, on the library's estimate.
        """
        if not 1 <= first <= last:
            raise ValueError("a window needs 1 <= first <= last")
        year = day0.year
        days = self._years.get(year)
        if days is None:
            days = self._build(year)
        index = bisect_right(days, day0.toordinal())
        if index + last <= len(days):
            earliest = date.fromordinal(days[index + first - 1])
            latest = date.fromordinal(days[index + last - 1])
        else:  # the window runs into the next year
            earliest = self.nth_working_day_after(day0, first)
            latest = self.nth_working_day_after(day0, last)
        provisional = not (self._official_from <= year
                           and latest.year <= self._official_through)
        return Window(earliest, latest, provisional)


def _library_working_days(code: str, year: int) -> tuple[int, ...]:
    """The ordinals of the working days ``holidays`` gives ``year``, before any extra day of
    the jurisdiction file: from the store when there, else computed and stored."""
    known = stored.working_days(code, year)
    if known is not None:
        return known
    source = _holidays().country_holidays(code, years=year)
    days = tuple(day.toordinal() for day in _days_of(year) if source.is_working_day(day))
    stored.store(code, year=year, days=days)
    return days


# The year tables of every calendar built in this process, by (holidays code, extra days off,
# extra working days); a few kilobytes per calendar and year.
_YEAR_TABLES: dict[tuple[str, frozenset[date], frozenset[date]], dict[int, tuple[int, ...]]] = {}


def _days_of(year: int) -> Iterator[date]:
    day = date(year, 1, 1)
    step = timedelta(days=1)
    while day.year == year:
        yield day
        day += step


def check_spec(spec: CalendarSpec) -> None:
    """Refuse a calendar section whose days cannot be honoured or whose checkpoints the
    installed ``holidays`` release contradicts (a release older than the schedules the file
    calls official would otherwise give wrong windows without a word)."""
    try:
        ZoneInfo(spec.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise CalendarSpecError(f"unknown time zone {spec.timezone!r}") from None
    first_year, last_year = supported_years(spec.holidays)
    for label, days in (("extra_holidays", spec.extra_holidays),
                        ("extra_working_days", spec.extra_working_days),
                        ("checkpoints", spec.checkpoints)):
        for item in days:
            if not first_year <= item.date.year <= last_year:
                raise CalendarSpecError(
                    f"{label}: {item.date} is outside the years the {spec.holidays} calendar "
                    f"covers ({first_year} to {last_year})")
    if not spec.checkpoints:
        return
    calendar = BusinessCalendar("check", spec)
    for point in spec.checkpoints:
        found = calendar.is_working_day(point.date)
        if found != point.working:
            said = "a working day" if point.working else "a day off"
            raise CalendarSpecError(
                f"checkpoints: {point.date} is {said} by {point.source}, but the installed "
                f"holidays release ({_version()}) says otherwise; upgrade holidays, or add "
                "the day to extra_holidays / extra_working_days")


def _version() -> str:
    version: Any = getattr(_holidays(), "__version__", "unknown")
    return str(version)
