"""The worked examples of docs/guide.md, run as written: a new platform and a new jurisdiction.

The YAML is taken from the guide itself (each block follows a ``guide-example`` marker), so the
page and the engine cannot drift apart.
"""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

import eligibility
from eligibility.cases import load_cases, run_case
from eligibility.cli import cli

from .conftest import ROOT

GUIDE = ROOT / "docs" / "guide.md"
_EXAMPLE = re.compile(r"<!-- guide-example: ([\w-]+) -->\n```yaml\n(.*?)```", re.DOTALL)


def examples() -> dict[str, str]:
    return dict(_EXAMPLE.findall(GUIDE.read_text("utf-8")))


def _run_cases(policy: eligibility.Policy, path: Path) -> list[str]:
    """Every case's report, empty for a passing case."""
    return ["" if (o := run_case(policy, case)).passed else o.report()
            for case in load_cases(path)]


def test_the_guide_has_its_examples() -> None:
    assert set(examples()) == {"xianyu-platform", "xianyu-name", "xianyu-cases",
                               "kr-jurisdiction", "kr-cases"}


def test_a_new_platform_is_added_as_data(policy_copy: tuple[Path, Path], tmp_path: Path,
                                         policy: eligibility.Policy) -> None:
    rules, juris = policy_copy
    found = examples()
    platforms = rules / "platforms.yaml"
    text = platforms.read_text("utf-8")
    assert text.rstrip().splitlines()[-1].startswith("    "), "platforms: must be the last list"
    platforms.write_text(text.rstrip("\n") + "\n" + found["xianyu-platform"], "utf-8")
    chinese = rules / "lang" / "zh-CN.yaml"
    text = chinese.read_text("utf-8")
    assert "\nplatforms:\n" in text
    chinese.write_text(text.replace("\nplatforms:\n", "\nplatforms:\n" + found["xianyu-name"], 1),
                       "utf-8")
    cases = tmp_path / "cases" / "xianyu.case.yaml"
    cases.parent.mkdir()
    cases.write_text(found["xianyu-cases"], "utf-8")

    own = eligibility.load_policy(rules, juris)
    assert own.platforms["xianyu"].group == "alibaba-domestic"
    reports = _run_cases(own, cases)
    assert len(reports) == 3
    assert reports == ["", "", ""], "\n".join(reports)
    # The packaged policy has no such platform, as the guide says.
    assert all("unknown platform 'xianyu'" in r for r in _run_cases(policy, cases))


def test_a_new_jurisdiction_is_added_as_data(policy_copy: tuple[Path, Path], tmp_path: Path,
                                             policy: eligibility.Policy) -> None:
    rules, juris = policy_copy
    found = examples()
    (juris / "kr.yaml").write_text(found["kr-jurisdiction"], "utf-8")
    cases = tmp_path / "kipo.case.yaml"
    cases.write_text(found["kr-cases"], "utf-8")

    own = eligibility.load_policy(rules, juris)
    office = own.complaint_schema()["$defs"]["IPRight"]["properties"]["office"]
    assert "KIPO" in office["anyOf"][0]["enum"]
    reports = _run_cases(own, cases)
    assert reports == ["", ""], "\n".join(reports)
    assert all("unknown office 'KIPO'" in r for r in _run_cases(policy, cases))


def test_the_guide_lists_every_command() -> None:
    text = GUIDE.read_text("utf-8")
    for name in cli.commands:
        assert f"| `{name}" in text, name


def test_the_where_example_shows_what_the_command_prints() -> None:
    shown = re.search(r"<!-- where-example -->\n```console\n\$ eligibility (.*?)\n(.*?)```",
                      GUIDE.read_text("utf-8"), re.DOTALL)
    assert shown is not None
    args, output = shown.group(1).split(), shown.group(2)
    result = CliRunner().invoke(cli, ["--no-color", *args], catch_exceptions=False)
    assert result.stdout == output
