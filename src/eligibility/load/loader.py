"""Policy folders -> checked specs -> a compiled policy, with every problem collected.

Loading runs named stages: read the files, check the jurisdictions, build their calendars, check
the policy's metadata, its platforms, its rules, and compile. Each stage records every problem it
finds as a PolicyError naming the file and the rule, and goes on; a stage whose input is unsound
is skipped, so one mistake is not reported again as a cascade of others. ``load_policy`` raises the
first problem (a service starting up needs no more); ``eligibility lint`` shows them all, so that
someone editing twenty rules meets every mistake in one run.
"""

from __future__ import annotations

import hashlib
import re
import string
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ValidationError

from ..errors import PolicyError, listed
from ..judge.program import Judge
from ..judge.records import INTERFACE_FIELDS, Language, PlatformInfo, RuleInfo, RuleTexts
from ..judge.vocabulary import BY_NAME
from ..jurisdiction.calendar import BusinessCalendar
from ..jurisdiction.jurisdictions import Jurisdictions, JurisdictionSpec
from ..models import DEFAULT_CHANNEL, PROBLEM_CODES, PolicyRef, built
from .compiler import CheckedRule, check_conditions, compile_policy, source_texts
from .conditions import Condition, ConditionError
from .conditions import parse as parse_condition
from .specs import (
    LANGUAGE_FOLDER,
    META_FILE,
    PLATFORMS_FILE,
    LanguageFile,
    MetaFile,
    PlatformsFile,
    RulesFile,
    RuleSpec,
)
from .yaml import YAMLError, load_yaml

T = TypeVar("T")
Files = dict[str, tuple[Path, Any]]  # file name -> (path, parsed YAML)
# A lower-case domain name: dot-separated labels of letters, digits and inner hyphens.
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_DOMAIN = re.compile(rf"(?:{_LABEL}\.)*{_LABEL}")


@dataclass(frozen=True)
class Loaded:
    """Everything the facade needs of a loaded, compiled policy."""

    version: str
    digest: str
    judge: Judge
    catalog: tuple[RuleInfo, ...]
    platforms: dict[str, PlatformInfo]
    groups: dict[str, str]  # group id -> title
    jurisdictions: Jurisdictions
    calendars: dict[str, BusinessCalendar]
    languages: dict[str, Language]  # in the order policy.yaml declares them, the source first
    rules_dir: Path
    jurisdictions_dir: Path
    # Per language, the interface texts the policy's files leave out and the packaged policy
    # lends (none for the packaged policy itself); `eligibility lint` lists them.
    borrowed: dict[str, tuple[str, ...]]


def packaged_dirs() -> tuple[Path, Path]:
    """The policy shipped with the library: inside the wheel, or at the top of a checkout."""
    here = Path(__file__).resolve().parents[1]
    for root in (here / "_policy", here.parents[1]):
        rules, juris = root / "rules", root / "jurisdictions"
        if (rules / PLATFORMS_FILE).is_file() and juris.is_dir():
            return rules, juris
    raise PolicyError(str(here), "the packaged policy (rules/ and jurisdictions/) is missing")


def resolve_dirs(rules_dir: str | Path | None,
                 jurisdictions_dir: str | Path | None) -> tuple[Path, Path]:
    """The folders to load: those given, the packaged ones for the others."""
    if rules_dir is None or jurisdictions_dir is None:
        default_rules, default_juris = packaged_dirs()
        rules_dir = default_rules if rules_dir is None else rules_dir
        jurisdictions_dir = default_juris if jurisdictions_dir is None else jurisdictions_dir
    return Path(rules_dir), Path(jurisdictions_dir)


def load(rules_dir: str | Path | None = None,
         jurisdictions_dir: str | Path | None = None) -> Loaded:
    """Load and compile a policy; the first problem found is raised."""
    checked = check(rules_dir, jurisdictions_dir)
    if checked.loaded is None:
        raise checked.problems[0]
    return checked.loaded


@dataclass(frozen=True)
class Checked:
    """Every problem found, or the loaded policy when there is none."""

    problems: tuple[PolicyError, ...]
    loaded: Loaded | None


def check(rules_dir: str | Path | None = None,
          jurisdictions_dir: str | Path | None = None) -> Checked:
    """Run every stage on a policy's folders (the packaged ones where not given)."""
    rules, juris = resolve_dirs(rules_dir, jurisdictions_dir)
    loader = _Loader(rules, juris)
    loaded = loader.run()
    return Checked(tuple(loader.problems), loaded if not loader.problems else None)


class _Loader:
    def __init__(self, rules_dir: Path, jurisdictions_dir: Path) -> None:
        self.rules_dir = rules_dir
        self.jurisdictions_dir = jurisdictions_dir
        self.digest = hashlib.sha256()
        self.problems: list[PolicyError] = []
        self.borrowed: dict[str, tuple[str, ...]] = {}

    def run(self) -> Loaded | None:
        missing = [d for d in (self.rules_dir, self.jurisdictions_dir) if not d.is_dir()]
        if missing:
            self.problems += [PolicyError(str(d), "not a folder") for d in missing]
            return None
        juris_files = self.files(self.jurisdictions_dir, "jurisdictions")
        jurisdictions = self.jurisdictions(juris_files)
        calendars = ({code: BusinessCalendar(code, spec)
                      for code, spec in jurisdictions.calendars().items()}
                     if jurisdictions is not None else None)
        rule_files = self.files(self.rules_dir, "rules")
        meta = self.meta(rule_files.pop(META_FILE, None))
        platforms_entry = rule_files.pop(PLATFORMS_FILE, None)
        if platforms_entry is None:
            self.problems.append(PolicyError(str(self.rules_dir / PLATFORMS_FILE), "missing"))
        if platforms_entry is None or jurisdictions is None or calendars is None:
            return None
        platforms = self.platforms(platforms_entry, jurisdictions, calendars)
        if platforms is None:
            return None
        rules = self.rules(rule_files, platforms, jurisdictions)
        if self.problems or meta is None:
            return None
        languages = self.languages(meta, platforms, rules)
        if languages is None:
            return None
        try:
            compiled = compile_policy(rules, platforms, calendars, str(self.rules_dir),
                                      languages)
        except PolicyError as exc:
            self.problems.append(exc)
            return None
        digest = "sha256:" + self.digest.hexdigest()
        context = {"platforms": frozenset(compiled.programs),
                   "offices": frozenset(jurisdictions.offices),
                   "document_types": platforms.document_types(),
                   "channels": {p.id: frozenset(platforms.groups[p.group].channels)
                                for p in platforms.platforms}}
        ref = built(PolicyRef, {"version": meta.version, "digest": digest})
        return Loaded(
            version=meta.version, digest=digest,
            judge=Judge(compiled.programs, jurisdictions, ref, context, tuple(languages)),
            catalog=compiled.catalog, platforms=compiled.platforms,
            groups={gid: g.title for gid, g in platforms.groups.items()},
            jurisdictions=jurisdictions, calendars=calendars, languages=languages,
            rules_dir=self.rules_dir, jurisdictions_dir=self.jurisdictions_dir,
            borrowed=self.borrowed)

    # -- stages --

    def files(self, folder: Path, label: str) -> Files:
        """Every *.yaml file of a folder, parsed; each one that cannot be is a problem."""
        out: Files = {}
        paths = sorted(folder.glob("*.yaml"))
        for stray in sorted(folder.glob("*.yml")):
            # It would otherwise be skipped silently, and left out of the digest.
            self.problems.append(PolicyError(str(stray),
                                             "policy files are named *.yaml; rename it"))
        if not paths:
            self.problems.append(PolicyError(str(folder), f"no {label} files (*.yaml)"))
        for path in paths:
            try:
                data = path.read_bytes()
            except OSError as exc:
                self.problems.append(PolicyError(str(path), "cannot be read: "
                                                            f"{exc.strerror or exc}"))
                continue
            self.digest.update(f"{label}/{path.name}\0{len(data)}\0".encode())
            self.digest.update(data)
            try:
                out[path.name] = (path, load_yaml(data.decode("utf-8")))
            except UnicodeDecodeError as exc:
                self.problems.append(PolicyError(str(path), f"not UTF-8 text: {exc}"))
            except YAMLError as exc:
                self.problems.append(PolicyError(str(path), f"not valid YAML: {exc}"))
        return out

    def jurisdictions(self, files: Files) -> Jurisdictions | None:
        before = len(self.problems)
        specs: list[tuple[Path, JurisdictionSpec]] = []
        for path, raw in files.values():
            spec = self.attempt(_validate, JurisdictionSpec, raw, path)
            if spec is not None:
                specs.append((path, spec))
        if len(self.problems) > before:
            return None
        seen_codes: dict[str, Path] = {}
        seen_offices: dict[str, Path] = {}
        for path, spec in specs:
            if spec.code in seen_codes:
                self.problem(path, f"jurisdiction {spec.code} is also defined in "
                                   f"{seen_codes[spec.code].name}")
            seen_codes[spec.code] = path
            for office in spec.offices:
                if office.code in seen_offices:
                    self.problem(path, f"office {office.code} is also defined in "
                                       f"{seen_offices[office.code].name}")
                seen_offices[office.code] = path
                if not office.covers and not office.covers_designations:
                    self.problem(path, f"office {office.code} covers no territory")
            for term in spec.terms:
                if term.patent_kind and term.right != "patent":
                    self.problem(path, f"term for {term.right} names a patent kind")
                if term.filed_from and term.filed_until and term.filed_from > term.filed_until:
                    self.problem(path, "term filed_from is after filed_until")
        if len(self.problems) > before:
            return None
        return Jurisdictions(spec for _, spec in specs)

    def meta(self, entry: tuple[Path, Any] | None) -> MetaFile | None:
        if entry is None:
            self.problems.append(PolicyError(str(self.rules_dir / META_FILE), "missing"))
            return None
        path, raw = entry
        meta: MetaFile | None = self.attempt(_validate, MetaFile, raw, path)
        return meta

    def platforms(self, entry: tuple[Path, Any], jurisdictions: Jurisdictions,
                  calendars: Mapping[str, BusinessCalendar]) -> PlatformsFile | None:
        path, raw = entry
        spec: PlatformsFile | None = self.attempt(_validate, PlatformsFile, raw, path)
        if spec is None:
            return None
        before = len(self.problems)
        known_territories = jurisdictions.known_territories
        seen: set[str] = set()
        for p in spec.platforms:
            def fail(problem: str, where: str = f"platform {p.id}") -> None:
                self.problem(path, f"{where}: {problem}")

            if p.id in seen:
                fail("defined twice")
            if p.id in spec.groups:
                fail("the id is also a group name")
            seen.add(p.id)
            if p.group not in spec.groups:
                fail(f"unknown group {p.group!r}")
            if p.territory is not None and p.territory not in known_territories:
                fail(f"unknown territory {p.territory!r}")
            for key, domains in (("listing_domains", p.listing_domains),
                                 ("short_link_domains", p.short_link_domains)):
                for host in domains:
                    if not _DOMAIN.fullmatch(host):
                        fail(f"{key}: {host!r} is not a lower-case domain name")
                if len(set(domains)) != len(domains):
                    fail(f"{key}: a domain is listed twice")
            try:
                ZoneInfo(p.timezone)
            except (ZoneInfoNotFoundError, ValueError):
                fail(f"unknown time zone {p.timezone!r}")
            if p.response is not None:
                first, last = p.response.business_days
                if not 1 <= first <= last <= 60:
                    fail("business_days must be 1 <= first <= last <= 60")
                if p.response.calendar not in calendars:
                    fail(f"no calendar {p.response.calendar!r} in the jurisdictions")
        self.channels(path, spec)
        return spec if len(self.problems) == before else None

    def channels(self, path: Path, spec: PlatformsFile) -> None:
        """Every group takes the channel a complaint gets when it names none."""
        for gid, group in spec.groups.items():
            if DEFAULT_CHANNEL not in group.channels:
                self.problem(path, f"group {gid}: channels must include {DEFAULT_CHANNEL}, the "
                                   "channel of a complaint that names none")

    def rules(self, files: Files, platforms: PlatformsFile,
              jurisdictions: Jurisdictions) -> list[CheckedRule]:
        value_sets = {
            "platforms": frozenset(p.id for p in platforms.platforms),
            "groups": frozenset(platforms.groups),
            "offices": frozenset(jurisdictions.offices),
            "jurisdictions": frozenset(jurisdictions.by_code),
        }
        targets = value_sets["platforms"] | value_sets["groups"]
        rules: list[CheckedRule] = []
        where_defined: dict[str, Path] = {}
        bodies = [(path, body) for path, raw in files.values()
                  if (body := self.attempt(_validate, RulesFile, raw, path)) is not None]
        named = self.named_conditions(bodies, value_sets)
        for path, body in bodies:
            for index, item in enumerate(body.rules):
                rule_id = item.get("id") if isinstance(item, Mapping) else None
                label = rule_id if isinstance(rule_id, str) else f"#{index + 1}"
                spec: RuleSpec | None = self.attempt(_validate, RuleSpec, item, path, label)
                if spec is None:
                    continue
                if spec.id in where_defined:
                    self.problem(path, f"duplicate id, also defined in "
                                       f"{where_defined[spec.id].name}", spec.id)
                    continue
                where_defined[spec.id] = path
                checked = self.rule(path, spec, targets, value_sets, named)
                if checked is not None:
                    rules.append(checked)
        if not where_defined and not self.problems:
            self.problem(self.rules_dir, "the policy has no rules")
        return rules

    def named_conditions(self, bodies: list[tuple[Path, RulesFile]],
                         value_sets: Mapping[str, frozenset[str]]) -> dict[str, Condition]:
        """Every file's named conditions, parsed; each may use those defined before it."""
        named: dict[str, Condition] = {}
        where_named: dict[str, Path] = {}
        for path, body in bodies:
            for name, raw in body.conditions.items():
                if name in where_named:
                    self.problem(path, f"conditions.{name}: also defined in "
                                       f"{where_named[name].name}")
                    continue
                where_named[name] = path
                try:
                    named[name] = parse_condition(raw, value_sets, f"conditions.{name}", named)
                except ConditionError as exc:
                    self.problem(path, str(exc))
        return named

    def rule(self, path: Path, spec: RuleSpec, targets: frozenset[str],
             value_sets: Mapping[str, frozenset[str]],
             named: Mapping[str, Condition]) -> CheckedRule | None:
        unknown = [t for t in spec.applies_to if t not in targets]
        if unknown:
            self.problem(path, f"applies_to names unknown platform or group "
                               f"{', '.join(unknown)}", spec.id)
            return None
        if spec.effective_from and spec.effective_until and (
                spec.effective_from > spec.effective_until):
            self.problem(path, "effective_from is after effective_until", spec.id)
            return None
        for name in spec.report:
            if name not in BY_NAME:
                self.problem(path, f"report: unknown field {name!r}", spec.id)
                return None
        try:
            return check_conditions(spec, path.name, value_sets, named)
        except ConditionError as exc:
            self.problem(path, str(exc), spec.id)
            return None

    def languages(self, meta: MetaFile, platforms: PlatformsFile,
                  rules: list[CheckedRule]) -> dict[str, Language] | None:
        """Every declared language, complete: the source language's texts are the rule files'
        own, every other one must translate each rule, platform and group, and all must give
        the same interface texts with the same placeholders."""
        folder = self.rules_dir / LANGUAGE_FOLDER
        platform_names = {p.id: p.name for p in platforms.platforms}
        group_titles = {gid: g.title for gid, g in platforms.groups.items()}
        rule_texts = {r.spec.id: source_texts(r.spec) for r in rules}
        if not folder.is_dir():
            if "languages" in meta.model_fields_set:
                self.problem(folder, "missing: each language of policy.yaml's `languages` "
                                     f"needs its file here ({', '.join(meta.languages)})")
                return None
            # A policy written before languages were (v1): its rule files are its only words,
            # and the faces word their part as the packaged policy does.
            code = meta.languages[0]
            interface = self.completed(folder, code, {}, None)
            if interface is None:
                return None
            return {code: Language(code=code, name=_packaged_name(code), platforms=platform_names,
                                   groups=group_titles, rules=rule_texts, interface=interface)}
        before = len(self.problems)
        files = self.files(folder, LANGUAGE_FOLDER)
        declared = list(dict.fromkeys(meta.languages))
        for path, _ in files.values():
            if path.stem not in declared:
                self.problem(path, f"language {path.stem} is not among policy.yaml's languages "
                                   f"({', '.join(declared)}); declare it or remove the file")
        specs: dict[str, tuple[Path, LanguageFile]] = {}
        for code in declared:
            entry = files.get(f"{code}.yaml")
            if entry is None:
                self.problem(folder / f"{code}.yaml", f"missing: policy.yaml declares the "
                                                      f"language {code}")
                continue
            path, raw = entry
            spec = self.attempt(_validate, LanguageFile, raw, path)
            if spec is None:
                continue
            if spec.language != code:
                self.problem(path, f"language: {spec.language!r}, but the file is named for "
                                   f"{code!r}")
            specs[code] = (path, spec)
        if len(self.problems) > before:
            return None
        source_code = declared[0]
        source_path, source = specs[source_code]
        for section in ("platforms", "groups", "rules", "problems"):
            if getattr(source, section):
                self.problem(source_path, f"{section}: {source_code} is the language the rule "
                                          "files are written in; its texts are theirs")
        self.fields_filled(source_path, source.interface)
        source_interface = self.completed(source_path, source_code, source.interface, None)
        if source_interface is None:
            return None
        out: dict[str, Language] = {source_code: Language(
            code=source_code, name=source.name, platforms=platform_names, groups=group_titles,
            rules=rule_texts, interface=source_interface)}
        wanted: dict[str, Mapping[str, object]] = {
            "platforms": platform_names, "groups": group_titles, "rules": rule_texts}
        for code, (path, spec) in specs.items():
            if code == source_code:
                continue
            for section, expected in wanted.items():
                self.covers(path, section, code, expected, getattr(spec, section),
                            "not in the policy")
            self.interface_matches(path, code, spec.interface, source.interface)
            self.problems_worded(path, code, spec.problems)
            interface = self.completed(path, code, spec.interface, source_interface)
            if interface is None:
                continue
            out[code] = Language(
                code=code, name=spec.name, platforms=dict(spec.platforms),
                groups=dict(spec.groups),
                rules={rid: RuleTexts(t.title, t.message, t.remediation)
                       for rid, t in spec.rules.items()},
                interface=interface, problems=dict(spec.problems))
        return out if len(self.problems) == before else None

    def fields_filled(self, path: Path, given: Mapping[str, str]) -> None:
        """The source language's interface texts are texts a face uses (a misspelt key would
        otherwise go unnoticed, its text replaced by the packaged one) and name only the
        placeholders their face fills in (a translation must then name the same ones)."""
        unknown = [key for key in given if key not in INTERFACE_FIELDS]
        if unknown:
            self.problem(path, f"interface: {listed(unknown)} "
                               f"{'is' if len(unknown) == 1 else 'are'} not a text any face uses")
        for key in given.keys() & INTERFACE_FIELDS.keys():
            extra = _placeholders(given[key]) - INTERFACE_FIELDS[key]
            if extra:
                self.problem(path, f"interface: {key} may use only the placeholders "
                                   f"{sorted(INTERFACE_FIELDS[key])}, not {sorted(extra)}")

    def completed(self, path: Path, code: str, given: Mapping[str, str],
                  source: Mapping[str, str] | None) -> dict[str, str] | None:
        """A language's interface texts with every one the faces use: those the file gives,
        then the packaged policy's in the same language, then (for a translation) the source
        language's, or for the source language the packaged source language's. A policy written
        for an earlier release of the faces thus keeps working when they gain a text."""
        texts = dict(given)
        missing = [key for key in INTERFACE_FIELDS if key not in texts]
        if not missing:
            return texts
        packaged = _packaged_interfaces()
        fallbacks = [packaged.get(code, {}),
                     source if source is not None else packaged.get(_packaged_source(), {})]
        for key in missing:
            found = next((other[key] for other in fallbacks if key in other), None)
            if found is not None:
                texts[key] = found
        self.borrowed[code] = tuple(key for key in missing if key in texts)
        unfilled = [key for key in INTERFACE_FIELDS if key not in texts]
        if unfilled:
            self.problem(path, f"interface: no {code} text for {listed(unfilled)}, and the "
                               "packaged policy has none to lend")
            return None
        return texts

    def problems_worded(self, path: Path, code: str, given: Mapping[str, str]) -> None:
        """Every kind of input problem worded, with only the values the validator gives."""
        self.covers(path, "problems", code, PROBLEM_CODES, given, "not a kind of problem")
        for key in given.keys() & PROBLEM_CODES.keys():
            extra = _placeholders(given[key]) - set(PROBLEM_CODES[key])
            if extra:
                self.problem(path, f"problems: {key} may use only the placeholders "
                                   f"{sorted(PROBLEM_CODES[key])}, not {sorted(extra)}")

    def interface_matches(self, path: Path, code: str, given: Mapping[str, str],
                          source: Mapping[str, str]) -> None:
        self.covers(path, "interface", code, source, given, "not in the source language")
        for key in source.keys() & given.keys():
            if _placeholders(given[key]) != _placeholders(source[key]):
                self.problem(path, f"interface: {key} must use the placeholders "
                                   f"{sorted(_placeholders(source[key]))}")

    def covers(self, path: Path, section: str, code: str, expected: Iterable[str],
               given: Iterable[str], stranger: str) -> None:
        """A section of a language file has a text for every key expected, and no other."""
        wanted, present = list(expected), list(given)
        missing = [key for key in wanted if key not in present]
        unknown = [key for key in present if key not in wanted]
        if missing:
            self.problem(path, f"{section}: no {code} text for {listed(missing)}")
        if unknown:
            self.problem(path, f"{section}: {listed(unknown)} "
                               f"{'is' if len(unknown) == 1 else 'are'} {stranger}")

    # -- recording problems --

    def problem(self, path: Path, problem: str, rule: str | None = None) -> None:
        self.problems.append(PolicyError(str(path), problem, rule=rule))

    def attempt(self, check: Callable[..., T], *args: Any) -> T | None:
        try:
            return check(*args)
        except PolicyError as exc:
            self.problems.append(exc)
            return None


_PACKAGED: list[tuple[str, dict[str, LanguageFile]]] = []  # read once, when first needed


def _packaged_languages() -> tuple[str, dict[str, LanguageFile]]:
    """The packaged policy's source language and language files; empty when they cannot be
    read (then a policy must give every interface text itself, and the next load tries again)."""
    if not _PACKAGED:
        try:
            rules = packaged_dirs()[0]
            meta = MetaFile.model_validate(load_yaml((rules / META_FILE).read_text("utf-8")))
            files = {code: LanguageFile.model_validate(load_yaml(
                         (rules / LANGUAGE_FOLDER / f"{code}.yaml").read_text("utf-8")))
                     for code in meta.languages}
        except (OSError, ValueError, YAMLError, PolicyError):
            return "", {}
        _PACKAGED.append((meta.languages[0], files))
    return _PACKAGED[0]


def _packaged_source() -> str:
    return _packaged_languages()[0]


def _packaged_interfaces() -> dict[str, Mapping[str, str]]:
    return {code: spec.interface for code, spec in _packaged_languages()[1].items()}


def _packaged_name(code: str) -> str:
    """A language's name as the packaged policy gives it, else its code."""
    spec = _packaged_languages()[1].get(code)
    return spec.name if spec is not None else code


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def _validate(model: type[T], raw: Any, path: Path, rule: str | None = None) -> T:
    try:
        result: T = model.model_validate(raw)  # type: ignore[attr-defined]
        return result
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        loc = ".".join(str(p) for p in err["loc"])
        message = "unknown key" if err["type"] == "extra_forbidden" else err["msg"]
        message = message.removeprefix("Value error, ")
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise PolicyError(str(path), f"{loc or 'file'}: {message}{more}", rule=rule) from None
