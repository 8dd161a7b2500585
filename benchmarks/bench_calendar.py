"""Due-window speed: the packaged China calendar against a naive day-by-day walk.

Every eligible Alibaba verdict computes one window, so its cost is paid on every evaluation. The
figure that matters is the steady state (each year's table already built), amortised over many
random days so that holiday seasons and ordinary weeks are mixed as in real traffic. The naive
walk asks ``holidays`` about one day after another, the way the calendar would work without its
per-year tables; it is also the oracle of the property tests, and the two are checked to agree on
every day measured here.

Run: ``python benchmarks/bench_calendar.py [--dates 100000] [--seed 2026]``
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import holidays

from eligibility.jurisdiction.calendar import BusinessCalendar
from eligibility.load import loader

FIRST_DAY = date(2005, 1, 1)
LAST_DAY = date(2030, 12, 31)
TARGET_US = 5.0


def random_days(count: int, seed: int) -> list[date]:
    rng = random.Random(seed)
    first, span = FIRST_DAY.toordinal(), (LAST_DAY - FIRST_DAY).days + 1
    return [date.fromordinal(first + rng.randrange(span)) for _ in range(count)]


def naive_window(source: holidays.HolidayBase, day0: date, first: int,
                 last: int) -> tuple[date, date]:
    day, found, earliest = day0, 0, day0
    while found < last:
        day += timedelta(days=1)
        if source.is_working_day(day):
            found += 1
            if found == first:
                earliest = day
    return earliest, day


def per_call_us(run: Callable[[], object], calls: int, repeats: int = 5) -> float:
    """The best of a few timed passes, in microseconds per call (the machine is shared)."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best / calls * 1e6


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dates", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)

    loaded = loader.load()
    spec = loaded.jurisdictions.by_code["CN"].calendar
    assert spec is not None
    response = loaded.platforms["taobao"].business_days
    assert response is not None
    first, last = response
    days = random_days(args.dates, args.seed)
    zone = ZoneInfo("Asia/Shanghai")
    moments = [datetime(d.year, d.month, d.day, 10, tzinfo=timezone.utc) for d in days]

    # Cold start: a fresh calendar builds each year's table on first use.
    fresh = BusinessCalendar("CN", spec)
    years = range(FIRST_DAY.year, LAST_DAY.year + 2)
    start = time.perf_counter()
    for year in years:
        fresh.is_working_day(date(year, 6, 1))
    build_ms = (time.perf_counter() - start) / len(years) * 1e3

    calendar = loaded.calendars["CN"]
    for day in days:  # warm-up: every year built, the code paths hot
        calendar.window(day, first, last)
    oracle = holidays.country_holidays(spec.holidays)
    for year in years:
        oracle.is_working_day(date(year, 6, 1))  # the walk's years populated too

    def windows() -> None:
        for day in days:
            calendar.window(day, first, last)

    def day0_and_windows() -> None:
        for moment in moments:
            calendar.window(moment.astimezone(zone).date(), first, last)

    def naive() -> None:
        for day in days:
            naive_window(oracle, day, first, last)

    window_us = per_call_us(windows, len(days))
    with_day0_us = per_call_us(day0_and_windows, len(moments))
    naive_us = per_call_us(naive, len(days), repeats=1)

    disagreements = 0
    for day in days:
        window = calendar.window(day, first, last)
        if (window.earliest, window.latest) != naive_window(oracle, day, first, last):
            disagreements += 1

    print(f"due window ({first}-{last} business days, China calendar), {len(days):,} random days "
          f"{FIRST_DAY.year}-{LAST_DAY.year}, seed {args.seed}")
    print(f"  calendar.window            {window_us:8.2f} us/window   "
          f"(target < {TARGET_US:.0f} us: {'met' if window_us < TARGET_US else 'MISSED'})")
    print(f"  day 0 in zone + window     {with_day0_us:8.2f} us/window")
    print(f"  naive day-by-day walk      {naive_us:8.2f} us/window")
    print(f"  ratio naive / calendar     {naive_us / window_us:8.1f} x")
    print(f"  first use of a year        {build_ms:8.2f} ms/year (once per year per policy)")
    print(f"  disagreements with the walk: {disagreements}")
    if disagreements:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
