"""Case fixtures: reading ``*.case.yaml`` files, running them, and judging policy coverage.

A case pins down what the policy must decide for one complaint. The pytest plugin and the
``eligibility test`` command both run cases through this module, so a case passes or fails the
same way in either place, with the same diff. A case file that cannot be read is reported as a
:class:`CaseFileError` naming the file (and the line where one is known) rather than crashing the
run: a typo in one fixture should not hide the results of all the others.

A complaint without ``submitted_at`` is judged at the case's ``now`` when one is given, else at
the current time, as the library does; give one of them when the answer depends on the date.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from .errors import InvalidComplaint
from .load.yaml import YAMLError, load_yaml, parse_complaint_file
from .models import Decision, Verdict, parse_aware_datetime
from .policy import Policy

CASE_SUFFIX = ".case.yaml"
CASE_KEYS = ("name", "description", "complaint", "complaint_file", "now", "lang", "expect")
EXPECT_KEYS = ("decision", "reasons", "due", "everywhere")
DUE_KEYS = ("earliest", "latest", "provisional", "business_days", "calendar", "timezone")
_DECISIONS = tuple(d.value for d in Decision)
Fail = Callable[[str], "CaseFileError"]  # builds the error for one case, with file and line
# Line numbers only need the node tree, which libyaml builds far faster where it is available.
_COMPOSER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class CaseFileError(Exception):
    """A case file (or the complaint file it names) that cannot be used as written."""

    def __init__(self, path: Path, message: str, line: int | None = None) -> None:
        self.path = path
        self.line = line
        self.message = message
        where = f"{path}:{line}" if line is not None else str(path)
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class Expectation:
    """What a case expects. ``due`` is only compared when the case states it; ``everywhere``
    (platform -> decision) judges the complaint on every platform as well, and a case that
    states it may leave out ``decision`` (and the complaint its platform)."""

    decision: str | None
    reasons: frozenset[str] | None  # None: not stated, so not compared
    due_given: bool = False
    due: Mapping[str, Any] | None = None
    everywhere: Mapping[str, str] | None = None


@dataclass(frozen=True)
class Case:
    name: str
    path: Path
    line: int  # 1-based line where the case starts
    complaint: Mapping[str, Any]
    expect: Expectation
    now: datetime | None = None
    lang: str | None = None

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class Outcome:
    """The result of running one case: the verdict (or why there is none) and what differed."""

    case: Case
    verdict: Verdict | None
    mismatches: tuple[str, ...] = ()
    everywhere: Mapping[str, Verdict] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return not self.mismatches

    @property
    def verdicts(self) -> list[Verdict]:
        """Every verdict the case produced: its own, then those of each platform."""
        return ([self.verdict] if self.verdict is not None else []) + list(self.everywhere.values())

    def report(self, where: str | None = None) -> str:
        """A readable account of every difference, one per line, indented under the case.

        ``where`` replaces the case's file and line in the heading (e.g. a shorter path).
        """
        lines = [f"case {self.case.name!r} ({where or self.case.where})"]
        lines += [f"  {m}" for m in self.mismatches]
        return "\n".join(lines)


# --- finding and reading case files ----------------------------------------------------------


def is_case_file(path: Path) -> bool:
    return path.name.endswith(CASE_SUFFIX)


def find_files(paths: Iterable[str | Path],
               suffixes: tuple[str, ...]) -> tuple[list[Path], list[Path]]:
    """(every file under the given paths, each once: files as given, folders searched
    recursively for names ending in one of ``suffixes``; the paths that do not exist)."""
    found: list[Path] = []
    missing: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found += sorted(p for p in path.rglob("*")
                            if p.is_file() and p.name.endswith(suffixes))
        elif path.is_file():
            found.append(path)
        else:
            missing.append(path)
    return list(dict.fromkeys(found)), missing


def find_case_files(paths: Iterable[str | Path]) -> list[Path]:
    """Every case file under the given paths; a path that does not exist raises."""
    found, missing = find_files(paths, (CASE_SUFFIX,))
    if missing:
        raise CaseFileError(missing[0], "no such file or folder")
    return found


def load_cases(path: Path) -> list[Case]:
    """Read one case file; a list of cases or a single case. The first unusable case raises."""
    entries = load_entries(path)
    for entry in entries:
        if isinstance(entry, CaseFileError):
            raise entry
    return [e for e in entries if isinstance(e, Case)]


def load_entries(path: Path) -> list[Case | CaseFileError]:
    """Read one case file, keeping an unusable case as its error in its place, so that one
    typo does not hide the other cases of the file. A file that cannot be read at all raises."""
    text = _read_text(path)
    data = _parsed(path, text)
    # A second pass over the text, for the line of each case that reports point at.
    nodes = yaml.compose(text, Loader=_COMPOSER)
    items: list[tuple[Any, int]]
    if isinstance(data, list):
        lines = [n.start_mark.line + 1 for n in nodes.value] if isinstance(
            nodes, yaml.SequenceNode) else [1] * len(data)
        items = list(zip(data, lines, strict=True))
    elif isinstance(data, Mapping):
        items = [(data, 1 if nodes is None else nodes.start_mark.line + 1)]
    elif data is None:
        raise CaseFileError(path, "the file holds no cases")
    else:
        raise CaseFileError(path, "expected a case (a mapping) or a list of cases, "
                                  f"got {_kind(data)}")
    if not items:
        raise CaseFileError(path, "the file holds no cases")
    complaint_files: dict[Path, Mapping[str, Any]] = {}
    entries: list[Case | CaseFileError] = []
    for item, line in items:
        try:
            entries.append(_case(path, line, item, complaint_files))
        except CaseFileError as exc:
            entries.append(exc)
    return _unique_names(entries)


def _read_text(path: Path) -> str:
    try:
        return path.read_text("utf-8")
    except UnicodeDecodeError as exc:
        raise CaseFileError(path, f"not UTF-8 text: {exc}") from None
    except OSError as exc:
        raise CaseFileError(path, f"cannot be read: {exc.strerror or exc}") from None


def _parsed(path: Path, text: str) -> Any:
    try:
        return load_yaml(text)
    except YAMLError as exc:
        raise CaseFileError(path, f"not valid YAML: {exc}") from None


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"a {type(value).__name__}"


def _case(path: Path, line: int, raw: Any,
          complaint_files: dict[Path, Mapping[str, Any]]) -> Case:
    def fail(message: str) -> CaseFileError:
        return CaseFileError(path, message, line)

    if not isinstance(raw, Mapping):
        raise fail(f"a case is a mapping with name, complaint and expect; got {_kind(raw)}")
    _only_keys(raw, CASE_KEYS, "", "a case", fail)
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise fail("name: a case needs a non-empty name")
    name = " ".join(name.split())

    def fail_named(message: str) -> CaseFileError:
        return fail(f"case {name!r}: {message}")

    has_inline, has_file = "complaint" in raw, "complaint_file" in raw
    if has_inline == has_file:
        raise fail_named("give exactly one of complaint or complaint_file")
    if has_inline:
        complaint = raw["complaint"]
        if not isinstance(complaint, Mapping):
            raise fail_named(f"complaint: expected a mapping, got {_kind(complaint)}")
    else:
        complaint = _complaint_file(path, raw["complaint_file"], complaint_files, fail_named)
    now = _now(raw.get("now"), fail_named) if "now" in raw else None
    lang = raw.get("lang")
    if lang is not None and (not isinstance(lang, str) or not lang.strip()):
        raise fail_named("lang: expected a language code, e.g. zh-CN")
    if "expect" not in raw:
        raise fail_named("expect: missing")
    expect = _expectation(raw["expect"], fail_named)
    return Case(name=name, path=path, line=line, complaint=complaint, expect=expect, now=now,
                lang=lang)


def _complaint_file(case_path: Path, value: Any, cache: dict[Path, Mapping[str, Any]],
                    fail: Fail) -> Mapping[str, Any]:
    if not isinstance(value, str) or not value.strip():
        raise fail("complaint_file: expected a path relative to the case file")
    target = (case_path.parent / value).resolve()
    if target not in cache:
        try:
            data = parse_complaint_file(target.read_bytes(), target.name)
        except OSError as exc:
            raise fail(f"complaint_file {value}: cannot be read: {exc.strerror or exc}") from None
        except ValueError as exc:
            raise fail(f"complaint_file {value}: {exc}") from None
        if not isinstance(data, Mapping):
            raise fail(f"complaint_file {value}: expected a complaint (a mapping), "
                       f"got {_kind(data)}")
        cache[target] = data
    return cache[target]


def _now(value: Any, fail: Fail) -> datetime:
    try:
        return parse_aware_datetime(value)
    except ValueError as exc:
        raise fail(f"now: {exc}") from None


def _only_keys(raw: Mapping[Any, Any], allowed: Sequence[str], where: str, what: str,
               fail: Fail) -> None:
    """Refuse keys a case format does not have: a misspelt key would otherwise be ignored."""
    unknown = sorted(str(k) for k in raw if k not in allowed)
    if unknown:
        raise fail(f"{where}unknown key(s) {', '.join(unknown)}; {what} has "
                   f"{', '.join(allowed)}")


def _expectation(raw: Any, fail: Fail) -> Expectation:
    if not isinstance(raw, Mapping):
        raise fail(f"expect: expected a mapping with {', '.join(EXPECT_KEYS)}; got {_kind(raw)}")
    _only_keys(raw, EXPECT_KEYS, "expect: ", "expect", fail)
    everywhere = _everywhere(raw["everywhere"], fail) if "everywhere" in raw else None
    decision = raw.get("decision")
    if decision is None and everywhere is not None:
        if "reasons" in raw or "due" in raw:
            raise fail("expect: reasons and due need a decision")
        return Expectation(decision=None, reasons=None, everywhere=everywhere)
    if decision not in _DECISIONS:
        raise fail(f"expect.decision: expected one of {', '.join(_DECISIONS)}; got {decision!r}")
    due: Mapping[str, Any] | None = None
    if "due" in raw and raw["due"] is not None:
        due = _due(raw["due"], fail)
    reasons = raw.get("reasons")
    if reasons is None:  # not stated: the decision (and due, if given) are what is checked
        return Expectation(decision=decision, reasons=None, due_given="due" in raw, due=due,
                           everywhere=everywhere)
    if not isinstance(reasons, list) or not all(isinstance(r, str) for r in reasons):
        raise fail("expect.reasons: expected a list of rule ids")
    if len(set(reasons)) != len(reasons):
        raise fail("expect.reasons: a rule id is listed twice")
    return Expectation(decision=decision, reasons=frozenset(reasons), due_given="due" in raw,
                       due=due, everywhere=everywhere)


def _everywhere(raw: Any, fail: Fail) -> Mapping[str, str]:
    if not isinstance(raw, Mapping) or not raw:
        raise fail("expect.everywhere: expected a mapping of platform id to decision")
    out: dict[str, str] = {}
    for platform, decision in raw.items():
        if decision not in _DECISIONS:
            raise fail(f"expect.everywhere.{platform}: expected one of "
                       f"{', '.join(_DECISIONS)}; got {decision!r}")
        out[str(platform)] = decision  # an unquoted 1688 is the platform "1688"
    return out


def _due(raw: Any, fail: Fail) -> Mapping[str, Any]:
    if not isinstance(raw, Mapping):
        raise fail(f"expect.due: expected null or a mapping; got {_kind(raw)}")
    _only_keys(raw, DUE_KEYS, "expect.due: ", "due", fail)
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if key in ("earliest", "latest"):
            out[key] = _date(value, f"expect.due.{key}", fail)
        elif key == "provisional":
            if not isinstance(value, bool):
                raise fail("expect.due.provisional: expected true or false")
            out[key] = value
        elif key == "business_days":
            if (not isinstance(value, list) or len(value) != 2
                    or not all(isinstance(v, int) and not isinstance(v, bool) for v in value)):
                raise fail("expect.due.business_days: expected two whole numbers, e.g. [1, 3]")
            out[key] = tuple(value)
        else:
            if not isinstance(value, str):
                raise fail(f"expect.due.{key}: expected text")
            out[key] = value
    return out


def _date(value: Any, where: str, fail: Fail) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise fail(f"{where}: expected a date, YYYY-MM-DD")


def _unique_names(entries: list[Case | CaseFileError]) -> list[Case | CaseFileError]:
    """Give repeated names a suffix, so every case can be told apart in a report."""
    seen: dict[str, int] = {}
    out: list[Case | CaseFileError] = []
    for case in entries:
        if isinstance(case, CaseFileError):
            out.append(case)
            continue
        count = seen.get(case.name, 0) + 1
        seen[case.name] = count
        if count > 1:
            case = replace(case, name=f"{case.name} [{count}]")
        out.append(case)
    return out


# --- running -----------------------------------------------------------------------------------


def run_case(policy: Policy, case: Case) -> Outcome:
    """Judge the case's complaint and compare the verdict with what the case expects."""
    known = frozenset(r.id for r in policy.catalog)
    expect = case.expect
    verdict = None
    everywhere: Mapping[str, Verdict] = {}
    try:
        if expect.decision is not None:
            verdict = policy.evaluate(case.complaint, now=case.now, lang=case.lang)
        if expect.everywhere is not None:
            everywhere = policy.evaluate_everywhere(case.complaint, now=case.now, lang=case.lang)
    except InvalidComplaint as exc:
        lines = ["the complaint is invalid, so there is no verdict:"]
        lines += [f"  {p}" for p in exc.problems]
        return Outcome(case=case, verdict=None, mismatches=tuple(lines))
    except ValueError as exc:  # an unknown language
        return Outcome(case=case, verdict=None, mismatches=(f"lang: {exc}",))
    mismatches = compare(expect, verdict, known) if verdict is not None else ()
    if expect.everywhere is not None:
        mismatches += compare_everywhere(expect.everywhere, everywhere)
    return Outcome(case=case, verdict=verdict, mismatches=mismatches,
                   everywhere=everywhere)


def compare_everywhere(expected: Mapping[str, str],
                       actual: Mapping[str, Verdict]) -> tuple[str, ...]:
    """Every platform whose decision differs from the expected one."""
    out = []
    for platform, decision in expected.items():
        verdict = actual.get(platform)
        if verdict is None:
            out.append(f"everywhere.{platform}: the policy has no such platform")
        elif verdict.decision.value != decision:
            failed = ", ".join(r.rule for r in verdict.reasons) or "none"
            out.append(f"everywhere.{platform}: expected {decision}, got "
                       f"{verdict.decision.value} (failed: {failed})")
    return tuple(out)


def compare(expect: Expectation, verdict: Verdict, known_rules: frozenset[str]) -> tuple[str, ...]:
    """Every way the verdict differs from the expectation, as readable lines."""
    out: list[str] = []
    actual_decision = verdict.decision.value
    if actual_decision != expect.decision:
        out.append(f"decision: expected {expect.decision}, got {actual_decision}")
    failed = {r.rule for r in verdict.reasons}
    wanted = failed if expect.reasons is None else expect.reasons
    missing = sorted(wanted - failed)
    unexpected = sorted(failed - wanted)
    if missing or unexpected:
        out.append("reasons (- expected but did not fail, + failed but not expected):")
        checked = {c.rule: c.status for c in verdict.checks}
        for rule in missing:
            note = ""
            if rule not in known_rules:
                note = "  (no rule has this id)"
            elif rule not in checked:
                note = f"  (does not apply to {verdict.platform})"
            elif checked[rule] == "not_applicable":
                note = "  (not applicable to this complaint)"
            out.append(f"  - {rule}{note}")
        out += [f"  + {rule}" for rule in unexpected]
    if expect.due_given:
        out += _compare_due(expect.due, verdict)
    return tuple(out)


def _compare_due(expected: Mapping[str, Any] | None, verdict: Verdict) -> list[str]:
    actual = verdict.due
    if expected is None:
        if actual is None:
            return []
        return [f"due: expected none, got {actual.earliest} .. {actual.latest}"
                f"{' (provisional)' if actual.provisional else ''}"]
    if actual is None:
        shown = " .. ".join(str(expected[k]) for k in ("earliest", "latest") if k in expected)
        return [f"due: expected {shown or 'a window'}, got none"]
    out = []
    for key, want in expected.items():
        got = getattr(actual, key)
        if got != want:
            out.append(f"due.{key}: expected {_show(want)}, got {_show(got)}")
    return out


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return str(value)


def run_files(policy: Policy, paths: Sequence[Path]) -> Iterator[Outcome | CaseFileError]:
    """Run every case of every file, yielding each outcome, or the error of an unusable case or
    an unreadable file."""
    for path in paths:
        try:
            entries = load_entries(path)
        except CaseFileError as exc:
            yield exc
            continue
        for entry in entries:
            yield entry if isinstance(entry, CaseFileError) else run_case(policy, entry)


# --- coverage ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Gap:
    """A rule that no passing case shows failing, or passing, on one platform group."""

    rule: str
    group: str
    lacks: tuple[str, ...]  # "failing" and/or "passing"

    def __str__(self) -> str:
        return f"{self.rule} on {self.group}: no {' and no '.join(self.lacks)} case"


def coverage_gaps(policy: Policy, verdicts: Iterable[Verdict]) -> list[Gap]:
    """Rules lacking a case where they fail, or one where they are checked and pass, per group.

    Only verdicts of cases that matched their expectation should be given: a case that fails
    proves nothing about the rule it was meant to exercise.
    """
    seen: dict[tuple[str, str], set[str]] = {}
    for verdict in verdicts:
        group = policy.platforms[verdict.platform].group
        for check in verdict.checks:
            seen.setdefault((check.rule, group), set()).add(check.status)
    gaps = []
    for info in policy.catalog:
        groups = sorted({policy.platforms[p].group for p in info.platforms})
        for group in groups:
            statuses = seen.get((info.id, group), set())
            lacks = tuple(s for s, status in (("failing", "failed"), ("passing", "passed"))
                          if status not in statuses)
            if lacks:
                gaps.append(Gap(rule=info.id, group=group, lacks=lacks))
    return gaps
