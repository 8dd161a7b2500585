"""``eligibility diff`` and ``diff_policies``: the same complaints judged by two policies."""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
import yaml

import eligibility
from eligibility.diff import INVALID, diff_policies

from ..conftest import FIXTURES, ROOT, replace_in
from .conftest import Run

ELIGIBLE = FIXTURES / "complaints" / "eligible-taobao-agent.yaml"
# The listing cap of a complaint filed from an IPP account, in both Alibaba groups.
LIMIT = "max_listings: 300"


@pytest.fixture
def base(tmp_path: Path) -> Path:
    """A copy of the packaged rules, to edit into a different base policy."""
    rules = tmp_path / "base-rules"
    shutil.copytree(ROOT / "rules", rules)
    return rules


def _drop_platform(rules: Path, platform_id: str) -> None:
    """Remove one platform from platforms.yaml (the entries are `  - id: ...` blocks) and from
    the translations."""
    path = rules / "platforms.yaml"
    lines = path.read_text("utf-8").splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith(f'  - id: "{platform_id}"')
                 or line.startswith(f"  - id: {platform_id}\n"))
    end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("  - id:"))
    path.write_text("".join(lines[:start] + lines[end:]), "utf-8")
    for translation in (rules / "lang").glob("*.yaml"):  # its name in other languages goes too
        kept = [line for line in translation.read_text("utf-8").splitlines(keepends=True)
                if not line.startswith((f'  "{platform_id}":', f"  {platform_id}:"))]
        translation.write_text("".join(kept), "utf-8")


def _complaint(**changes: Any) -> dict[str, Any]:
    data = yaml.safe_load(ELIGIBLE.read_text("utf-8"))
    assert isinstance(data, dict)
    data.update(changes)
    return data


def _recorded(folder: Path, name: str, data: Any) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(json.dumps(data, default=str), "utf-8")
    return path


def test_the_same_policy_changes_nothing(run: Run, base: Path) -> None:
    result = run("diff", "--base-rules", base, ROOT / "tests" / "cases", ROOT / "examples")
    assert result.exit_code == 0, result.output
    assert "0 of " in result.stdout
    json_result = run("diff", "--base-rules", base, "--json", ROOT / "examples")
    assert json_result.exit_code == 0
    assert json.loads(json_result.stdout) == []


def test_a_rule_edit_lists_the_complaints_it_changes(run: Run, base: Path) -> None:
    # The base allowed only 299 listings: the 300-listing case was incomplete there.
    replace_in(base / "platforms.yaml", LIMIT, "max_listings: 299")
    result = run("diff", "--base-rules", base, "--json", ROOT / "tests" / "cases")
    assert result.exit_code == 1, result.output
    changes = json.loads(result.stdout)
    exactly_300 = next(c for c in changes if "exactly 300" in c["name"])
    assert exactly_300["file"].endswith("listings-volume.case.yaml")
    assert exactly_300["before"] == {"decision": "incomplete",
                                     "reasons": ["complaint.too-many-listings"]}
    assert exactly_300["after"] == {"decision": "eligible", "reasons": []}
    assert all(set(c) == {"file", "name", "before", "after"} for c in changes)
    text = run("diff", "--base-rules", base, ROOT / "tests" / "cases")
    assert text.exit_code == 1
    assert "complaint.too-many-listings: -" in text.stdout  # grouped by rule
    assert "incomplete [complaint.too-many-listings] -> eligible" in text.stdout
    assert "incomplete -> eligible:" in text.stdout  # the totals by decision


def test_a_platform_gone_from_one_side_is_a_change_not_a_crash(run: Run, base: Path,
                                                              tmp_path: Path) -> None:
    _drop_platform(base, "1688")
    recorded = tmp_path / "recorded"
    _recorded(recorded, "list.json", [_complaint(platform="1688"), _complaint()])
    result = run("diff", "--base-rules", base, "--json", recorded)
    assert result.exit_code == 1, result.output
    [change] = json.loads(result.stdout)
    assert change["name"] == "list.json[0]"
    assert change["before"]["decision"] == INVALID
    assert change["before"]["errors"][0]["path"] == "platform"
    assert change["after"]["decision"] in ("eligible", "incomplete", "ineligible")
    # The other way round: the current policy lost the platform.
    current = tmp_path / "current-rules"
    shutil.copytree(base, current)
    reverse = run("--rules", current, "diff", "--base-rules", ROOT / "rules", recorded)
    assert reverse.exit_code == 1
    assert f"-> {INVALID}" in reverse.stdout


def test_invalid_input_exits_2_and_names_the_file(run: Run, base: Path, tmp_path: Path) -> None:
    recorded = tmp_path / "recorded"
    _recorded(recorded, "good.json", _complaint())
    (recorded / "broken.yaml").write_text("a: [", "utf-8")
    _recorded(recorded, "not-a-complaint.json", {"hello": "world"})
    result = run("diff", "--base-rules", base, recorded)
    assert result.exit_code == 2
    assert "broken.yaml" in result.stderr
    assert "not-a-complaint.json" in result.stderr
    assert "invalid under both" in result.stderr
    assert "Traceback" not in result.output
    assert run("diff", "--base-rules", base, tmp_path / "nothing-here").exit_code == 2


def test_a_broken_base_policy_exits_2(run: Run, base: Path) -> None:
    (base / "policy.yaml").write_text("version: [", "utf-8")
    result = run("diff", "--base-rules", base, ELIGIBLE)
    assert result.exit_code == 2
    assert "base policy" in result.stderr


def test_both_sides_judge_a_complaint_without_submitted_at_at_one_moment(
        base: Path, tmp_path: Path) -> None:
    complaint = _complaint()
    complaint.pop("submitted_at", None)
    path = _recorded(tmp_path / "recorded", "undated.json", complaint)
    policy = eligibility.load_policy()
    same = eligibility.load_policy(base)
    report = diff_policies(same, policy, [path], now=datetime(2026, 3, 2, 10, tzinfo=timezone.utc))
    assert report.compared == 1
    assert report.changes == []
    assert report.errors == []


def test_the_library_function_reports_changes_and_counts(base: Path) -> None:
    replace_in(base / "platforms.yaml", LIMIT, "max_listings: 299")
    report = diff_policies(eligibility.load_policy(base), eligibility.load_policy(),
                           [ROOT / "tests" / "cases" / "listings-volume.case.yaml"])
    assert report.files == 1
    assert report.compared == 6
    assert report.changes
    assert set(report.by_rule()) == {"complaint.too-many-listings"}
    assert all(c.removed == ("complaint.too-many-listings",) or c.added
               for c in report.changes)


def test_a_v1_policy_compares_with_v2(run: Run) -> None:
    """The packaged policy as it was at v1 (tests/fixtures/policy_v1) still loads, so the move
    to POLICY.md v2 can be shown complaint by complaint."""
    v1 = FIXTURES / "policy_v1"
    result = run("diff", "--base-rules", v1 / "rules", "--base-jurisdictions",
                 v1 / "jurisdictions", "--json", ROOT / "examples")
    assert result.exit_code == 1, result.output
    changes = {Path(c["file"]).name: c for c in json.loads(result.stdout)}
    artwork = changes["unregistered-artwork-taobao.yaml"]
    assert artwork["before"]["decision"] == "ineligible"
    assert artwork["after"] == {"decision": "incomplete",
                                "reasons": ["evidence.claim-statement-missing"]}
    assert changes["taobao-share-link.yaml"]["after"]["reasons"] == [
        "complaint.listing-short-link"]
    assert "us-band-uspto-taobao.yaml" not in changes


def test_a_case_judged_everywhere_is_compared_platform_by_platform(run: Run, base: Path,
                                                                    tmp_path: Path) -> None:
    _drop_platform(base, "1688")
    case = tmp_path / "where.case.yaml"
    complaint = {k: v for k, v in _complaint().items() if k != "platform"}
    case.write_text(json.dumps([{"name": "anywhere", "complaint": complaint,
                                 "expect": {"everywhere": {"taobao": "eligible"}}}],
                               default=str), "utf-8")
    result = run("diff", "--base-rules", base, "--json", case)
    assert result.exit_code == 1, result.output
    [change] = json.loads(result.stdout)  # only the platform the base policy lacks changed
    assert change["name"] == "anywhere [1688]"
    assert change["before"]["decision"] == INVALID
    assert change["after"]["decision"] != INVALID
    assert run("diff", "--base-rules", ROOT / "rules", case).exit_code == 0
