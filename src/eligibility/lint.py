"""Checking a policy author's folders and reporting every problem, not only the first.

Loading a policy stops at its first problem, which is right for a service starting up but slow
going for someone editing twenty rules: fix one, reload, meet the next. Linting reads the same
files with the same loader, but checks each file, and then each rule, on its own, so one run
lists every problem that can be found independently. Checks that depend on another file (rules
on platforms, platforms on jurisdictions) run only once what they depend on is sound, so one
mistake is not reported again as a cascade of others. When every part passes on its own, the
full load (which also compiles the rules for the engine) has the last word.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import policy as _policy
from ._yaml import YAMLError, load_yaml
from .errors import PolicyError
from .jurisdictions import JurisdictionSpec


@dataclass(frozen=True)
class LintResult:
    """Every problem found, or the loaded policy when there is none."""

    problems: tuple[PolicyError, ...]
    policy: _policy.Policy | None


def lint(rules_dir: str | Path | None = None,
         jurisdictions_dir: str | Path | None = None) -> LintResult:
    """Check a policy's folders (the packaged ones where not given)."""
    try:
        return LintResult((), _policy.load_policy(rules_dir, jurisdictions_dir))
    except PolicyError as first:
        default_rules, default_juris = _policy.packaged_dirs()
        rules = Path(rules_dir) if rules_dir is not None else default_rules
        juris = Path(jurisdictions_dir) if jurisdictions_dir is not None else default_juris
        found = _Linter(rules, juris).run()
        return LintResult(tuple(found) or (first,), None)


def _read(path: Path) -> Any:
    try:
        return load_yaml(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise PolicyError(str(path), f"not UTF-8 text: {exc}") from None
    except YAMLError as exc:
        raise PolicyError(str(path), f"not valid YAML: {exc}") from None
    except OSError as exc:
        raise PolicyError(str(path), f"cannot be read: {exc.strerror or exc}") from None


class _Linter:
    def __init__(self, rules_dir: Path, jurisdictions_dir: Path) -> None:
        self.loader = _policy._Loader(rules_dir, jurisdictions_dir)
        self.rules_dir = rules_dir
        self.jurisdictions_dir = jurisdictions_dir
        self.problems: list[PolicyError] = []

    def run(self) -> list[PolicyError]:
        missing = [d for d in (self.rules_dir, self.jurisdictions_dir) if not d.is_dir()]
        if missing:
            return [PolicyError(str(d), "not a folder") for d in missing]
        juris = self._jurisdictions()
        files = self._parsed(self.rules_dir)
        meta = files.pop(_policy.META_FILE, None)
        if meta is None:
            self.problems.append(PolicyError(str(self.rules_dir / _policy.META_FILE), "missing"))
        else:
            self._attempt(self.loader._meta, meta)
        platforms_entry = files.pop(_policy.PLATFORMS_FILE, None)
        platforms = None
        if platforms_entry is None:
            self.problems.append(PolicyError(str(self.rules_dir / _policy.PLATFORMS_FILE),
                                             "missing"))
        elif juris is not None:
            platforms = self._attempt(self.loader._platforms, platforms_entry, *juris)
        if platforms is not None and juris is not None:
            self._rules(files, platforms, juris[0])
        return self.problems

    def _attempt(self, check: Any, *args: Any) -> Any:
        try:
            return check(*args)
        except PolicyError as exc:
            self.problems.append(exc)
            return None

    def _parsed(self, folder: Path) -> dict[str, tuple[Path, Any]]:
        """Every YAML file of a folder that parses; each one that does not is a problem."""
        paths = sorted(folder.glob("*.yaml"))
        for stray in sorted(folder.glob("*.yml")):
            self.problems.append(PolicyError(str(stray),
                                             "policy files are named *.yaml; rename it"))
        if not paths:
            self.problems.append(PolicyError(str(folder), "no policy files (*.yaml)"))
        out: dict[str, tuple[Path, Any]] = {}
        for path in paths:
            try:
                out[path.name] = (path, _read(path))
            except PolicyError as exc:
                self.problems.append(exc)
        return out

    def _jurisdictions(self) -> tuple[Any, Any] | None:
        before = len(self.problems)
        for path, raw in self._parsed(self.jurisdictions_dir).values():
            self._attempt(_policy._validate, JurisdictionSpec, raw, path)
        if len(self.problems) > before:
            return None
        loaded = self._attempt(self.loader._jurisdictions)
        if loaded is None:
            return None
        calendars = self._attempt(self.loader._calendars, loaded)
        if calendars is None:
            return None
        return loaded, calendars

    def _rules(self, files: Mapping[str, tuple[Path, Any]], platforms: Any,
               jurisdictions: Any) -> None:
        value_sets = {
            "platforms": frozenset(p.id for p in platforms.platforms),
            "groups": frozenset(platforms.groups),
            "offices": frozenset(jurisdictions.offices),
            "jurisdictions": frozenset(jurisdictions.by_code),
        }
        defined: dict[str, Path] = {}
        for name, (path, raw) in files.items():
            body = self._attempt(_policy._validate, _policy.RulesFile, raw, path)
            if body is None:
                continue
            for item in body.rules:
                compiled = self._attempt(self.loader._rules, {name: (path, {"rules": [item]})},
                                         value_sets)
                if not compiled:
                    continue
                rule_id = compiled[0].id
                if rule_id in defined:
                    self.problems.append(PolicyError(
                        str(path), f"duplicate id, also defined in {defined[rule_id].name}",
                        rule=rule_id))
                else:
                    defined[rule_id] = path
