"""Named conditions in rule files: defined once under `conditions:`, used as {condition: NAME} by
rules in any file; every mistake is a PolicyError naming the file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import eligibility
from eligibility.load.loader import check, packaged_dirs

from ..conftest import replace_in


def _policy(tmp_path: Path, extra: str) -> tuple[Path, Path]:
    rules, juris = packaged_dirs()
    shutil.copytree(rules, tmp_path / "rules")
    (tmp_path / "rules" / "zz-extra.yaml").write_text(extra, "utf-8")
    # Every rule needs its Chinese texts too; the extra one gets placeholders.
    chinese = tmp_path / "rules" / "lang" / "zh-CN.yaml"
    if "evidence.extra-check" in extra:
        replace_in(chinese, "\nrules:\n", "\nrules:\n  evidence.extra-check: {title: 额外, "
                   "message: 额外, remediation: 额外}\n", 1)
    return tmp_path / "rules", juris


RULE = """
  - id: evidence.extra-check
    title: Extra
    applies_to: [alibaba-domestic]
    severity: warning
    applies_if: {condition: %s}
    when: {field: evidence.certificate, eq: false}
    message: m
    remediation: r
    source: s
"""


def test_a_rule_in_another_file_uses_a_named_condition_defined_on_another(
        tmp_path: Path) -> None:
    extra = ("conditions:\n  copyright-without-office:\n    all:\n"
             "      - {condition: unregistered-copyright}\n"
             "      - {field: right.office, exists: false}\n"
             "rules:" + RULE % "copyright-without-office")
    policy = eligibility.load_policy(*_policy(tmp_path, extra))
    info = {r.id: r for r in policy.catalog}["evidence.extra-check"]
    assert info.conditional


def test_a_file_of_named_conditions_only_loads(tmp_path: Path) -> None:
    extra = "conditions:\n  pending:\n    {field: right.status, eq: pending}\n"
    assert eligibility.load_policy(*_policy(tmp_path, extra)).version


@pytest.mark.parametrize(("extra", "problem"), [
    ("rules:" + RULE % "nowhere",
     "applies_if: unknown named condition 'nowhere'"),
    ("conditions:\n  unregistered-copyright: {field: right.status, eq: pending}\n",
     "conditions.unregistered-copyright: also defined in right.yaml"),
    ("conditions:\n  a: {condition: b}\n  b: {field: right.status, eq: pending}\n",
     "conditions.a: unknown named condition 'b'"),
    ("conditions:\n  Bad_Name: {field: right.status, eq: pending}\n",
     "conditions.Bad_Name"),
    ("conditions:\n  a: {field: right.colour, eq: red}\n",
     "conditions.a: unknown field 'right.colour'"),
    ("conditions: {}\nrules: []\n", "a rule file holds rules, named conditions or both"),
])
def test_mistakes_are_named_with_their_file(tmp_path: Path, extra: str, problem: str) -> None:
    found = check(*_policy(tmp_path, extra)).problems
    assert found, "the policy loaded"
    assert any(problem in p.problem and Path(p.file).name in ("zz-extra.yaml", "right.yaml")
               for p in found), [str(p) for p in found]
