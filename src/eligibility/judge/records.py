"""What a loaded policy says about each rule and each platform: one record apiece.

The catalog, every verdict, the rule listing of the command line and of the HTTP service, and the
rule's place in each platform's compiled program all refer to the same :class:`RuleInfo`, so a
rule's title, texts and source are written down once. :class:`Slot` is only where a rule sits in
one platform's program (the names of its patterns there), never a second description of it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ..errors import Problem
from ..models import Check, CheckStatus, Severity

STATUSES: tuple[CheckStatus, ...] = ("passed", "failed", "not_applicable")


def _fields(*names: str) -> frozenset[str]:
    return frozenset(names)


# Every interface text a face words (the command line's verdicts, totals, ``where`` table and
# appeal deadlines, an appeal deadline's reason for having none, the rule catalog, and what of
# them the checker page borrows), with the placeholders the face fills in. The loader holds
# every policy's language files to it: a text naming a placeholder its face does not fill is a
# problem at load, and a text a policy leaves out is taken from the packaged policy, so that no
# command stops halfway through its output for want of one. tests/cli/test_interface_texts.py
# holds this table to what the faces actually ask for.
INTERFACE_FIELDS: Mapping[str, frozenset[str]] = {
    **{f"decision.{d}": _fields() for d in ("eligible", "incomplete", "ineligible")},
    **{f"severity.{s}": _fields() for s in ("blocking", "missing", "warning")},
    "verdict.head": _fields("label", "decision", "platform", "day0"),
    "verdict.head_explained": _fields("label", "decision", "platform", "day0", "timezone"),
    "verdict.fix": _fields("text"),
    "verdict.facts": _fields("text"),
    "verdict.source": _fields("text"),
    "verdict.due": _fields("earliest", "latest", "first", "last", "calendar", "timezone"),
    "verdict.provisional": _fields(),
    "verdict.no_window": _fields("platform"),
    "verdict.checked": _fields("total", *STATUSES),
    "run.policy": _fields("version", "digest"),
    "run.totals": _fields("total", "eligible", "incomplete", "ineligible", "invalid"),
    **{f"where.{w}": _fields() for w in ("platform", "decision", "failed", "due", "none")},
    **{f"catalog.{c}": _fields() for c in (
        "title", "severities", "severity_columns", "meaning.blocking", "meaning.missing",
        "meaning.warning", "platforms", "platform_columns", "no_window", "any_office", "none",
        "groups", "rules", "rule_columns", "fields", "fields_intro")},
    "appeal.head": _fields("platform", "received_on", "timezone"),
    "appeal.last_day": _fields("last_day", "count"),
    "appeal.count.calendar": _fields("days"),
    "appeal.count.business": _fields("days"),
    "appeal.count.moved": _fields("days", "nominal_last_day"),
    "appeal.none": _fields("reason"),
    "appeal.reason.no_territory": _fields("platform"),
    "appeal.reason.no_rule": _fields("platform", "territory"),
    "appeal.reason.not_in_force": _fields("territory", "in_force_from", "received_on"),
    "catalog.generated": _fields("command"),
    "catalog.intro": _fields("version", "rules", "platforms"),
    "catalog.window": _fields("first", "last", "calendar"),
    "catalog.rule_head": _fields("title", "severity"),
    "catalog.applies": _fields("targets", "platforms"),
    "catalog.message": _fields("text"),
    "catalog.remedy": _fields("text"),
    "catalog.source": _fields("text"),
}


@dataclass(frozen=True)
class RuleTexts:
    """A rule's words in one language."""

    title: str
    message: str
    remediation: str


@dataclass(frozen=True)
class Language:
    """A policy's texts in one language: names of platforms and groups, every rule's texts, and
    the faces' interface texts (key -> text with ``{field}`` placeholders)."""

    code: str
    name: str
    platforms: Mapping[str, str]
    groups: Mapping[str, str]
    rules: Mapping[str, RuleTexts]
    interface: Mapping[str, str]
    # Input problem code -> its wording with {params}; empty for the source language, whose
    # wording is the validator's own.
    problems: Mapping[str, str] = field(default_factory=dict)

    def text(self, key: str, **fields: object) -> str:
        """An interface text with its placeholders filled."""
        return self.interface[key].format(**fields)

    def problem(self, problem: Problem) -> str:
        """An input problem's message in this language (as given where it has no wording)."""
        template = self.problems.get(problem.code)
        if template is None:
            return problem.message
        try:
            return template.format(**dict(problem.params))
        except (KeyError, IndexError):  # a value the validator did not give this time
            return problem.message


@dataclass(frozen=True)
class RuleInfo:
    """One rule of the policy, as its file states it (texts with whitespace folded)."""

    id: str
    title: str
    severity: Severity
    platforms: tuple[str, ...]  # every platform it is compiled for, in policy order
    applies_to: tuple[str, ...]  # as written: platforms and platform groups
    source: str
    file: str
    message: str
    remediation: str
    # The fact fields a reason quotes when the rule fails: those its condition reads, then
    # those it lists under `report`.
    fact_fields: tuple[str, ...] = ()
    # Whether it can be not applicable: it has a precondition or effective dates.
    conditional: bool = False
    # Whether it judges one filing on one platform rather than the right and the parties (it
    # reads the listings or the channel): such rules do not apply when a complaint is judged on
    # every platform at once.
    per_filing: bool = False
    # Its title, message and remediation in each language of the policy.
    texts: Mapping[str, RuleTexts] = field(default_factory=dict)


@dataclass(frozen=True)
class PlatformInfo:
    """One platform of the policy, as rules/platforms.yaml states it."""

    id: str
    name: str
    group: str
    territory: str | None  # the territory a right must cover there; None: any recognised office
    # Every domain a listing may be on (a subdomain of one counts too): the item-page domains,
    # then the share and short-link domains, each once.
    domains: tuple[str, ...]
    timezone: str
    business_days: tuple[int, int] | None  # the response window; None: none published
    calendar: str | None
    listing_domains: tuple[str, ...]  # where its item pages live
    # Its apps' share and short links: on the platform, but drawing complaint.listing-short-link.
    short_link_domains: tuple[str, ...]
    channels: tuple[str, ...]  # the filing channels it takes (ipp_account, online_form)


@dataclass(frozen=True)
class Slot:
    """A rule's place in one platform's program."""

    rule: RuleInfo
    index: int  # names its failure patterns there: f<index>_<n>
    applicability: int = -1  # names its precondition's patterns, which rules may share; -1: none
    # The three possible checks, built once and shared by every verdict (they are immutable).
    checks: Mapping[CheckStatus, Check] = field(default_factory=dict)

    @classmethod
    def of(cls, rule: RuleInfo, index: int, applicability: int = -1) -> Slot:
        return cls(rule, index, applicability,
                   {s: Check(rule=rule.id, status=s) for s in STATUSES})
