"""Date arithmetic for terms and grace periods.

A term of N years counted from a date ends the day before the Nth anniversary (a Chinese
trademark registered on 2016-03-02 is in force through 2026-03-01); a grace period of M months
runs through the same day M months after the term's last day, clamped to the month's end.
Dates past the calendar's end saturate at ``date.max`` instead of raising.
"""

from __future__ import annotations

import calendar as _calendar
from datetime import date, timedelta


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    if year > date.max.year:
        return date.max
    if year < date.min.year:
        return date.min
    last = _calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def term_end(start: date, years: int) -> date:
    """The last day of a term of ``years`` years beginning on ``start``.

    A term that began on 29 February reaches its anniversary on 1 March of a common year, so it
    runs through 28 February.
    """
    anniversary = add_months(start, 12 * years)
    if anniversary == date.max:
        return date.max
    if (start.month, start.day) == (2, 29) and anniversary.day == 28:
        return anniversary
    return anniversary - timedelta(days=1)
