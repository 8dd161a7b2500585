"""Fired rules -> verdict: statuses, reasons with their facts, the decision and the due window.

The engine only says which patterns matched. A rule failed when its failure pattern matched;
it was not applicable when it has a precondition (or effective dates) and that did not match;
otherwise it passed. The decision follows from the severities of the failed rules alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from ..jurisdiction.calendar import Window
from ..models import CheckStatus, Decision, DueWindow, PolicyRef, Reason, Verdict, built
from .facts import Facts, PlatformProfile
from .records import Slot

_SEVERITY_ORDER = {"blocking": 0, "missing": 1, "warning": 2}


def _fired_indexes(fired: frozenset[str], kind: str) -> set[int]:
    return {int(name[1:name.index("_")]) for name in fired if name[0] == kind}


def quoted_values(slots: tuple[Slot, ...], fired: frozenset[str],
                  values: Mapping[str, Any]) -> dict[str, Any]:
    """The fact values a verdict quotes: those of its failed rules. A verdict can be assembled
    from these alone (with day 0 and the window), e.g. in another process than the fact's."""
    failed = _fired_indexes(fired, "f")
    return {name: values[name] for slot in slots if slot.index in failed
            for name in slot.rule.fact_fields}


class Template:
    """What every verdict of one (program, fired patterns, language, everywhere) has in common:
    the checks, the failed rules in the order their reasons are listed, with each reason's
    fixed part, and the decision. The same few fired sets recur across complaints, so the
    per-rule loop runs once for each and a verdict only adds the quoted facts."""

    __slots__ = ("checks", "decision", "failed")

    def __init__(self, slots: tuple[Slot, ...], fired: frozenset[str], lang: str,
                 everywhere: bool) -> None:
        failed_idx = _fired_indexes(fired, "f")
        applicable_idx = _fired_indexes(fired, "a")
        checks = []
        failed: list[tuple[int, int, tuple[str, ...], dict[str, Any]]] = []
        for slot in slots:
            rule = slot.rule
            status: CheckStatus
            if everywhere and rule.per_filing:
                status = "not_applicable"
            elif slot.index in failed_idx:
                status = "failed"
                texts = rule.texts[lang]
                failed.append((_SEVERITY_ORDER[rule.severity], slot.index, rule.fact_fields, {
                    "rule": rule.id, "severity": rule.severity, "message": texts.message,
                    "remediation": texts.remediation, "source": rule.source}))
            elif rule.conditional and slot.applicability not in applicable_idx:
                status = "not_applicable"
            else:
                status = "passed"
            checks.append(slot.checks[status])
        failed.sort(key=lambda item: (item[0], item[1]))
        severities = {fixed["severity"] for _, _, _, fixed in failed}
        if "blocking" in severities:
            decision = Decision.INELIGIBLE
        elif "missing" in severities:
            decision = Decision.INCOMPLETE
        else:
            decision = Decision.ELIGIBLE
        self.checks = tuple(checks)
        self.failed = tuple((names, fixed) for _, _, names, fixed in failed)
        self.decision = decision


Templates = dict[tuple[frozenset[str], str, bool], Template]
MAX_TEMPLATES = 4096  # per program; the mix of 1,000 complaints needs a few dozen


def assemble(slots: tuple[Slot, ...], fired: frozenset[str], facts: Facts,
             profile: PlatformProfile, policy: PolicyRef, lang: str,
             everywhere: bool = False, templates: Templates | None = None) -> Verdict:
    """The verdict of one complaint on one platform, from the patterns its fact fired, worded
    in ``lang``. ``everywhere``: the complaint is judged on every platform at once, so rules of
    one filing (listings, channel) do not apply. ``templates``: the program's kept templates."""
    key = (fired, lang, everywhere)
    template = templates.get(key) if templates is not None else None
    if template is None:
        template = Template(slots, fired, lang, everywhere)
        if templates is not None:
            if len(templates) >= MAX_TEMPLATES:
                templates.clear()
            templates[key] = template
    display = facts.display
    reasons = [built(Reason, {**fixed, "facts": {name: display(name) for name in names}})
               for names, fixed in template.failed]
    decision = template.decision
    due = None
    if decision is Decision.ELIGIBLE and facts.window is not None and profile.calendar:
        assert profile.business_days is not None
        due = _due(facts.window, profile.business_days, profile.calendar.code,
                   profile.calendar.spec.timezone)
    return built(Verdict, {
        "decision": decision, "platform": profile.id, "reasons": reasons,
        "checks": list(template.checks), "due": due, "day0": facts.day0, "policy": policy})


# Verdicts are immutable, so the parts many of them have in common are built once and shared,
# as the checks and the policy reference are.
@lru_cache(maxsize=4096)
def _due(window: Window, business_days: tuple[int, int], calendar: str,
         timezone: str) -> DueWindow:
    return built(DueWindow, {
        "earliest": window.earliest, "latest": window.latest, "business_days": business_days,
        "calendar": calendar, "timezone": timezone, "provisional": window.provisional})
