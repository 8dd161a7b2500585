"""Case fixtures: reading case files, comparing verdicts, coverage, and the pytest plugin.

The plugin is exercised through pytester, in a throwaway project, exactly as a team's CI would
meet it: plain ``pytest`` collecting ``*.case.yaml`` files.
"""

from __future__ import annotations

import copy
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

import eligibility
from eligibility.cases import (
    CaseFileError,
    Expectation,
    compare,
    coverage_gaps,
    find_case_files,
    load_cases,
    run_case,
)
from eligibility.load.yaml import load_yaml

from ..conftest import FIXTURES, ROOT, base_complaint, replace_in

pytest_plugins = ("pytester",)

BAD_CASES = FIXTURES / "bad_cases"


def _dump(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def _without_authorization() -> dict[str, Any]:
    data = base_complaint()
    del data["authorization"]
    return data


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    """A scratch project holding an eligible complaint and an incomplete one (no letter)."""
    shutil.copy(FIXTURES / "complaints" / "eligible-taobao-agent.yaml",
                pytester.path / "complaint.yaml")
    (pytester.path / "no-letter.yaml").write_text(_dump(_without_authorization()), "utf-8")
    return pytester


# --- the loader --------------------------------------------------------------------------------


def test_a_single_case_or_a_list_is_read_with_its_line(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "complaints" / "eligible-taobao-agent.yaml", tmp_path / "c.yaml")
    single = tmp_path / "one.case.yaml"
    single.write_text("name: one\ncomplaint_file: c.yaml\n"
                      "expect: {decision: eligible, reasons: []}\n", "utf-8")
    several = tmp_path / "two.case.yaml"
    several.write_text("# two cases\n- name: first\n  complaint_file: c.yaml\n"
                       "  expect: {decision: eligible, reasons: []}\n"
                       "- name: second\n  complaint_file: c.yaml\n"
                       "  expect: {decision: incomplete, reasons: [x.y]}\n", "utf-8")
    [one] = load_cases(single)
    first, second = load_cases(several)
    assert (one.name, one.line) == ("one", 1)
    assert (first.name, first.line, second.name, second.line) == ("first", 2, "second", 5)
    assert second.expect == Expectation(decision="incomplete", reasons=frozenset({"x.y"}))
    assert first.complaint["platform"] == "taobao"


BAD_CASE_REASONS = {
    "not-yaml": "not valid YAML",
    "unknown-key": "unknown key(s) expected",
    "bad-decision": "expect.decision: expected one of eligible, incomplete, ineligible",
    "missing-complaint-file": "complaint_file no-such-complaint.yaml: cannot be read",
    "scalar": "expected a case (a mapping) or a list of cases, got a str",
    "empty-list": "holds no cases",
    "both-complaints": "exactly one of complaint or complaint_file",
    "bad-due": "expect.due.earliest: expected a date",
}


def test_every_broken_case_fixture_has_an_expected_reason() -> None:
    names = {p.name.removesuffix(".case.yaml.txt") for p in BAD_CASES.glob("*.case.yaml.txt")}
    assert names == set(BAD_CASE_REASONS)


@pytest.mark.parametrize("name", sorted(BAD_CASE_REASONS))
def test_a_broken_case_file_is_an_error_naming_the_file(name: str, tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "complaints" / "eligible-taobao-agent.yaml", tmp_path / "complaint.yaml")
    target = tmp_path / f"{name}.case.yaml"
    shutil.copy(BAD_CASES / f"{name}.case.yaml.txt", target)
    with pytest.raises(CaseFileError) as caught:
        load_cases(target)
    assert caught.value.path == target
    assert BAD_CASE_REASONS[name] in str(caught.value)
    assert str(target) in str(caught.value)


def test_a_case_may_leave_out_reasons_and_the_submission_time(tmp_path: Path,
                                                              policy: eligibility.Policy) -> None:
    # Without `reasons` only the decision is compared; without submitted_at (and no `now`) the
    # complaint is judged at the current time, as the library does.
    complaint = load_yaml((FIXTURES / "complaints" / "eligible-taobao-agent.yaml").read_text())
    del complaint["submitted_at"]
    complaint["authorization"] = None
    path = tmp_path / "loose.case.yaml"
    path.write_text(yaml.safe_dump([
        {"name": "decision only", "description": "no reasons listed",
         "complaint": complaint, "expect": {"decision": "incomplete"}},
        {"name": "wrong decision", "complaint": complaint, "expect": {"decision": "eligible"}},
    ]), "utf-8")
    first, second = load_cases(path)
    assert first.expect.reasons is None
    assert run_case(policy, first).passed
    outcome = run_case(policy, second)
    assert not outcome.passed
    assert outcome.mismatches[0] == "decision: expected eligible, got incomplete"


def test_repeated_names_are_told_apart(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "complaints" / "eligible-taobao-agent.yaml", tmp_path / "c.yaml")
    case = "- name: same\n  complaint_file: c.yaml\n  expect: {decision: eligible, reasons: []}\n"
    path = tmp_path / "dup.case.yaml"
    path.write_text(case * 3, "utf-8")
    assert [c.name for c in load_cases(path)] == ["same", "same [2]", "same [3]"]


def test_case_files_are_found_in_folders_and_taken_as_given(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    deep = tmp_path / "a" / "b" / "x.case.yaml"
    top = tmp_path / "y.case.yaml"
    other = tmp_path / "notes.yaml"
    for path in (deep, top, other):
        path.write_text("[]", "utf-8")
    assert find_case_files([tmp_path]) == [deep, top]
    assert find_case_files([other, tmp_path / "a"]) == [other, deep]
    with pytest.raises(CaseFileError, match="no such file"):
        find_case_files([tmp_path / "missing"])


# --- comparing ---------------------------------------------------------------------------------


def test_compare_lists_decision_reasons_and_due_differences(
        policy: eligibility.Policy, complaint: dict[str, Any]) -> None:
    complaint["ip_right"]["office"] = "USPTO"
    verdict = policy.evaluate(complaint)
    assert verdict.decision == "ineligible"
    expect = Expectation(decision="eligible",
                         reasons=frozenset({"agent.authorization-missing", "no.such-rule",
                                            "territory.not-protected-in-marketplace"}),
                         due_given=True, due={"latest": date(2026, 3, 5)})
    lines = compare(expect, verdict, frozenset(r.id for r in policy.catalog))
    text = "\n".join(lines)
    assert "decision: expected eligible, got ineligible" in text
    assert "  - agent.authorization-missing\n" in text + "\n"
    assert "- no.such-rule  (no rule has this id)" in text
    assert "- territory.not-protected-in-marketplace  (does not apply to taobao)" in text
    assert "+ territory.not-protected-in-china" in text
    assert "due: expected 2026-03-05, got none" in text


def test_compare_due_fields(policy: eligibility.Policy, complaint: dict[str, Any]) -> None:
    verdict = policy.evaluate(complaint)
    assert verdict.due is not None
    same = Expectation("eligible", frozenset(), True,
                       {"earliest": verdict.due.earliest, "latest": verdict.due.latest,
                        "provisional": False, "business_days": (1, 3), "calendar": "CN"})
    assert compare(same, verdict, frozenset()) == ()
    shifted = Expectation("eligible", frozenset(), True,
                          {"latest": verdict.due.earliest, "provisional": True})
    assert compare(shifted, verdict, frozenset()) == (
        f"due.latest: expected {verdict.due.earliest}, got {verdict.due.latest}",
        "due.provisional: expected true, got false",
    )
    none_expected = Expectation("eligible", frozenset(), True, None)
    assert compare(none_expected, verdict, frozenset())[0].startswith("due: expected none, got ")
    unchecked = Expectation("eligible", frozenset(), False, None)
    assert compare(unchecked, verdict, frozenset()) == ()


def test_an_invalid_complaint_fails_the_case_with_its_problems(
        policy: eligibility.Policy, tmp_path: Path) -> None:
    data = base_complaint()
    data["platform"] = "ebay"
    path = tmp_path / "x.case.yaml"
    path.write_text(_dump([{"name": "bad platform", "complaint": data,
                            "expect": {"decision": "eligible", "reasons": []}}]), "utf-8")
    [case] = load_cases(path)
    outcome = run_case(policy, case)
    assert not outcome.passed
    assert outcome.verdict is None
    assert "platform: unknown platform 'ebay'" in outcome.report()


# --- coverage ----------------------------------------------------------------------------------


def test_coverage_names_what_each_rule_lacks_per_group(
        policy: eligibility.Policy, complaint: dict[str, Any]) -> None:
    eligible = policy.evaluate(complaint)
    gaps = {(g.rule, g.group): g.lacks for g in coverage_gaps(policy, [eligible])}
    # Checked and passed on taobao (alibaba-domestic), never failed:
    assert gaps[("agent.authorization-missing", "alibaba-domestic")] == ("failing",)
    # Never evaluated on amazon at all:
    assert gaps[("agent.authorization-missing", "amazon")] == ("failing", "passing")
    # territory.not-protected-in-china applies only to alibaba-domestic:
    assert {g for r, g in gaps if r == "territory.not-protected-in-china"} == {"alibaba-domestic"}
    no_letter = copy.deepcopy(complaint)
    del no_letter["authorization"]
    gaps_after = {(g.rule, g.group) for g in coverage_gaps(
        policy, [eligible, policy.evaluate(no_letter)])}
    assert ("agent.authorization-missing", "alibaba-domestic") not in gaps_after


# --- the plugin --------------------------------------------------------------------------------

GOOD = """
- name: eligible with a letter
  complaint_file: complaint.yaml
  expect: {decision: eligible, reasons: [], due: {earliest: 2026-03-03, latest: 2026-03-05}}
- name: incomplete without a letter
  complaint_file: no-letter.yaml
  expect: {decision: incomplete, reasons: [agent.authorization-missing], due: null}
"""


def test_plugin_collects_one_test_per_case(project: pytest.Pytester) -> None:
    project.makefile(".case.yaml", good=GOOD)
    result = project.runpytest("-v")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["*good.case.yaml::eligible with a letter PASSED*",
                                 "*good.case.yaml::incomplete without a letter PASSED*"])


def test_plugin_shows_a_readable_diff(project: pytest.Pytester) -> None:
    project.makefile(".case.yaml", wrong="""
- name: expects eligible but the letter is missing
  complaint_file: no-letter.yaml
  expect:
    decision: eligible
    reasons: [right.owner-mismatch]
    due: {earliest: 2026-03-03, latest: 2026-03-05}
""")
    result = project.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "case 'expects eligible but the letter is missing' (wrong.case.yaml:1)",
        "*decision: expected eligible, got incomplete",
        "*reasons (- expected but did not fail, + failed but not expected):",
        "*- right.owner-mismatch",
        "*+ agent.authorization-missing",
        "*due: expected 2026-03-03 .. 2026-03-05, got none",
    ])
    assert "Traceback" not in result.stdout.str()


def test_plugin_reports_a_broken_file_as_its_own_failure(project: pytest.Pytester) -> None:
    project.makefile(".case.yaml", good=GOOD)
    shutil.copy(BAD_CASES / "unknown-key.case.yaml.txt", project.path / "typo.case.yaml")
    shutil.copy(BAD_CASES / "not-yaml.case.yaml.txt", project.path / "broken.case.yaml")
    result = project.runpytest()
    result.assert_outcomes(passed=2, failed=2)
    out = result.stdout.str()
    result.stdout.fnmatch_lines(["unusable case file typo.case.yaml:2: unknown key(s) expected*"])
    assert "unusable case file broken.case.yaml: not valid YAML: line 4" in out
    assert "INTERNALERROR" not in out
    assert "Traceback" not in out


def test_an_unusable_case_fails_alone_and_its_siblings_run(project: pytest.Pytester) -> None:
    project.makefile(".case.yaml", mixed=GOOD + """- name: a typo in its keys
  complaint_file: complaint.yaml
  expcet: {decision: eligible}
""")
    result = project.runpytest("-v")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["*mixed.case.yaml::(case at line 7) FAILED*",
                                 "*unusable case file mixed.case.yaml:7: unknown key(s) expcet*"])


def test_plugin_runs_against_the_policy_named_in_the_ini_file(project: pytest.Pytester) -> None:
    rules = project.path / "policy" / "rules"
    shutil.copytree(ROOT / "rules", rules)
    replace_in(rules / "platforms.yaml", "listing_domains: [taobao.com]",
               "listing_domains: [world.taobao.com]")
    project.makefile(".case.yaml", own="""
- name: item.taobao.com is off-platform under this team's policy
  complaint_file: complaint.yaml
  expect: {decision: incomplete, reasons: [complaint.listing-off-platform]}
""")
    project.runpytest().assert_outcomes(failed=1)  # the packaged policy disagrees
    project.makeini("[pytest]\neligibility_rules = policy/rules\n")
    project.runpytest().assert_outcomes(passed=1)


def test_plugin_reports_an_unloadable_policy_on_each_case(project: pytest.Pytester) -> None:
    rules = project.path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    (rules / "policy.yaml").write_text("name: broken\n", "utf-8")
    project.makefile(".case.yaml", good=GOOD)
    result = project.runpytest(f"--eligibility-rules={rules}")
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(["*the policy the cases run against cannot be loaded:*",
                                 "*policy.yaml: version: Field required*"])


def test_case_now_stands_in_for_submitted_at(project: pytest.Pytester) -> None:
    data = base_complaint()
    del data["submitted_at"]
    (project.path / "undated.yaml").write_text(_dump(data), "utf-8")
    project.makefile(".case.yaml", undated="""
- name: Spring Festival 2026
  complaint_file: undated.yaml
  now: "2026-02-13T10:00:00+08:00"
  expect: {decision: eligible, reasons: [], due: {earliest: 2026-02-14, latest: 2026-02-25}}
""")
    project.runpytest().assert_outcomes(passed=1)


def test_the_plugin_knows_case_files_by_the_same_suffix() -> None:
    from eligibility import cases, pytest_plugin

    assert pytest_plugin.CASE_SUFFIX == cases.CASE_SUFFIX
