"""Fired rules -> verdict: statuses, reasons with their facts, the decision and the due window.

The engine only says which patterns matched. A rule failed when its failure pattern matched;
it was not applicable when it has a precondition (or effective dates) and that did not match;
otherwise it passed. The decision follows from the severities of the failed rules alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from .models import Check, Decision, DueWindow, PolicyRef, Reason, Severity, Verdict, built

if TYPE_CHECKING:
    from .calendar import Window
    from .conditions import Condition
    from .facts import Facts, PlatformProfile

_SEVERITY_ORDER = {"blocking": 0, "missing": 1, "warning": 2}


@dataclass(frozen=True)
class CompiledRule:
    id: str
    title: str
    severity: Severity
    applies_to: tuple[str, ...]
    message: str
    remediation: str
    source: str
    fact_fields: tuple[str, ...]
    file: str
    when: Condition
    applies_if: Condition | None
    index: int = -1  # position in its platform's program; names its failure patterns
    applicability: int = -1  # names its precondition's patterns, which rules may share
    # The three possible Check objects, built once: checks are immutable and shared by verdicts.
    checks: Mapping[str, Check] = field(default_factory=dict)

    def numbered(self, index: int, applicability: int = -1) -> CompiledRule:
        checks = {s: Check(rule=self.id, status=s)
                  for s in ("passed", "failed", "not_applicable")}
        return replace(self, index=index, applicability=applicability, checks=checks)


def _fired_indexes(fired: frozenset[str], kind: str) -> set[int]:
    return {int(name[1:name.index("_")]) for name in fired if name[0] == kind}


def quoted_values(rules: tuple[CompiledRule, ...], fired: frozenset[str],
                  values: Mapping[str, Any]) -> dict[str, Any]:
    """The fact values a verdict quotes: those of its failed rules. A verdict can be assembled
    from these alone (with day 0 and the window), e.g. in another process than the fact's."""
    failed = _fired_indexes(fired, "f")
    return {name: values[name] for rule in rules if rule.index in failed
            for name in rule.fact_fields}


def assemble(rules: tuple[CompiledRule, ...], fired: frozenset[str], facts: Facts,
             profile: PlatformProfile, version: str, digest: str) -> Verdict:
    failed_idx = _fired_indexes(fired, "f")
    applicable_idx = _fired_indexes(fired, "a")
    checks: list[Check] = []
    reasons: list[tuple[int, int, Reason]] = []
    for rule in rules:
        if rule.index in failed_idx:
            status = "failed"
            shown: dict[str, Any] = {name: facts.display(name) for name in rule.fact_fields}
            reasons.append((_SEVERITY_ORDER[rule.severity], rule.index, built(Reason, {
                "rule": rule.id, "severity": rule.severity, "message": rule.message,
                "remediation": rule.remediation, "source": rule.source, "facts": shown})))
        elif rule.applies_if is not None and rule.applicability not in applicable_idx:
            status = "not_applicable"
        else:
            status = "passed"
        checks.append(rule.checks[status])
    reasons.sort(key=lambda item: (item[0], item[1]))
    severities = {r.severity for _, _, r in reasons}
    if "blocking" in severities:
        decision = Decision.INELIGIBLE
    elif "missing" in severities:
        decision = Decision.INCOMPLETE
    else:
        decision = Decision.ELIGIBLE
    due = None
    if decision is Decision.ELIGIBLE and facts.window is not None and profile.calendar:
        assert profile.business_days is not None
        due = _due(facts.window, profile.business_days, profile.calendar.code,
                   profile.calendar.spec.timezone)
    return built(Verdict, {
        "decision": decision, "platform": profile.id, "reasons": [r for _, _, r in reasons],
        "checks": checks, "due": due, "day0": facts.day0, "policy": _policy_ref(version, digest)})


# Verdicts are immutable, so the parts many of them have in common are built once and shared,
# as the checks are.
@lru_cache(maxsize=64)
def _policy_ref(version: str, digest: str) -> PolicyRef:
    return built(PolicyRef, {"version": version, "digest": digest})


@lru_cache(maxsize=4096)
def _due(window: Window, business_days: tuple[int, int], calendar: str,
         timezone: str) -> DueWindow:
    return built(DueWindow, {
        "earliest": window.earliest, "latest": window.latest, "business_days": business_days,
        "calendar": calendar, "timezone": timezone, "provisional": window.provisional})
