"""pytest plugin: every ``*.case.yaml`` file under a pytest run becomes tests, one per case.

Installed with the package (the ``pytest11`` entry point), so a team's CI runs its own cases
with plain ``pytest``. The cases run against the packaged policy unless the ``eligibility_rules``
and ``eligibility_jurisdictions`` ini options (or ``--eligibility-rules`` /
``--eligibility-jurisdictions``) name the team's own folders. A case file that cannot be read
fails as one test named after the file, so the rest of the run still reports.

The heavy imports happen only when a case file is actually collected: the plugin is loaded in
every pytest run of an environment that has the package, most of which hold no cases at all.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from _pytest._code.code import TerminalRepr

    from .cases import Case, CaseFileError, Outcome
    from .policy import Policy

# cases.CASE_SUFFIX, written again so that pytest, which loads this plugin in every project
# where the package is installed, imports nothing of the package until a case file is found
# (tests/cli/test_cases_plugin.py holds the two equal).
CASE_SUFFIX = ".case.yaml"
_POLICY_KEY = pytest.StashKey[Any]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("eligibility", "eligibility case fixtures")
    group.addoption("--eligibility-rules", metavar="DIR", default=None,
                    help="rules folder to run *.case.yaml cases against (default: packaged)")
    group.addoption("--eligibility-jurisdictions", metavar="DIR", default=None,
                    help="jurisdictions folder to run cases against (default: packaged)")
    parser.addini("eligibility_rules", "rules folder for case fixtures, relative to the ini "
                                       "file (default: the packaged policy)", default="")
    parser.addini("eligibility_jurisdictions", "jurisdictions folder for case fixtures, "
                                               "relative to the ini file", default="")


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.File | None:
    if file_path.name.endswith(CASE_SUFFIX):
        return CaseFile.from_parent(parent, path=file_path)
    return None


def _folder(config: pytest.Config, option: str, ini: str) -> Path | None:
    given = config.getoption(option)
    if given:
        return Path(given).resolve()
    value = config.getini(ini)
    if value:
        base = config.inipath.parent if config.inipath else config.rootpath
        return (base / str(value)).resolve()
    return None


def _policy(config: pytest.Config) -> Policy:
    """The policy cases run against, loaded once per session; a load error is kept and re-raised."""
    if _POLICY_KEY not in config.stash:
        import eligibility
        from eligibility.errors import PolicyError

        rules = _folder(config, "--eligibility-rules", "eligibility_rules")
        juris = _folder(config, "--eligibility-jurisdictions", "eligibility_jurisdictions")
        loaded: Any
        try:
            if rules is None and juris is None:
                loaded = eligibility.default_policy()
            else:
                loaded = eligibility.load_policy(rules, juris)
        except PolicyError as exc:
            loaded = exc
        config.stash[_POLICY_KEY] = loaded
    value = config.stash[_POLICY_KEY]
    if isinstance(value, Exception):
        raise value
    result: Policy = value
    return result


def _shown(node: pytest.Item) -> str:
    """The node's file relative to where pytest was started, as pytest itself shows paths."""
    try:
        return os.path.relpath(node.path, node.config.invocation_params.dir)
    except ValueError:  # another drive
        return str(node.path)


class CaseFile(pytest.File):
    """One case file; yields an item per case, or one failing item if the file is unusable."""

    def collect(self) -> Iterator[pytest.Item]:
        from eligibility.cases import CaseFileError, load_entries

        try:
            entries = load_entries(self.path)
        except CaseFileError as exc:
            yield BrokenCaseFile.from_parent(self, name="(case file)", error=exc)
            return
        for entry in entries:
            if isinstance(entry, CaseFileError):  # one unusable case; its siblings still run
                yield BrokenCaseFile.from_parent(self, name=f"(case at line {entry.line})",
                                                 error=entry)
                continue
            # "::" separates node ids, so it cannot appear inside one name.
            yield CaseItem.from_parent(self, name=entry.name.replace("::", ": "), case=entry)


class CaseMismatch(AssertionError):
    """Raised when a verdict differs from what its case expects; carries the outcome."""

    def __init__(self, outcome: Outcome) -> None:
        super().__init__(outcome.report())
        self.outcome = outcome


class CaseItem(pytest.Item):
    def __init__(self, *, case: Case, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case = case

    def runtest(self) -> None:
        from eligibility.cases import run_case

        outcome = run_case(_policy(self.config), self.case)
        if not outcome.passed:
            raise CaseMismatch(outcome)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException],
                     style: Any = None) -> str | TerminalRepr:
        from eligibility.errors import PolicyError

        if isinstance(excinfo.value, CaseMismatch):
            return excinfo.value.outcome.report(f"{_shown(self)}:{self.case.line}")
        if isinstance(excinfo.value, PolicyError):
            return f"the policy the cases run against cannot be loaded:\n  {excinfo.value}"
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, self.case.line - 1, f"case: {self.case.name}"


class BrokenCaseFile(pytest.Item):
    """Stands for a case file that could not be read, so the reason shows as a failure."""

    def __init__(self, *, error: CaseFileError, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.error = error

    def runtest(self) -> None:
        raise self.error

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException],
                     style: Any = None) -> str | TerminalRepr:
        error = self.error
        where = _shown(self) + (f":{error.line}" if error.line is not None else "")
        return f"unusable case file {where}: {error.message}"

    def reportinfo(self) -> tuple[Path, int, str]:
        line = self.error.line - 1 if self.error.line is not None else 0
        return self.path, line, f"case file: {self.path.name}"
