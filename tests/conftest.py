"""Shared fixtures and the Hypothesis profiles (``dev`` locally, ``ci`` when CI is set)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

# The on-disk store of holidays' working days (jurisdiction/stored.py) stays off in tests: tests
# count the years the library builds, and no test may depend on what an earlier run left on
# disk. tests/jurisdiction/test_stored.py turns it on in a folder of its own.
os.environ["ELIGIBILITY_CACHE_DIR"] = ""

import eligibility
from eligibility.load import loader
from eligibility.load.loader import Loaded
from eligibility.load.yaml import load_yaml

settings.register_profile("dev", max_examples=100, deadline=None)
settings.register_profile(
    "ci", max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow],
    derandomize=True, print_blob=True,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def policy() -> eligibility.Policy:
    return eligibility.default_policy()


@pytest.fixture(scope="session")
def loaded() -> Loaded:
    """The packaged policy as the loader hands it over: the judge, jurisdictions and calendars
    that tests of the layers below the facade work with."""
    return loader.load()


def base_complaint() -> dict[str, Any]:
    """A valid, eligible complaint on Taobao: a filer acting for a CNIPA trademark owner."""
    data = load_yaml((FIXTURES / "complaints" / "eligible-taobao-agent.yaml").read_text("utf-8"))
    assert isinstance(data, dict)
    return data


def unavailable(reason: str, remedy: str) -> None:
    """Skip a test whose system requirement is missing here; under CI (``CI`` set, as
    ``.ci/run`` does) fail it instead, so that CI never passes by skipping it."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI must run this test: {remedy}")
    pytest.skip(reason)


def replace_in(path: Path, old: str, new: str, count: int = -1) -> None:
    """Edit a file of a test's own policy copy; the text to replace must be there, so that an
    edit that silently misses (the file changed) fails the test instead of testing nothing."""
    text = path.read_text("utf-8")
    assert old in text, f"{path.name} has no {old!r}"
    path.write_text(text.replace(old, new, count), "utf-8")


@pytest.fixture
def policy_copy(tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the packaged policy's rules and jurisdictions folders, to edit in a test."""
    rules, juris = loader.packaged_dirs()
    shutil.copytree(rules, tmp_path / "policy" / "rules")
    shutil.copytree(juris, tmp_path / "policy" / "jurisdictions")
    return tmp_path / "policy" / "rules", tmp_path / "policy" / "jurisdictions"


@pytest.fixture
def complaint() -> dict[str, Any]:
    return base_complaint()
