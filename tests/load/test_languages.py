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


def _drop_interface_text(policy_copy: tuple[Path, Path], key: str) -> None:
    """Leave an interface text out of every language file of the copy."""
    for path in sorted((policy_copy[0] / "lang").glob("*.yaml")):
        text = path.read_text("utf-8")
        kept = [line for line in text.splitlines() if not line.startswith(f"  {key}:")]
        assert len(kept) < len(text.splitlines()), f"{path.name} has no {key}"
        path.write_text("\n".join(kept) + "\n", "utf-8")


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


def test_an_interface_text_a_policy_leaves_out_is_the_packaged_one(
        policy_copy: tuple[Path, Path]) -> None:
    # A policy written for an earlier release of the command line lacks the texts added since:
    # it loads, each face words them as the packaged policy does in the same language, and the
    # loader says which texts it lent (`eligibility lint` prints them).
    _drop_interface_text(policy_copy, "run.totals")
    checked = loader.check(*policy_copy)
    assert checked.problems == ()
    assert checked.loaded is not None
    assert checked.loaded.borrowed == {"en": ("run.totals",), "zh-CN": ("run.totals",)}
    copy, packaged = eligibility.load_policy(*policy_copy), eligibility.load_policy()
    for code in ("en", "zh-CN"):
        assert copy.language(code).interface["run.totals"] == \
            packaged.language(code).interface["run.totals"]
    assert loader.check().loaded.borrowed == {}  # type: ignore[union-attr]


def test_a_misspelt_interface_key_is_named(policy_copy: tuple[Path, Path]) -> None:
    # Renamed in both files, it would otherwise load with the packaged text in its place.
    lang = policy_copy[0] / "lang"
    replace_in(lang / "en.yaml", "\n  verdict.head:", "\n  verdict.heads:")
    replace_in(lang / "zh-CN.yaml", "\n  verdict.head:", "\n  verdict.heads:")
    assert problems(policy_copy) == [
        "en.yaml: interface: verdict.heads is not a text any face uses"]


def test_a_translation_lacking_what_its_source_lacks_borrows_it(
        policy_copy: tuple[Path, Path]) -> None:
    # Dropped from both files, so no translation is missing against the source; the copy's
    # Chinese takes the packaged Chinese text, not the English one.
    _drop_interface_text(policy_copy, "verdict.due")
    copy = eligibility.load_policy(*policy_copy)
    assert copy.language("zh-CN").interface["verdict.due"].startswith("平台应于")


def test_an_interface_placeholder_no_face_fills_is_named(
        policy_copy: tuple[Path, Path]) -> None:
    lang = policy_copy[0] / "lang"
    replace_in(lang / "en.yaml", "{total} complaints:", "{total} complaints from {filer}:")
    replace_in(lang / "zh-CN.yaml", "共{total}件投诉", "{filer}共{total}件投诉")
    assert problems(policy_copy) == [
        "en.yaml: interface: run.totals may use only the placeholders ['eligible', "
        "'incomplete', 'ineligible', 'invalid', 'total'], not ['filer']"]
