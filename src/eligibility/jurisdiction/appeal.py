"""Appeal deadlines: how long a takedown stands once the seller's counter-notice is forwarded.

Under China's E-Commerce Law (art. 43), a platform that forwards a seller's declaration of
non-infringement to the complainant keeps the listing down only until a fixed number of days
after the declaration reaches the complainant, unless it hears by then that the complainant has
complained to the authorities or sued. That last day is what a complainant must plan around.

The rule is data (the ``appeal:`` section of a jurisdiction file) and applies to a platform
through the platform's territory: the law of the territory a platform serves governs it. A
platform with no territory, or whose territory's file has no such section, gets no deadline and
a reason saying why, never a guessed date.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Literal, Protocol
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict

from ..errors import InvalidComplaint, Problem, shown
from ..models import parse_aware_datetime, problem_at
from .calendar import BusinessCalendar, CalendarRangeError, local_day
from .jurisdictions import AppealSpec, Jurisdictions


class Wording(Protocol):
    """The words a reason is put in: one language of the policy (``judge.records.Language``)."""

    @property
    def platforms(self) -> Mapping[str, str]: ...

    def text(self, key: str, **fields: object) -> str: ...


class PlatformLike(Protocol):
    """What the deadline needs of a platform's specification."""

    @property
    def name(self) -> str: ...

    @property
    def territory(self) -> str | None: ...

    @property
    def timezone(self) -> str: ...


class AppealDeadline(BaseModel):
    """The last day a complainant can act after a counter-notice reaches them, or why none.

    ``last_day`` is ``None`` exactly when ``reason`` is set. ``nominal_last_day`` is where the
    count of days ends before a last day that falls on a day off is moved to the next working
    day; ``provisional`` says that moving relied on a year whose schedule is not official.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    platform: str
    forwarded_at: datetime
    timezone: str
    received_on: date
    jurisdiction: str | None
    last_day: date | None
    nominal_last_day: date | None
    days: int | None
    day_kind: Literal["calendar", "business"] | None
    provisional: bool
    source: str | None
    counting_source: str | None
    reason: str | None


def deadline(platform: str, forwarded_at: datetime | str, *,
             platforms: Mapping[str, PlatformLike], jurisdictions: Jurisdictions,
             calendars: Mapping[str, BusinessCalendar], words: Wording) -> AppealDeadline:
    """The appeal deadline on ``platform`` for a counter-notice forwarded at ``forwarded_at``,
    a reason for none worded by ``words``.

    Raises InvalidComplaint (a ValueError) naming ``platform`` or ``forwarded_at`` when either
    cannot be used; every problem is listed at once.
    """
    problems: list[Problem] = []
    spec = platforms.get(platform) if isinstance(platform, str) else None
    if spec is None:
        known = ", ".join(sorted(platforms))
        problems.append(Problem("platform", f"unknown platform {shown(platform)}; known: {known}",
                                "unknown_platform", (("values", shown(platform)),
                                                     ("known", known))))
    moment = _moment(forwarded_at, problems)
    if spec is None or moment is None:
        raise InvalidComplaint(problems)
    try:
        return _deadline(platform, spec, moment, jurisdictions, calendars, words)
    except (CalendarRangeError, OverflowError) as exc:
        raise InvalidComplaint([Problem("forwarded_at", f"cannot be judged: {exc}",
                                        "cannot_be_judged", (("error", str(exc)),))]) from None


def _moment(value: object, problems: list[Problem]) -> datetime | None:
    try:
        return parse_aware_datetime(value)
    except ValueError as exc:
        problems.append(problem_at("forwarded_at", exc))
        return None


def _deadline(platform: str, spec: PlatformLike, moment: datetime, jurisdictions: Jurisdictions,
              calendars: Mapping[str, BusinessCalendar], words: Wording) -> AppealDeadline:
    received_on = local_day(moment, ZoneInfo(spec.timezone))
    common: dict[str, object] = {"platform": platform, "forwarded_at": moment,
                                 "timezone": spec.timezone, "received_on": received_on}
    territory = spec.territory
    juris = jurisdictions.by_code.get(territory) if territory else None
    rule = juris.appeal if juris else None
    name = words.platforms.get(platform, spec.name)
    if territory is None:
        return _none(common, None, words.text("appeal.reason.no_territory", platform=name))
    if juris is None or rule is None:
        return _none(common, territory, words.text("appeal.reason.no_rule", platform=name,
                                                   territory=territory))
    if rule.in_force_from is not None and received_on < rule.in_force_from:
        return _none(common, territory, words.text(
            "appeal.reason.not_in_force", territory=territory, in_force_from=rule.in_force_from,
            received_on=received_on), rule)
    calendar = calendars.get(territory)
    nominal, last, consulted_from = _count(rule, received_on, calendar)
    provisional = (calendar is not None and consulted_from is not None
                   and not calendar.is_official_span(consulted_from, last))
    return AppealDeadline.model_validate({
        **common, "jurisdiction": territory, "last_day": last, "nominal_last_day": nominal,
        "days": rule.days, "day_kind": rule.day_kind, "provisional": provisional,
        "source": rule.source, "counting_source": rule.counting_source, "reason": None,
    })


def _count(rule: AppealSpec, received_on: date, calendar: BusinessCalendar | None,
           ) -> tuple[date, date, date | None]:
    """(where the count ends, the last day, the first day the calendar was asked about).

    The day of receipt is not counted: day 1 is the day after it.
    """
    if rule.day_kind == "business":
        assert calendar is not None  # the jurisdiction file is refused without one
        last = calendar.nth_working_day_after(received_on, rule.days)
        return last, last, received_on + timedelta(days=1)
    nominal = received_on + timedelta(days=rule.days)
    if not rule.last_day_moves_past_days_off:
        return nominal, nominal, None
    assert calendar is not None
    return nominal, calendar.working_day_on_or_after(nominal), nominal


def _none(common: Mapping[str, object], jurisdiction: str | None, reason: str,
          rule: AppealSpec | None = None) -> AppealDeadline:
    return AppealDeadline.model_validate({
        **common, "jurisdiction": jurisdiction, "last_day": None, "nominal_last_day": None,
        "days": rule.days if rule else None, "day_kind": rule.day_kind if rule else None,
        "provisional": False, "source": rule.source if rule else None,
        "counting_source": rule.counting_source if rule else None, "reason": reason,
    })
