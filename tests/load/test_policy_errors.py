"""A broken policy fails at load, naming the file, the rule and the problem.

Each folder under tests/fixtures/bad_policies holds the files it overlays on a copy of the
packaged policy, and `expected.yaml`: the exact error the load must raise.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import eligibility
from eligibility.load.loader import packaged_dirs
from eligibility.load.yaml import load_yaml

from ..conftest import FIXTURES

BAD = sorted(p for p in (FIXTURES / "bad_policies").iterdir() if p.is_dir())


def overlay(case: Path, tmp: Path) -> tuple[Path, Path]:
    rules, juris = packaged_dirs()
    shutil.copytree(rules, tmp / "rules")
    shutil.copytree(juris, tmp / "jurisdictions")
    for folder in ("rules", "jurisdictions"):
        for path in (case / folder).iterdir() if (case / folder).is_dir() else ():
            shutil.copy(path, tmp / folder / path.name)
    return tmp / "rules", tmp / "jurisdictions"


@pytest.mark.parametrize("case", BAD, ids=[p.name for p in BAD])
def test_broken_policy_fails_at_load_with_its_exact_error(case: Path, tmp_path: Path) -> None:
    expected = load_yaml((case / "expected.yaml").read_text("utf-8"))
    rules, juris = overlay(case, tmp_path)
    with pytest.raises(eligibility.PolicyError) as err:
        eligibility.load_policy(rules, juris)
    got = {"file": Path(err.value.file).name, "rule": err.value.rule,
           "problem": err.value.problem}
    assert got == expected


def test_every_fixture_has_an_expected_error() -> None:
    assert BAD, "no broken policy fixtures found"
    for case in BAD:
        assert (case / "expected.yaml").is_file(), case.name


def test_missing_folder_is_a_policy_error(tmp_path: Path) -> None:
    with pytest.raises(eligibility.PolicyError, match="not a folder"):
        eligibility.load_policy(tmp_path / "nope", tmp_path)
