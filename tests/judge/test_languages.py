"""Verdicts in every language of the policy: the same decision, rule ids and facts; only the
human-readable texts change, and they come from the policy's language files."""

from __future__ import annotations

from typing import Any

import pytest

import eligibility
from eligibility.load.yaml import load_yaml

from ..conftest import EXAMPLES


def _example(name: str) -> dict[str, Any]:
    data = load_yaml((EXAMPLES / name).read_text("utf-8"))
    assert isinstance(data, dict)
    return data


def _neutral(verdict: eligibility.Verdict) -> dict[str, Any]:
    out = verdict.model_dump(mode="json")
    for reason in out["reasons"]:
        del reason["message"], reason["remediation"]
    return out


def test_the_policy_declares_english_and_chinese(policy: eligibility.Policy) -> None:
    assert policy.languages == ("en", "zh-CN")
    assert policy.language().code == "en"
    assert policy.language("zh-CN").name == "简体中文"


@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLES.glob("*.yaml")))
def test_only_the_texts_change_with_the_language(policy: eligibility.Policy, name: str) -> None:
    complaint = _example(name)
    english = policy.evaluate(complaint)
    assert policy.evaluate(complaint, lang="en").model_dump_json() == english.model_dump_json()
    chinese = policy.evaluate(complaint, lang="zh-CN")
    assert _neutral(chinese) == _neutral(english)
    texts = policy.language("zh-CN").rules
    for reason in chinese.reasons:
        assert reason.message == texts[reason.rule].message
        assert reason.remediation == texts[reason.rule].remediation
        # Chinese text, not the English one left in place
        assert any("\u4e00" <= ch <= "\u9fff" for ch in reason.message), reason.rule


def test_a_chinese_verdict_is_byte_identical_across_calls(policy: eligibility.Policy) -> None:
    complaint = _example("us-band-uspto-taobao.yaml")
    first = policy.evaluate(complaint, lang="zh-CN").model_dump_json()
    assert first == policy.evaluate(complaint, lang="zh-CN").model_dump_json()
    assert "该权利在中国大陆不受保护" in first


def test_every_rule_has_its_texts_in_every_language(policy: eligibility.Policy) -> None:
    for rule in policy.catalog:
        assert set(rule.texts) == set(policy.languages), rule.id
        assert rule.texts["en"].message == rule.message


def test_an_unknown_language_names_those_available(policy: eligibility.Policy,
                                                   complaint: dict[str, Any]) -> None:
    for call in (lambda: policy.evaluate(complaint, lang="fr"),
                 lambda: policy.evaluate_many([complaint], lang="fr"),
                 lambda: policy.evaluate_everywhere(complaint, lang="fr"),
                 lambda: eligibility.evaluate(complaint, lang="zh")):
        with pytest.raises(ValueError, match=r"unknown language .*en, zh-CN"):
            call()


@pytest.mark.parametrize("lang", [5, b"en", ["en"]])
def test_a_language_that_is_not_text_is_a_value_error(policy: eligibility.Policy,
                                                       complaint: dict[str, Any],
                                                       lang: object) -> None:
    for call in (lambda: policy.evaluate(complaint, lang=lang),  # type: ignore[arg-type]
                 lambda: policy.language(lang),  # type: ignore[arg-type]
                 lambda: policy.appeal_deadline("taobao", "2026-03-02T10:00:00+08:00",
                                                lang=lang)):  # type: ignore[arg-type]
        with pytest.raises(ValueError, match=r"lang must be a language code such as 'en', "
                                             r"'zh-CN', not "):
            call()


def test_batches_are_worded_in_the_language_asked(policy: eligibility.Policy) -> None:
    complaints = [_example(p.name) for p in sorted(EXAMPLES.glob("*.yaml"))]
    one_by_one = [policy.evaluate(c, lang="zh-CN").model_dump_json() for c in complaints]
    assert [v.model_dump_json() for v in policy.evaluate_many(complaints, lang="zh-CN")] == \
        one_by_one
    lazily = policy.iter_evaluate(complaints, lang="zh-CN")
    assert [v.model_dump_json() for v in lazily if isinstance(v, eligibility.Verdict)] == \
        one_by_one


def test_input_problems_are_worded_in_the_language_asked(policy: eligibility.Policy,
                                                        complaint: dict[str, Any]) -> None:
    bad = {**complaint, "platform": "ebay",
           "complainant": {**complaint["complainant"], "name": "!"},
           "ip_right": {**complaint["ip_right"], "number": 58231907}}
    with pytest.raises(eligibility.InvalidComplaint) as english:
        policy.evaluate(bad)
    with pytest.raises(eligibility.InvalidComplaint) as chinese:
        policy.evaluate(bad, lang="zh-CN")
    paths = [p.path for p in english.value.problems]
    assert paths == [p.path for p in chinese.value.problems]  # the same problems, same fields
    assert [p.code for p in english.value.problems] == [p.code for p in chinese.value.problems]
    worded = {p.path: p.message for p in chinese.value.problems}
    assert worded["platform"].startswith("未知平台 'ebay'")
    assert worded["complainant.name"] == "名称中至少应有一个字母、汉字或数字。"
    assert "注册号应为文本" in worded["ip_right.number"]
    assert english.value.problems[0].message.startswith("unknown platform 'ebay'")
    with pytest.raises(eligibility.InvalidComplaint) as everywhere:
        policy.evaluate_everywhere(bad, lang="zh-CN")
    assert {p.message for p in everywhere.value.problems} >= set(worded.values()) - {
        worded["platform"]}
    with pytest.raises(eligibility.InvalidComplaint) as batch:
        policy.evaluate_many([complaint, bad], lang="zh-CN")
    assert batch.value.problems[0].path == "1.platform"
    assert batch.value.problems[0].message == worded["platform"]


def test_every_kind_of_problem_has_its_chinese_wording(policy: eligibility.Policy) -> None:
    from eligibility.models import PROBLEM_CODES

    assert set(policy.language("zh-CN").problems) == set(PROBLEM_CODES)
    assert policy.language("en").problems == {}
