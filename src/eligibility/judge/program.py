"""Judging under one loaded policy: the compiled program of each platform, and the two steps of
an evaluation that the facade, batch workers and benchmarks share.

An evaluation is ``match`` (validation, the fact, the engine) then ``conclude`` (the verdict).
They are separate because a batch runs them in different processes: workers match and send back
only what a verdict quotes, and the caller concludes, with the very code a single evaluation
uses, so a verdict is the same whichever way it was made. This is the package's documented
internal interface; nothing outside it reaches further into the judge.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any

from pydantic import ValidationError

from ..errors import InvalidComplaint, Problem, shown
from ..jurisdiction.calendar import CalendarRangeError, Window
from ..jurisdiction.jurisdictions import Jurisdictions
from ..models import Complaint, PolicyRef, Verdict, problems_of
from .engine import Ruleset
from .facts import Facts, PlatformProfile
from .facts import build as build_facts
from .records import Slot
from .verdict import Templates, assemble, quoted_values


@dataclass(frozen=True)
class Program:
    """One platform's rules, compiled: the platform's profile, the rules in policy order with
    the names of their patterns, and the engine's ruleset."""

    profile: PlatformProfile
    slots: tuple[Slot, ...]
    ruleset: Ruleset
    # The verdict templates of the fired sets seen so far (verdict.Template): a cache, filled
    # as complaints are judged, never part of what the program is.
    templates: Templates = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class Match:
    """All of an evaluation but the verdict."""

    program: Program
    facts: Facts
    fired: frozenset[str]


def _unjudgeable(error: Exception) -> InvalidComplaint:
    """A submission time the calendar cannot answer for, as the input problem it is."""
    return InvalidComplaint([Problem("submitted_at", f"cannot be judged: {error}",
                                     "cannot_be_judged", (("error", str(error)),))])


def _with_some_platform(complaint: Complaint | Mapping[str, Any],
                        platform: str) -> Complaint | Mapping[str, Any]:
    """A complaint judged everywhere may leave ``platform`` out: any platform of the policy
    stands in while it is validated (each verdict then names its own)."""
    if isinstance(complaint, Mapping) and complaint.get("platform") is None:
        return {**complaint, "platform": platform}
    return complaint


# What crosses a process boundary for one complaint: (platform, fired patterns, the fact values
# the verdict quotes, day 0, the due window). Small, and plain enough to pickle cheaply.
Portable = tuple[str, frozenset[str], dict[str, Any], date, "Window | None"]


class Judge:
    """The programs of every platform of a policy, and the steps of an evaluation."""

    def __init__(self, programs: Mapping[str, Program], jurisdictions: Jurisdictions,
                 policy: PolicyRef, context: Mapping[str, Any],
                 languages: tuple[str, ...]) -> None:
        self.programs = dict(programs)
        self.jurisdictions = jurisdictions
        self.policy = policy
        # Codes that depend on the policy, checked while the complaint is validated.
        self.context = dict(context)
        # For a complaint judged everywhere that names no platform: its channel is not checked
        # against the stand-in platform's (the channel belongs to one filing, judged nowhere).
        self._any_platform_context = {**self.context, "channels": None}
        self.languages = languages  # the first is the rule files' own

    def language(self, lang: str | None) -> str:
        """The code of a language this policy words verdicts in, matched without regard to
        case (language tags are case-insensitive: ``zh-cn`` is ``zh-CN``); ValueError naming
        those it has."""
        if lang is None:
            return self.languages[0]
        if not isinstance(lang, str):
            raise ValueError(f"lang must be a language code such as "
                             f"{', '.join(map(repr, self.languages))}, not "
                             f"{type(lang).__name__}")
        for code in self.languages:
            if code.lower() == lang.lower():
                return code
        raise ValueError(f"unknown language {shown(lang)}; this policy has "
                         f"{', '.join(self.languages)}")

    def parse(self, complaint: Complaint | Mapping[str, Any],
              context: Mapping[str, Any] | None = None) -> Complaint:
        """Validate a complaint against the model and this policy's codes (``context`` in
        place of the policy's own)."""
        if not isinstance(complaint, (Complaint, Mapping)):
            kind = type(complaint).__name__
            raise InvalidComplaint([Problem("", "a complaint is a mapping (JSON object), got "
                                                f"{kind}", "not_a_mapping", (("kind", kind),))])
        try:
            return Complaint.model_validate(complaint, context=context or self.context)
        except ValidationError as exc:
            raise InvalidComplaint(problems_of(exc)) from None
        except RecursionError:
            raise InvalidComplaint([Problem("", "the complaint is nested too deeply",
                                            "too_deep")]) from None

    def match(self, complaint: Complaint | Mapping[str, Any], now: datetime | None) -> Match:
        """Validation, the fact and the engine. ``now`` (already checked) stands in for a
        missing submission time; without either, the current time does."""
        parsed = self.parse(complaint)
        submitted = parsed.submitted_at or now or datetime.now(timezone.utc)
        return self._match_on(self.programs[parsed.platform], parsed, submitted)

    def _match_on(self, program: Program, parsed: Complaint, submitted: datetime) -> Match:
        """The fact of a validated complaint on one platform, and what it fired."""
        try:
            facts = build_facts(parsed, program.profile, self.jurisdictions, submitted)
        except (CalendarRangeError, OverflowError) as exc:
            raise _unjudgeable(exc) from None
        return Match(program, facts, program.ruleset.fire(facts.engine))

    def conclude(self, match: Match, lang: str, everywhere: bool = False) -> Verdict:
        """The verdict of a match, worded in ``lang`` (a code :meth:`language` accepted)."""
        program = match.program
        return assemble(program.slots, match.fired, match.facts, program.profile, self.policy,
                        lang, everywhere, program.templates)

    def evaluate(self, complaint: Complaint | Mapping[str, Any], now: datetime | None,
                 lang: str) -> Verdict:
        return self.conclude(self.match(complaint, now), lang)

    def everywhere(self, complaint: Complaint | Mapping[str, Any], now: datetime | None,
                   lang: str) -> dict[str, Verdict]:
        """The complaint judged on every platform: validated once (``platform`` may be left
        out), then one fact and one engine call per platform. Rules of one filing (listings,
        channel) are not applicable: listings belong to one platform."""
        named = not isinstance(complaint, Mapping) or complaint.get("platform") is not None
        context = self.context if named else self._any_platform_context
        parsed = self.parse(_with_some_platform(complaint, next(iter(self.programs))), context)
        submitted = parsed.submitted_at or now or datetime.now(timezone.utc)
        # The listings only feed rules of one filing, which do not apply here: leaving them out
        # spares parsing every URL once per platform.
        parsed = parsed.model_copy(update={"infringement": parsed.infringement.model_copy(
            update={"listings": []})})
        # One complaint for every platform: a fact is built for a platform from its program's
        # profile, never from the complaint's own `platform`, so no per-platform copy is made.
        out: dict[str, Verdict] = {}
        for platform, program in self.programs.items():
            match = self._match_on(program, parsed, submitted)
            out[platform] = self.conclude(match, lang, everywhere=True)
        return out

    @staticmethod
    def portable(match: Match) -> Portable:
        """What another process needs to conclude this match."""
        program, facts = match.program, match.facts
        quoted = quoted_values(program.slots, match.fired, facts.values)
        return program.profile.id, match.fired, quoted, facts.day0, facts.window

    def restore(self, portable: Portable) -> Match:
        """A match rebuilt from :meth:`portable` in the process that concludes it."""
        platform, fired, quoted, day0, window = portable
        facts = Facts(engine={}, values=quoted, day0=day0, window=window)
        return Match(self.programs[platform], facts, fired)
