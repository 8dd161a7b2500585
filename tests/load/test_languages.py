"""Language files are checked at load like every policy file: a missing or stray text, a
placeholder changed in translation, an undeclared or missing file are problems naming the file;
and a third language is a data change only."""

from __future__ import annotations

import shutil
from pathlib import Path

import eligibility
from eligibility.load import loader

from ..conftest import replace_in


def problems(policy_copy: tuple[Path, Path]) -> list[str]:
    found = loader.check(*policy_copy).problems
    return [f"{Path(p.file).name}: {p.problem}" for p in found]


def test_the_packaged_languages_are_complete(policy_copy: tuple[Path, Path]) -> None:
    assert problems(policy_copy) == []


def test_a_missing_rule_text_is_named(policy_copy: tuple[Path, Path]) -> None:
    replace_in(policy_copy[0] / "lang" / "zh-CN.yaml", "  agent.authorization-unsigned:",
               "  agent.authorisation-unsigned:")
    assert problems(policy_copy) == [
        "zh-CN.yaml: rules: no zh-CN text for agent.authorization-unsigned",
        "zh-CN.yaml: rules: agent.authorisation-unsigned is not in the policy"]


def test_a_changed_placeholder_is_named(policy_copy: tuple[Path, Path]) -> None:
    replace_in(policy_copy[0] / "lang" / "zh-CN.yaml", "{earliest}", "{earlyest}", 1)
    [problem] = problems(policy_copy)
    assert problem.startswith("zh-CN.yaml: interface: verdict.due must use the placeholders")


def test_a_missing_platform_name_is_named(policy_copy: tuple[Path, Path]) -> None:
    replace_in(policy_copy[0] / "lang" / "zh-CN.yaml", "  tmall: 天猫\n", "")
    assert problems(policy_copy) == ["zh-CN.yaml: platforms: no zh-CN text for tmall"]


def test_declared_and_present_files_must_agree(policy_copy: tuple[Path, Path]) -> None:
    rules = policy_copy[0]
    shutil.copy(rules / "lang" / "zh-CN.yaml", rules / "lang" / "fr.yaml")
    replace_in(rules / "policy.yaml", "[en, zh-CN]", "[en, zh-CN, ja]")
    assert problems(policy_copy) == [
        "fr.yaml: language fr is not among policy.yaml's languages (en, zh-CN, ja); declare it "
        "or remove the file",
        "ja.yaml: missing: policy.yaml declares the language ja"]


def test_a_third_language_is_a_data_change(policy_copy: tuple[Path, Path]) -> None:
    rules = policy_copy[0]
    text = (rules / "lang" / "zh-CN.yaml").read_text("utf-8")
    (rules / "lang" / "zh-TW.yaml").write_text(
        text.replace("language: zh-CN", "language: zh-TW").replace("name: 简体中文",
                                                                    "name: 繁體中文")
        .replace("缺少授权委托书", "缺少授權委託書"), "utf-8")
    replace_in(rules / "policy.yaml", "[en, zh-CN]", "[en, zh-CN, zh-TW]")
    policy = eligibility.load_policy(*policy_copy)
    assert policy.languages == ("en", "zh-CN", "zh-TW")
    complaint = {"platform": "taobao", "submitted_at": "2026-03-02T10:00:00+08:00",
                 "complainant": {"kind": "organization", "name": "Agent Co"},
                 "rights_holder": {"kind": "organization", "name": "Owner Co"},
                 "ip_right": {"type": "trademark", "status": "registered", "office": "CNIPA"},
                 "infringement": {"kind": "counterfeit"}}
    reasons = {r.rule: r for r in policy.evaluate(complaint, lang="zh-TW").reasons}
    assert reasons["agent.authorization-missing"].message
    titles = {r.id: r.texts["zh-TW"].title for r in policy.catalog}
    assert titles["agent.authorization-missing"] == "缺少授權委託書"


def test_a_missing_problem_wording_is_named(policy_copy: tuple[Path, Path]) -> None:
    chinese = policy_copy[0] / "lang" / "zh-CN.yaml"
    replace_in(chinese, '  too_deep: "投诉的嵌套层级过深。"\n', "")
    replace_in(chinese, "{max_length}个字符", "{maxlength}个字符")
    assert problems(policy_copy) == [
        "zh-CN.yaml: problems: no zh-CN text for too_deep",
        "zh-CN.yaml: problems: string_too_long may use only the placeholders ['max_length'], "
        "not ['maxlength']"]
