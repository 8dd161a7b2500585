"""Jurisdiction data: offices and what they cover, terms, renewal grace, calendars.

Everything territorial the policy knows comes from ``jurisdictions/*.yaml``; this module only
reads it and answers questions such as "which territories does this right cover" or "when does
its term end".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, model_validator

from ..models import IPRight, PatentKind, RightType, Spec, Text, spec_error
from .calendar import CalendarSpec
from .terms import add_months, term_end

TerritoryCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2,4}$")]
# A jurisdiction file's own code: a territory, or a group of them with a longer name (BERNE).
JurisdictionCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2,8}$")]


class OfficeSpec(Spec):
    code: Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Za-z0-9_-]{1,31}$")]
    name: str
    covers: list[TerritoryCode] = Field(default_factory=list)
    covers_designations: bool = False
    source: str


class TermSpec(Spec):
    right: RightType
    patent_kind: PatentKind | None = None
    years: int = Field(ge=1, le=100)
    counted_from: Literal["registered_on", "filed_on"]
    filed_from: date | None = None
    filed_until: date | None = None
    source: str


class GraceSpec(Spec):
    right: RightType
    months: int = Field(ge=1, le=60)
    source: str


class UnregisteredProtectionSpec(Spec):
    """A kind of right protected in every member of a group without registration (copyright
    under the Berne Convention)."""

    right: RightType
    source: Text


class JoinedSpec(Spec):
    """When a member joined the group, for the members the policy cites."""

    territory: TerritoryCode
    since: date
    source: Text


class AppealSpec(Spec):
    """How long a takedown stands after a seller's counter-notice reaches the complainant."""

    days: int = Field(ge=1, le=365)
    day_kind: Literal["calendar", "business"]
    in_force_from: date | None = None
    source: Text
    last_day_moves_past_days_off: bool = False
    counting_source: Text | None = None

    @model_validator(mode="after")
    def _cited(self) -> AppealSpec:
        if self.last_day_moves_past_days_off and self.counting_source is None:
            raise spec_error("last_day_moves_past_days_off needs a counting_source")
        return self


class JurisdictionSpec(Spec):
    code: JurisdictionCode
    name: str
    members: list[TerritoryCode] = Field(default_factory=list)
    members_source: Text | None = None
    joined: list[JoinedSpec] = Field(default_factory=list)
    unregistered_protection: list[UnregisteredProtectionSpec] = Field(default_factory=list)
    aliases: list[TerritoryCode] = Field(default_factory=list)
    offices: list[OfficeSpec] = Field(default_factory=list)
    terms: list[TermSpec] = Field(default_factory=list)
    renewal_grace: list[GraceSpec] = Field(default_factory=list)
    calendar: CalendarSpec | None = None
    appeal: AppealSpec | None = None

    @model_validator(mode="after")
    def _appeal_has_calendar(self) -> JurisdictionSpec:
        if self.appeal is not None and self.calendar is None and (
                self.appeal.day_kind == "business" or self.appeal.last_day_moves_past_days_off):
            raise spec_error("appeal: counting business days or moving past days off needs a "
                           "calendar: section in the same file")
        return self

    @model_validator(mode="after")
    def _protection_has_members(self) -> JurisdictionSpec:
        if (self.unregistered_protection or self.joined) and not self.members:
            raise spec_error("unregistered_protection and joined need the members: they speak of")
        strangers = sorted({j.territory for j in self.joined} - set(self.members))
        if strangers:
            raise spec_error(f"joined: {', '.join(strangers)} not among the members")
        return self


@dataclass(frozen=True)
class Office:
    spec: OfficeSpec
    jurisdiction: str
    territories: frozenset[str]  # what the office covers by itself, groups expanded at load


# Every field of a right that term_end and grace_end read: term_and_grace keeps their answers
# by these (tests/jurisdiction hold the two to the same answers over varied rights).
TERM_FIELDS = ("expires_on", "office", "type", "patent_kind", "filed_on", "registered_on")
MAX_KEPT_TERMS = 65536


class Jurisdictions:
    """The loaded jurisdiction files, indexed for the questions facts need answered."""

    def __init__(self, specs: Iterable[JurisdictionSpec]) -> None:
        self.by_code: dict[str, JurisdictionSpec] = {}
        self.offices: dict[str, Office] = {}
        self._groups: dict[str, frozenset[str]] = {}
        # Right type -> territories protecting it unregistered (the union over every group).
        self._unregistered: dict[str, frozenset[str]] = {}
        for spec in specs:
            self.by_code[spec.code] = spec
            if spec.members:
                members = frozenset(spec.members) | {spec.code}
                for code in (spec.code, *spec.aliases):
                    self._groups[code] = members
        for spec in self.by_code.values():
            for protection in spec.unregistered_protection:
                self._unregistered[protection.right] = (
                    self._unregistered.get(protection.right, frozenset())
                    | self.expand(spec.members))
        # Groups first, so an office covering one (EUIPO: EU) is expanded once, here.
        for spec in self.by_code.values():
            for office in spec.offices:
                self.offices[office.code] = Office(office, spec.code, self.expand(office.covers))
        # (term end, grace end) by the right's fields that term_end and grace_end read.
        self._terms: dict[tuple[Any, ...], tuple[date | None, date | None]] = {}

    def expand(self, territories: Iterable[str]) -> frozenset[str]:
        """Territory codes with every group (EU, or its Madrid alias EM) replaced by its members."""
        out: set[str] = set()
        for code in territories:
            out |= self._groups.get(code, {code})
        return frozenset(out)

    @property
    def known_territories(self) -> frozenset[str]:
        codes: set[str] = set(self.by_code)
        for group in self._groups.values():
            codes |= group
        codes |= self._groups.keys()
        for office in self.offices.values():
            codes |= set(office.spec.covers)
        return frozenset(codes)

    def coverage(self, right: IPRight) -> tuple[frozenset[str], frozenset[str]]:
        """(territories the office covers itself, territories covered through designations)."""
        office = self.offices.get(right.office) if right.office else None
        if office is None:
            return frozenset(), frozenset()
        direct = office.territories
        designated = (self.expand(right.designations) if office.spec.covers_designations
                      else frozenset())
        return direct, designated

    def unregistered_coverage(self, right: IPRight) -> frozenset[str]:
        """The territories protecting a right that no office registered (status unregistered,
        no office named): for a copyright, every Berne Convention state; for others, none."""
        if right.office is not None or right.status != "unregistered":
            return frozenset()
        return self._unregistered.get(right.type, frozenset())

    def term_end(self, right: IPRight) -> date | None:
        """The right's last day in force: as stated, or derived from the office's term rules."""
        if right.expires_on is not None:
            return right.expires_on
        office = self.offices.get(right.office) if right.office else None
        if office is None:
            return None
        for term in self.by_code[office.jurisdiction].terms:
            if term.right != right.type:
                continue
            if term.patent_kind and term.patent_kind != right.patent_kind:
                continue
            if term.filed_from or term.filed_until:
                if right.filed_on is None:
                    continue
                if term.filed_from and right.filed_on < term.filed_from:
                    continue
                if term.filed_until and right.filed_on > term.filed_until:
                    continue
            start = right.registered_on if term.counted_from == "registered_on" else right.filed_on
            if start is None:
                return None
            return term_end(start, term.years)
        return None

    def term_and_grace(self, right: IPRight) -> tuple[date | None, date | None]:
        """``(term_end(right), grace_end(right, term_end(right)))``, kept by the fields of the
        right the two read (TERM_FIELDS): rights of the same office, type and dates recur, and
        the files do not change once loaded."""
        key = tuple(getattr(right, name) for name in TERM_FIELDS)
        found = self._terms.get(key)
        if found is None:
            last_day = self.term_end(right)
            found = (last_day, self.grace_end(right, last_day))
            if len(self._terms) >= MAX_KEPT_TERMS:
                self._terms.clear()
            self._terms[key] = found
        return found

    def grace_end(self, right: IPRight, last_day: date | None) -> date | None:
        """The last day of the renewal grace period, or the term end where there is none."""
        if last_day is None:
            return None
        office = self.offices.get(right.office) if right.office else None
        if office is not None:
            for grace in self.by_code[office.jurisdiction].renewal_grace:
                if grace.right == right.type:
                    return add_months(last_day, grace.months)
        return last_day

    def calendars(self) -> Mapping[str, CalendarSpec]:
        return {code: spec.calendar for code, spec in self.by_code.items() if spec.calendar}
