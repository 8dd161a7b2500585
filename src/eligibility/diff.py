"""What changes if a policy edit ships: the same complaints judged by two policies, compared.

A policy maintainer who edits a rule, adds a platform or a holiday schedule needs to see which
complaints change verdict before the edit is published. This module judges every complaint found
under some paths (case fixtures and recorded complaint files) with a *base* policy and a
*current* one and keeps the complaints whose decision or failed rule ids differ. The command line
(``eligibility diff``) prints the result; :func:`diff_policies` is the same thing for programs.

The comparison must be fair, so both sides judge a complaint at the same moment: its own
``submitted_at``, else the case's ``now``, else one ``now`` fixed once for the whole run (the
caller's, or the current time when the run starts). It must also survive policies that disagree
about what a valid complaint is: a complaint whose platform the current policy dropped, or that
a new code list refuses, is judged "invalid" on that side, a change like any other. Only a
complaint that neither policy can read, or a file that cannot be read at all, is an input error.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .cases import CASE_SUFFIX, CaseFileError, find_files, is_case_file, load_entries
from .errors import InvalidComplaint
from .load.yaml import parse_complaint_file
from .models import Verdict, check_now
from .policy import Policy

COMPLAINT_SUFFIXES = (".yaml", ".yml", ".json")
INVALID = "invalid"  # the decision shown for a side that could not read the complaint

__all__ = ["INVALID", "Change", "DiffReport", "InputError", "Side", "diff_policies",
           "find_inputs"]


@dataclass(frozen=True)
class Side:
    """One policy's judgement of a complaint: the decision and the failed rule ids (warnings
    included, in the verdict's order), or ``decision == "invalid"`` with the problems."""

    decision: str
    reasons: tuple[str, ...] = ()
    errors: tuple[Mapping[str, str], ...] = ()

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"decision": self.decision, "reasons": list(self.reasons)}
        if self.decision == INVALID:
            out["errors"] = [dict(e) for e in self.errors]
        return out


@dataclass(frozen=True)
class Change:
    """A complaint the two policies judge differently."""

    file: str
    name: str
    before: Side
    after: Side

    @property
    def added(self) -> tuple[str, ...]:
        """Rule ids that fail now and did not before."""
        return tuple(r for r in self.after.reasons if r not in self.before.reasons)

    @property
    def removed(self) -> tuple[str, ...]:
        """Rule ids that failed before and no longer do."""
        return tuple(r for r in self.before.reasons if r not in self.after.reasons)

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file, "name": self.name, "before": self.before.to_json(),
                "after": self.after.to_json()}


@dataclass(frozen=True)
class InputError:
    """A file, case or complaint that could not be compared, and why."""

    file: str
    name: str
    message: str


@dataclass
class DiffReport:
    """The changes, in input order, and how much was compared."""

    changes: list[Change] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)
    compared: int = 0
    files: int = 0

    def by_rule(self) -> dict[str, tuple[list[Change], list[Change]]]:
        """Rule id -> (changes where it now fails, changes where it no longer fails), rules in
        order of first appearance."""
        out: dict[str, tuple[list[Change], list[Change]]] = {}
        for change in self.changes:
            for rule in change.added:
                out.setdefault(rule, ([], []))[0].append(change)
            for rule in change.removed:
                out.setdefault(rule, ([], []))[1].append(change)
        return out

    def by_decision(self) -> dict[tuple[str, str], int]:
        """(decision before, decision after) -> how many complaints moved that way."""
        out: dict[tuple[str, str], int] = {}
        for change in self.changes:
            key = (change.before.decision, change.after.decision)
            out[key] = out.get(key, 0) + 1
        return out


@dataclass(frozen=True)
class _Input:
    file: str
    name: str
    complaint: Any
    now: datetime | None
    alone: bool = True  # judged on its own platform (a case that states a decision, a file)
    everywhere: bool = False  # judged on every platform (a case that states `everywhere`)


def find_inputs(paths: Iterable[str | Path]) -> tuple[list[Path], list[InputError]]:
    """Every case file and complaint file under the paths: files as given, folders searched
    recursively for ``*.case.yaml``, ``*.yaml``, ``*.yml`` and ``*.json``."""
    found, missing = find_files(paths, (CASE_SUFFIX, *COMPLAINT_SUFFIXES))
    return found, [InputError(str(path), "", "no such file or folder") for path in missing]


def _read(path: Path) -> Iterator[_Input | InputError]:
    if is_case_file(path):
        try:
            entries = load_entries(path)
        except CaseFileError as exc:
            yield InputError(str(path), "", exc.message)
            return
        for entry in entries:
            if isinstance(entry, CaseFileError):
                where = f"line {entry.line}: " if entry.line is not None else ""
                yield InputError(str(path), "", where + entry.message)
            else:
                yield _Input(str(path), entry.name, entry.complaint, entry.now,
                             alone=entry.expect.decision is not None,
                             everywhere=entry.expect.everywhere is not None)
        return
    try:
        data = parse_complaint_file(path.read_bytes(), path.name)
    except OSError as exc:
        yield InputError(str(path), "", f"cannot be read: {exc.strerror or exc}")
        return
    except ValueError as exc:
        yield InputError(str(path), "", str(exc))
        return
    if isinstance(data, list):
        for index, entry in enumerate(data):
            yield _Input(str(path), f"{path.name}[{index}]", entry, None)
    else:
        yield _Input(str(path), path.name, data, None)


def _side(verdict: Verdict) -> Side:
    return Side(verdict.decision.value, tuple(r.rule for r in verdict.reasons))


def _judge(policy: Policy, item: _Input, now: datetime) -> Side:
    try:
        return _side(policy.evaluate(item.complaint, now=item.now or now))
    except InvalidComplaint as exc:
        return Side(INVALID, errors=tuple(exc.errors()))


_NO_PLATFORM = ({"path": "platform", "message": "this policy has no such platform"},)


def _judge_everywhere(policy: Policy, item: _Input, now: datetime) -> dict[str, Side]:
    """Each platform's side; every platform of the policy invalid when the complaint is."""
    try:
        verdicts = policy.evaluate_everywhere(item.complaint, now=item.now or now)
    except InvalidComplaint as exc:
        errors = tuple(exc.errors())
        return {platform: Side(INVALID, errors=errors) for platform in policy.platforms}
    return {platform: _side(verdict) for platform, verdict in verdicts.items()}


def _pairs(base: Policy, current: Policy, item: _Input,
           now: datetime) -> Iterator[tuple[str, Side, Side]]:
    """(name, base's side, current's side) for each judgement the item asks for: on its own
    platform, and per platform when judged everywhere (a platform one policy lacks is a side
    that cannot read the complaint)."""
    if item.alone:
        yield item.name, _judge(base, item, now), _judge(current, item, now)
    if item.everywhere:
        before = _judge_everywhere(base, item, now)
        after = _judge_everywhere(current, item, now)
        missing = Side(INVALID, errors=_NO_PLATFORM)
        for platform in dict.fromkeys([*before, *after]):
            yield (f"{item.name} [{platform}]", before.get(platform, missing),
                   after.get(platform, missing))


def diff_policies(base: Policy, current: Policy, paths: Iterable[str | Path], *,
                  now: datetime | str | None = None) -> DiffReport:
    """Judge every complaint under ``paths`` with ``base`` and with ``current``; report those
    whose decision or set of failed rule ids differ.

    ``now`` stands in for a missing ``submitted_at`` when the case gives no ``now`` of its own;
    by default the current time, taken once, so both policies judge at the same moment. A
    complaint invalid under both policies, and any file or case that cannot be read, land in
    ``errors`` rather than ``changes``.
    """
    moment = check_now(now) or datetime.now(timezone.utc)
    files, errors = find_inputs(paths)
    report = DiffReport(errors=errors, files=len(files))
    for path in files:
        for item in _read(path):
            if isinstance(item, InputError):
                report.errors.append(item)
                continue
            for name, before, after in _pairs(base, current, item, moment):
                if before.decision == INVALID and after.decision == INVALID:
                    problems = "; ".join(f"{e['path'] or '(complaint)'}: {e['message']}"
                                         for e in after.errors)
                    report.errors.append(InputError(item.file, name, "invalid under both "
                                                                     f"policies: {problems}"))
                    continue
                report.compared += 1
                if before.decision != after.decision or set(before.reasons) != set(
                        after.reasons):
                    report.changes.append(Change(item.file, name, before, after))
    return report
