"""Checked rules -> one durable_rules program per platform.

A rule's failure condition (its precondition and effective dates folded in) is flattened into
alternatives of plain tests, each a pattern of its own; a rule with a precondition also gets the
precondition's patterns, so that a verdict can tell "passed" from "not applicable". Rules sharing
a precondition (the agent rules) share its patterns: one action fewer per rule in every
evaluation where it holds. Everything the C core could do wrongly is refused here, at load.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from ..errors import PolicyError
from ..judge import engine
from ..judge.facts import PlatformProfile
from ..judge.program import Program
from ..judge.records import Language, PlatformInfo, RuleInfo, RuleTexts, Slot
from ..judge.vocabulary import BY_NAME
from ..jurisdiction.calendar import BusinessCalendar
from . import conditions
from .conditions import Condition, ConditionError
from .specs import PlatformsFile, PlatformSpec, RuleSpec


@dataclass(frozen=True)
class CheckedRule:
    """A rule whose file entry and conditions passed every check, ready to compile."""

    spec: RuleSpec
    file: str
    when: Condition
    applies_if: Condition | None  # the precondition with the effective dates folded in
    fact_fields: tuple[str, ...]
    per_filing: bool  # it reads a fact of one filing (listings, channel)


def check_conditions(spec: RuleSpec, file: str, value_sets: Mapping[str, frozenset[str]],
                     named: Mapping[str, Condition] | None = None) -> CheckedRule:
    """Parse a rule's conditions against the vocabulary and the policy's named conditions;
    ConditionError names the problem."""
    when = conditions.parse(spec.when, value_sets, "when", named)
    applies_if = (conditions.parse(spec.applies_if, value_sets, "applies_if", named)
                  if spec.applies_if is not None else None)
    # A reason quotes what made the rule fail; a precondition's fields only when the rule lists
    # them under `report`.
    shown = [f.name for f in conditions.fields_of(when)] + spec.report
    read = conditions.fields_of(when) + (conditions.fields_of(applies_if) if applies_if else ())
    return CheckedRule(spec=spec, file=file, when=when, applies_if=_with_dates(applies_if, spec),
                       fact_fields=tuple(dict.fromkeys(shown)),
                       per_filing=any(f.per_filing for f in read))


def _with_dates(applies_if: Condition | None, spec: RuleSpec) -> Condition | None:
    """Fold a rule's effective dates into its applicability: out of force means not applicable."""
    day0 = BY_NAME["day0"]
    limits: list[Condition] = []
    if spec.effective_from:
        limits.append(conditions.Test(day0, "ge", spec.effective_from.toordinal()))
    if spec.effective_until:
        limits.append(conditions.Test(day0, "le", spec.effective_until.toordinal()))
    parts = ([applies_if] if applies_if is not None else []) + limits
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else conditions.All(tuple(parts))


@dataclass(frozen=True)
class Compiled:
    programs: dict[str, Program]
    catalog: tuple[RuleInfo, ...]
    platforms: dict[str, PlatformInfo]


def compile_policy(rules: Sequence[CheckedRule], platforms: PlatformsFile,
                   calendars: Mapping[str, BusinessCalendar], rules_dir: str,
                   languages: Mapping[str, Language]) -> Compiled:
    """Compile every platform's applicable rules; PolicyError names the rule that cannot be."""
    def applies(rule: CheckedRule, platform: PlatformSpec) -> bool:
        return platform.id in rule.spec.applies_to or platform.group in rule.spec.applies_to

    applicable = {p.id: [r for r in rules if applies(r, p)] for p in platforms.platforms}
    catalog = tuple(_info(r, tuple(p.id for p in platforms.platforms if applies(r, p)),
                          {code: language.rules[r.spec.id] for code, language in languages.items()})
                    for r in rules)
    info_of = {info.id: info for info in catalog}
    programs: dict[str, Program] = {}
    infos: dict[str, PlatformInfo] = {}
    # A rule's patterns do not depend on the platform: translated once, used by every program
    # the rule is in (most rules are in several).
    translated: dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]] | None, str]] = {}
    for p in platforms.platforms:
        group = platforms.groups[p.group]
        patterns: dict[str, Any] = {}
        slots: list[Slot] = []
        preconditions: dict[str, int] = {}
        for index, rule in enumerate(applicable[p.id]):
            applicability = -1
            found = translated.get(rule.spec.id)
            if found is None:
                try:
                    found = translated[rule.spec.id] = _translate(rule)
                except ConditionError as exc:
                    raise PolicyError(rule.file, str(exc), rule=rule.spec.id) from None
            failures, alternatives, key = found
            for n, pattern in enumerate(failures):
                patterns[f"f{index}_{n}"] = pattern
            if alternatives is not None:
                applicability = preconditions.setdefault(key, len(preconditions))
                for n, pattern in enumerate(alternatives):
                    patterns[f"a{applicability}_{n}"] = pattern
            slots.append(Slot.of(info_of[rule.spec.id], index, applicability))
        try:
            ruleset = engine.build(patterns, label=p.id.replace(".", "_").replace("-", "_"))
        except engine.CompileError as exc:
            raise PolicyError(rules_dir, f"platform {p.id}: {exc}") from None
        response = p.response
        profile = PlatformProfile(
            id=p.id, group=p.group, territory=p.territory,
            listing_domains=tuple(p.listing_domains),
            short_link_domains=tuple(p.short_link_domains),
            timezone=ZoneInfo(p.timezone),
            accepted_documents={k: frozenset(v) for k, v in group.identity_documents.items()},
            business_days=response.business_days if response else None,
            calendar=calendars[response.calendar] if response else None,
            max_listings={c: spec.max_listings for c, spec in group.channels.items()},
        )
        programs[p.id] = Program(profile=profile, slots=tuple(slots), ruleset=ruleset)
        infos[p.id] = PlatformInfo(
            id=p.id, name=p.name, group=p.group, territory=p.territory, domains=profile.domains,
            listing_domains=profile.listing_domains,
            short_link_domains=profile.short_link_domains,
            channels=tuple(group.channels),
            timezone=p.timezone, business_days=response.business_days if response else None,
            calendar=response.calendar if response else None)
    return Compiled(programs=programs, catalog=catalog, platforms=infos)


def _translate(rule: CheckedRule) -> tuple[list[dict[str, Any]], list[dict[str, Any]] | None,
                                           str]:
    """A rule's failure patterns, its precondition's patterns (None without one) and the key
    that identifies the precondition among rules sharing it."""
    fail = rule.when if rule.applies_if is None else conditions.All((rule.applies_if, rule.when))
    failures = [conditions.to_durable(conj) for conj in conditions.to_dnf(fail)]
    if rule.applies_if is None:
        return failures, None, ""
    alternatives = [conditions.to_durable(conj) for conj in conditions.to_dnf(rule.applies_if)]
    return failures, alternatives, json.dumps(alternatives, sort_keys=True)


def source_texts(spec: RuleSpec) -> RuleTexts:
    """A rule's texts as its file words them, whitespace folded (YAML's folded scalars)."""
    return RuleTexts(title=" ".join(spec.title.split()), message=" ".join(spec.message.split()),
                     remediation=" ".join(spec.remediation.split()))


def _info(rule: CheckedRule, platforms: tuple[str, ...],
          texts: Mapping[str, RuleTexts]) -> RuleInfo:
    spec = rule.spec
    source = texts[next(iter(texts))]  # the source language comes first: the file's own words
    return RuleInfo(
        id=spec.id, title=source.title, severity=spec.severity, platforms=platforms,
        applies_to=tuple(spec.applies_to), source=spec.source.strip(), file=rule.file,
        message=source.message, remediation=source.remediation,
        fact_fields=rule.fact_fields, conditional=rule.applies_if is not None,
        per_filing=rule.per_filing, texts=dict(texts))
