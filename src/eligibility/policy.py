"""Loading a policy: read and check the rule, platform and jurisdiction files, then compile.

Everything that can be wrong with a policy is found here, at load, and reported as a PolicyError
naming the file and the rule; an evaluation only builds a fact, asserts it and reads the result.
A loaded Policy is immutable, carries the digest of the files it came from, and owns its own
durable_rules rulesets (named afresh, so several policies live side by side in one process).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from . import appeal, conditions, engine
from ._yaml import YAMLError, load_yaml
from .appeal import AppealDeadline
from .calendar import BusinessCalendar, CalendarRangeError
from .conditions import Condition, ConditionError
from .errors import InvalidComplaint, PolicyError, Problem
from .facts import Facts, PlatformProfile
from .facts import build as build_facts
from .jurisdictions import Jurisdictions, JurisdictionSpec
from .models import Complaint, DocumentType, PartyKind, Severity, Verdict, parse_aware_datetime
from .parallel import evaluate_in_processes
from .verdict import CompiledRule, assemble
from .vocabulary import BY_NAME

RULE_ID = r"^[a-z][a-z0-9]*(\.[a-z0-9]+(-[a-z0-9]+)*)+$"
PLATFORMS_FILE = "platforms.yaml"
META_FILE = "policy.yaml"


# --- file formats ------------------------------------------------------------------------------


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RuleSpec(_Spec):
    id: str
    title: str = Field(min_length=1)
    applies_to: list[str] = Field(min_length=1)
    severity: Severity
    when: Any
    applies_if: Any = None
    message: str = Field(min_length=1)
    remediation: str = Field(min_length=1)
    source: str = Field(min_length=1)
    report: list[str] = Field(default_factory=list)
    effective_from: date | None = None
    effective_until: date | None = None

    @field_validator("id")
    @classmethod
    def _stable_id(cls, value: str) -> str:
        if not re.fullmatch(RULE_ID, value):
            raise ValueError("a rule id is lower-case words joined by dots and hyphens, "
                             "e.g. right.not-in-force")
        return value


class RulesFile(_Spec):
    rules: list[Any] = Field(min_length=1)


class GroupSpec(_Spec):
    title: str
    identity_documents: dict[PartyKind, list[DocumentType]] = Field(default_factory=dict)
    identity_source: str | None = None


class ResponseSpec(_Spec):
    business_days: tuple[int, int]
    calendar: str


class PlatformSpec(_Spec):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9.-]*$")
    name: str
    group: str
    territory: str | None = None
    hosts: list[str] = Field(min_length=1)
    timezone: str
    response: ResponseSpec | None = None


class PlatformsFile(_Spec):
    groups: dict[str, GroupSpec] = Field(min_length=1)
    platforms: list[PlatformSpec] = Field(min_length=1)


class MetaFile(_Spec):
    name: str
    version: str = Field(min_length=1)


# --- the loaded policy -------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleInfo:
    """A rule as the catalog shows it."""

    id: str
    title: str
    severity: Severity
    platforms: tuple[str, ...]
    applies_to: tuple[str, ...]
    source: str
    file: str


@dataclass(frozen=True)
class _Program:
    profile: PlatformProfile
    rules: tuple[CompiledRule, ...]
    ruleset: engine.Ruleset


class Policy:
    """A loaded, compiled policy. Evaluate complaints with :meth:`evaluate`."""

    def __init__(self, *, version: str, digest: str, programs: Mapping[str, _Program],
                 catalog: tuple[RuleInfo, ...], jurisdictions: Jurisdictions,
                 calendars: Mapping[str, BusinessCalendar], groups: Mapping[str, GroupSpec],
                 platform_specs: Mapping[str, PlatformSpec], rules_dir: Path,
                 jurisdictions_dir: Path) -> None:
        self.version = version
        self.digest = digest
        self._programs = dict(programs)
        self.catalog = catalog
        self.jurisdictions = jurisdictions
        self.calendars = dict(calendars)
        self.groups = dict(groups)
        self.platforms = dict(platform_specs)
        self.rules_dir = rules_dir
        self.jurisdictions_dir = jurisdictions_dir
        self._context = {
            "platforms": frozenset(self._programs),
            "offices": frozenset(jurisdictions.offices),
        }

    def __repr__(self) -> str:
        return f"<Policy {self.version} {self.digest[:19]}… {len(self.catalog)} rules>"

    # -- evaluation --

    def parse(self, complaint: Complaint | Mapping[str, Any]) -> Complaint:
        """Validate a complaint against the model and this policy's codes."""
        if not isinstance(complaint, (Complaint, Mapping)):
            raise InvalidComplaint([Problem("", "a complaint is a mapping (JSON object), got "
                                                f"{type(complaint).__name__}")])
        try:
            return Complaint.model_validate(complaint, context=self._context)
        except ValidationError as exc:
            raise InvalidComplaint(problems_of(exc)) from None
        except RecursionError:
            raise InvalidComplaint([Problem("", "the complaint is nested too deeply")]) from None

    def evaluate(self, complaint: Complaint | Mapping[str, Any], *,
                 now: datetime | str | None = None) -> Verdict:
        """Judge one complaint. ``now`` stands in for a missing ``submitted_at``."""
        return self._conclude(*self._match(complaint, _coerce_now(now)))

    def _match(self, complaint: Complaint | Mapping[str, Any],
               now: datetime | str | None) -> tuple[_Program, Facts, frozenset[str]]:
        """Validation, the fact and the engine: all of an evaluation but the verdict."""
        parsed = self.parse(complaint)
        submitted = parsed.submitted_at or _now(now)
        program = self._programs[parsed.platform]
        try:
            facts = build_facts(parsed, program.profile, self.jurisdictions, submitted)
        except (CalendarRangeError, OverflowError) as exc:
            raise InvalidComplaint([Problem("submitted_at", f"cannot be judged: {exc}")]) from None
        return program, facts, program.ruleset.fire(facts.engine)

    def _conclude(self, program: _Program, facts: Facts, fired: frozenset[str]) -> Verdict:
        return assemble(program.rules, fired, facts, program.profile, self.version, self.digest)

    def evaluate_many(self, complaints: Iterable[Complaint | Mapping[str, Any]], *,
                      now: datetime | str | None = None, workers: int = 1) -> list[Verdict]:
        """Judge complaints in order; the first invalid one raises, naming its position.
        ``workers`` > 1 spreads a large batch over that many forked processes."""
        now = _coerce_now(now)
        if workers != 1 or type(workers) is not int:
            return evaluate_in_processes(self, complaints, now=now, workers=workers)
        out: list[Verdict] = []
        for index, complaint in enumerate(complaints):
            try:
                out.append(self.evaluate(complaint, now=now))
            except InvalidComplaint as exc:
                raise exc.within(str(index)) from None
        return out

    def iter_evaluate(self, complaints: Iterable[Complaint | Mapping[str, Any]], *,
                      now: datetime | str | None = None) -> Iterator[Verdict | InvalidComplaint]:
        """Judge complaints lazily, yielding a verdict or the InvalidComplaint for each."""
        now = _coerce_now(now)
        for complaint in complaints:
            try:
                yield self.evaluate(complaint, now=now)
            except InvalidComplaint as exc:
                yield exc

    # -- introspection --

    def complaint_schema(self) -> dict[str, Any]:
        """The JSON Schema of a complaint, with this policy's platforms and offices listed."""
        schema = Complaint.model_json_schema()
        props = schema.get("properties", {})
        if "platform" in props:
            props["platform"]["enum"] = sorted(self._programs)
        ip = schema.get("$defs", {}).get("IPRight", {}).get("properties", {})
        if "office" in ip:
            ip["office"] = {"anyOf": [{"enum": sorted(self.jurisdictions.offices)},
                                      {"type": "null"}], "default": None, "title": "Office"}
        return schema

    def rules_for(self, platform: str) -> tuple[CompiledRule, ...]:
        return self._programs[platform].rules

    def appeal_deadline(self, platform: str, forwarded_at: datetime | str) -> AppealDeadline:
        """The last day to act once a seller's counter-notice reaches the complainant, or why
        there is none; a bad platform or a naive time raises InvalidComplaint naming it."""
        if isinstance(platform, int) and not isinstance(platform, bool):
            platform = str(platform)  # an unquoted 1688 in YAML or JSON
        return appeal.deadline(platform, forwarded_at, platforms=self.platforms,
                               jurisdictions=self.jurisdictions, calendars=self.calendars)


def _coerce_now(now: datetime | str | None) -> datetime | None:
    """Check a caller's `now`: a timezone-aware datetime or an ISO 8601 string with an offset."""
    if now is None:
        return None
    if isinstance(now, str):
        try:
            parsed = parse_aware_datetime(now)
        except ValueError as exc:
            raise ValueError(f"now: {exc}") from None
        return parsed
    if not isinstance(now, datetime) or now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be a timezone-aware datetime")
    return now


def _now(now: datetime | str | None) -> datetime:
    return _coerce_now(now) or datetime.now(timezone.utc)


def problems_of(exc: ValidationError) -> list[Problem]:
    problems = []
    for err in exc.errors(include_url=False):
        path = ".".join(str(part) for part in err["loc"])
        message = err["msg"]
        if err["type"] == "extra_forbidden":
            message = "unknown field"
        elif message.startswith("Value error, "):
            message = message[len("Value error, "):]
        problems.append(Problem(path, message))
    return problems


# --- loading -----------------------------------------------------------------------------------


def packaged_dirs() -> tuple[Path, Path]:
    """The policy shipped with the library: inside the wheel, or at the top of a checkout."""
    here = Path(__file__).resolve().parent
    for root in (here / "_policy", here.parents[1]):
        rules, juris = root / "rules", root / "jurisdictions"
        if (rules / PLATFORMS_FILE).is_file() and juris.is_dir():
            return rules, juris
    raise PolicyError(str(here), "the packaged policy (rules/ and jurisdictions/) is missing")


def load_policy(rules_dir: str | Path | None = None,
                jurisdictions_dir: str | Path | None = None) -> Policy:
    """Load and compile a policy; the packaged one when no folder is given."""
    default_rules, default_juris = packaged_dirs() if (rules_dir is None or
                                                       jurisdictions_dir is None) else (None, None)
    rules_path = Path(rules_dir) if rules_dir is not None else default_rules
    juris_path = Path(jurisdictions_dir) if jurisdictions_dir is not None else default_juris
    assert rules_path is not None
    assert juris_path is not None
    return _Loader(rules_path, juris_path).load()


class _Loader:
    def __init__(self, rules_dir: Path, jurisdictions_dir: Path) -> None:
        self.rules_dir = rules_dir
        self.jurisdictions_dir = jurisdictions_dir
        self.digest = hashlib.sha256()

    def load(self) -> Policy:
        for folder in (self.rules_dir, self.jurisdictions_dir):
            if not folder.is_dir():
                raise PolicyError(str(folder), "not a folder")
        jurisdictions = self._jurisdictions()
        calendars = self._calendars(jurisdictions)
        rule_files = self._files(self.rules_dir, "rules")
        meta = self._meta(rule_files.pop(META_FILE, None))
        platforms_raw = rule_files.pop(PLATFORMS_FILE, None)
        if platforms_raw is None:
            raise PolicyError(str(self.rules_dir / PLATFORMS_FILE), "missing")
        platforms = self._platforms(platforms_raw, jurisdictions, calendars)
        groups = platforms.groups
        value_sets = {
            "platforms": frozenset(p.id for p in platforms.platforms),
            "groups": frozenset(groups),
            "offices": frozenset(jurisdictions.offices),
            "jurisdictions": frozenset(jurisdictions.by_code),
        }
        rules = self._rules(rule_files, value_sets)
        programs, catalog = self._compile(rules, platforms, jurisdictions, calendars)
        return Policy(version=meta.version, digest="sha256:" + self.digest.hexdigest(),
                      programs=programs, catalog=catalog, jurisdictions=jurisdictions,
                      calendars=calendars, groups=groups,
                      platform_specs={p.id: p for p in platforms.platforms},
                      rules_dir=self.rules_dir, jurisdictions_dir=self.jurisdictions_dir)

    # -- files --

    def _files(self, folder: Path, label: str) -> dict[str, tuple[Path, Any]]:
        out: dict[str, tuple[Path, Any]] = {}
        paths = sorted(folder.glob("*.yaml"))
        strays = sorted(p.name for p in folder.glob("*.yml"))
        if strays:  # would otherwise be skipped silently, and left out of the digest
            raise PolicyError(str(folder / strays[0]), "policy files are named *.yaml; rename it")
        if not paths:
            raise PolicyError(str(folder), f"no {label} files (*.yaml)")
        for path in paths:
            data = path.read_bytes()
            self.digest.update(f"{label}/{path.name}\0{len(data)}\0".encode())
            self.digest.update(data)
            try:
                out[path.name] = (path, load_yaml(data.decode("utf-8")))
            except UnicodeDecodeError as exc:
                raise PolicyError(str(path), f"not UTF-8 text: {exc}") from None
            except YAMLError as exc:
                raise PolicyError(str(path), f"not valid YAML: {exc}") from None
        return out

    def _meta(self, entry: tuple[Path, Any] | None) -> MetaFile:
        if entry is None:
            raise PolicyError(str(self.rules_dir / META_FILE), "missing")
        path, raw = entry
        meta: MetaFile = _validate(MetaFile, raw, path)
        return meta

    def _jurisdictions(self) -> Jurisdictions:
        specs: list[JurisdictionSpec] = []
        seen_codes: dict[str, Path] = {}
        seen_offices: dict[str, Path] = {}
        for path, raw in self._files(self.jurisdictions_dir, "jurisdictions").values():
            spec = _validate(JurisdictionSpec, raw, path)
            if spec.code in seen_codes:
                raise PolicyError(str(path), f"jurisdiction {spec.code} is also defined in "
                                             f"{seen_codes[spec.code].name}")
            seen_codes[spec.code] = path
            for office in spec.offices:
                if office.code in seen_offices:
                    raise PolicyError(str(path), f"office {office.code} is also defined in "
                                                 f"{seen_offices[office.code].name}")
                seen_offices[office.code] = path
                if not office.covers and not office.covers_designations:
                    raise PolicyError(str(path), f"office {office.code} covers no territory")
            for term in spec.terms:
                if term.patent_kind and term.right != "patent":
                    raise PolicyError(str(path), f"term for {term.right} names a patent kind")
                if term.filed_from and term.filed_until and term.filed_from > term.filed_until:
                    raise PolicyError(str(path), "term filed_from is after filed_until")
            specs.append(spec)
        return Jurisdictions(specs)

    def _calendars(self, jurisdictions: Jurisdictions) -> dict[str, BusinessCalendar]:
        calendars = {}
        for code, spec in jurisdictions.calendars().items():
            # The time zone, the holidays code and the checkpoints were checked when the file
            # was read (calendar.check_spec), so building cannot fail here.
            calendars[code] = BusinessCalendar(code, spec)
        return calendars

    def _platforms(self, entry: tuple[Path, Any], jurisdictions: Jurisdictions,
                   calendars: Mapping[str, BusinessCalendar]) -> PlatformsFile:
        path, raw = entry
        spec: PlatformsFile = _validate(PlatformsFile, raw, path)
        known_territories = jurisdictions.known_territories
        seen: set[str] = set()
        for p in spec.platforms:
            where = f"platform {p.id}"
            if p.id in seen:
                raise PolicyError(str(path), f"{where}: defined twice")
            if p.id in spec.groups:
                raise PolicyError(str(path), f"{where}: the id is also a group name")
            seen.add(p.id)
            if p.group not in spec.groups:
                raise PolicyError(str(path), f"{where}: unknown group {p.group!r}")
            if p.territory is not None and p.territory not in known_territories:
                raise PolicyError(str(path), f"{where}: unknown territory {p.territory!r}")
            for host in p.hosts:
                if host != host.lower() or not host or "/" in host or host.startswith("."):
                    raise PolicyError(str(path), f"{where}: host {host!r} is not a lower-case "
                                                 "domain name")
            try:
                ZoneInfo(p.timezone)
            except (ZoneInfoNotFoundError, ValueError):
                raise PolicyError(str(path), f"{where}: unknown time zone {p.timezone!r}") from None
            if p.response is not None:
                first, last = p.response.business_days
                if not 1 <= first <= last <= 60:
                    raise PolicyError(str(path), f"{where}: business_days must be 1 <= first <= "
                                                 "last <= 60")
                if p.response.calendar not in calendars:
                    raise PolicyError(str(path), f"{where}: no calendar {p.response.calendar!r} "
                                                 "in the jurisdictions")
        return spec

    def _rules(self, files: Mapping[str, tuple[Path, Any]],
               value_sets: Mapping[str, frozenset[str]]) -> list[CompiledRule]:
        rules: list[CompiledRule] = []
        where_defined: dict[str, Path] = {}
        targets = value_sets["platforms"] | value_sets["groups"]
        for path, raw in files.values():
            body = _validate(RulesFile, raw, path)
            for index, item in enumerate(body.rules):
                rule_id = item.get("id") if isinstance(item, Mapping) else None
                label = rule_id if isinstance(rule_id, str) else f"#{index + 1}"
                spec = _validate(RuleSpec, item, path, rule=label)
                if spec.id in where_defined:
                    raise PolicyError(str(path), f"duplicate id, also defined in "
                                                 f"{where_defined[spec.id].name}", rule=spec.id)
                where_defined[spec.id] = path
                unknown = [t for t in spec.applies_to if t not in targets]
                if unknown:
                    raise PolicyError(str(path), f"applies_to names unknown platform or group "
                                                 f"{', '.join(unknown)}", rule=spec.id)
                if (spec.effective_from and spec.effective_until
                        and spec.effective_from > spec.effective_until):
                    raise PolicyError(str(path), "effective_from is after effective_until",
                                      rule=spec.id)
                for name in spec.report:
                    if name not in BY_NAME:
                        raise PolicyError(str(path), f"report: unknown field {name!r}",
                                          rule=spec.id)
                try:
                    when = conditions.parse(spec.when, value_sets, "when")
                    applies_if = (conditions.parse(spec.applies_if, value_sets, "applies_if")
                                  if spec.applies_if is not None else None)
                except ConditionError as exc:
                    raise PolicyError(str(path), str(exc), rule=spec.id) from None
                # A reason quotes what made the rule fail; a precondition's fields only when
                # the rule lists them under `report`.
                shown = [f.name for f in conditions.fields_of(when)] + spec.report
                rules.append(CompiledRule(
                    id=spec.id, title=spec.title, severity=spec.severity,
                    applies_to=tuple(spec.applies_to), message=" ".join(spec.message.split()),
                    remediation=" ".join(spec.remediation.split()), source=spec.source.strip(),
                    fact_fields=tuple(dict.fromkeys(shown)), file=path.name,
                    when=when, applies_if=_with_dates(applies_if, spec),
                ))
        if not rules:
            raise PolicyError(str(self.rules_dir), "the policy has no rules")
        return rules

    def _compile(self, rules: list[CompiledRule], platforms: PlatformsFile,
                 jurisdictions: Jurisdictions, calendars: Mapping[str, BusinessCalendar],
                 ) -> tuple[dict[str, _Program], tuple[RuleInfo, ...]]:
        programs: dict[str, _Program] = {}
        by_rule_platforms: dict[str, list[str]] = {r.id: [] for r in rules}
        for p in platforms.platforms:
            group = platforms.groups[p.group]
            mine = tuple(r for r in rules if p.id in r.applies_to or p.group in r.applies_to)
            patterns: dict[str, Any] = {}
            numbered: list[CompiledRule] = []
            # Rules sharing a precondition (the agent rules) share its patterns: one action
            # fewer per rule in every evaluation where it holds.
            preconditions: dict[str, int] = {}
            for index, rule in enumerate(mine):
                by_rule_platforms[rule.id].append(p.id)
                applicability = -1
                try:
                    fail = rule.when if rule.applies_if is None else conditions.All(
                        (rule.applies_if, rule.when))
                    for n, conj in enumerate(conditions.to_dnf(fail)):
                        patterns[f"f{index}_{n}"] = conditions.to_durable(conj)
                    if rule.applies_if is not None:
                        alternatives = [conditions.to_durable(conj)
                                        for conj in conditions.to_dnf(rule.applies_if)]
                        key = json.dumps(alternatives, sort_keys=True)
                        applicability = preconditions.setdefault(key, len(preconditions))
                        for n, pattern in enumerate(alternatives):
                            patterns[f"a{applicability}_{n}"] = pattern
                except ConditionError as exc:
                    raise PolicyError(rule.file, str(exc), rule=rule.id) from None
                numbered.append(rule.numbered(index, applicability))
            try:
                ruleset = engine.build(patterns, label=p.id.replace(".", "_").replace("-", "_"))
            except engine.CompileError as exc:
                raise PolicyError(str(self.rules_dir), f"platform {p.id}: {exc}") from None
            profile = PlatformProfile(
                id=p.id, group=p.group, territory=p.territory, hosts=tuple(p.hosts),
                timezone=ZoneInfo(p.timezone),
                accepted_documents={k: frozenset(v) for k, v in group.identity_documents.items()},
                business_days=p.response.business_days if p.response else None,
                calendar=calendars[p.response.calendar] if p.response else None,
            )
            programs[p.id] = _Program(profile=profile, rules=tuple(numbered), ruleset=ruleset)
        catalog = tuple(
            RuleInfo(id=r.id, title=r.title, severity=r.severity,
                     platforms=tuple(by_rule_platforms[r.id]), applies_to=r.applies_to,
                     source=r.source, file=r.file)
            for r in rules
        )
        return programs, catalog


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


def _validate(model: type[Any], raw: Any, path: Path, rule: str | None = None) -> Any:
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        loc = ".".join(str(p) for p in err["loc"])
        message = "unknown key" if err["type"] == "extra_forbidden" else err["msg"]
        message = message.removeprefix("Value error, ")
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise PolicyError(str(path), f"{loc or 'file'}: {message}{more}", rule=rule) from None


