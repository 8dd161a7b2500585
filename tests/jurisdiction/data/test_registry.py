"""Every jurisdiction file has its test module, and every office belongs to exactly one file."""

from __future__ import annotations

from pathlib import Path

from eligibility.load.loader import Loaded


def test_each_jurisdiction_file_has_a_test_module(loaded: Loaded) -> None:
    here = Path(__file__).parent
    files = {p.stem for p in loaded.jurisdictions_dir.glob("*.yaml")}
    tests = {p.stem.removeprefix("test_") for p in here.glob("test_*.py")} - {"registry"}
    assert files == tests


def test_every_office_cites_a_source(loaded: Loaded) -> None:
    for code, office in loaded.jurisdictions.offices.items():
        assert office.spec.source.startswith("https://"), code
