"""Business days and due windows on an official calendar.

One calendar per jurisdiction, built once per loaded policy. ``holidays`` knows the public
holidays and, for China, the weekend days the State Council declares as make-up working days;
the jurisdiction file can add days on top of it (a schedule announced after the library's
release), and says through which year the official schedule is known, so that a window reaching
past it is marked provisional rather than presented as certain.

Each year's days off are computed once, on first use, into a set: a window is then a short walk
over a few dates with set lookups.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import holidays as _holidays

from .jurisdictions import CalendarSpec


class CalendarRangeError(ValueError):
    """A date outside the years the calendar can answer for."""


@dataclass(frozen=True)
class Window:
    earliest: date
    latest: date
    provisional: bool


class BusinessCalendar:
    def __init__(self, code: str, spec: CalendarSpec) -> None:
        self.code = code
        self.spec = spec
        self.timezone = ZoneInfo(spec.timezone)
        self._source = _holidays.country_holidays(spec.holidays, years=())
        self.first_year: int = int(getattr(self._source, "start_year", date.min.year))
        self.last_year: int = int(getattr(self._source, "end_year", date.max.year))
        self._extra_off = {d.date for d in spec.extra_holidays}
        self._extra_on = {d.date for d in spec.extra_working_days}
        self._off: dict[int, frozenset[date]] = {}
        self._lock = threading.Lock()

    def _days_off(self, year: int) -> frozenset[date]:
        cached = self._off.get(year)
        if cached is not None:
            return cached
        if not self.first_year <= year <= self.last_year:
            raise CalendarRangeError(
                f"the {self.code} calendar covers {self.first_year} to {self.last_year}; "
                f"{year} is outside it"
            )
        with self._lock:
            cached = self._off.get(year)
            if cached is not None:
                return cached
            source = _holidays.country_holidays(self.spec.holidays, years=year)
            off: set[date] = set()
            day = date(year, 1, 1)
            while day.year == year:
                if not source.is_working_day(day):
                    off.add(day)
                day += timedelta(days=1)
            off |= {d for d in self._extra_off if d.year == year}
            off -= self._extra_on
            result = frozenset(off)
            self._off[year] = result
            return result

    def is_working_day(self, day: date) -> bool:
        return day not in self._days_off(day.year)

    def nth_working_day_after(self, day: date, n: int) -> date:
        """The n-th working day strictly after ``day`` (n >= 1)."""
        if n < 1:
            raise ValueError("n counts from 1")
        found = 0
        try:
            while True:
                day += timedelta(days=1)
                if day not in self._days_off(day.year):
                    found += 1
                    if found == n:
                        return day
        except OverflowError:
            raise CalendarRangeError(f"no {n}th working day after {day} on the calendar") from None

    def is_official(self, year: int) -> bool:
        return year <= self.spec.official_through

    def window(self, day0: date, first: int, last: int) -> Window:
        """The ``first``-th to ``last``-th working days after day 0."""
        earliest = self.nth_working_day_after(day0, first)
        latest = self.nth_working_day_after(earliest, last - first) if last > first else earliest
        provisional = latest.year > self.spec.official_through
        return Window(earliest, latest, provisional)
