"""docs/rules.md is the catalog rendered from the policy; it must never fall behind rules/."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import eligibility
from eligibility.catalog import regenerate_command, render_markdown
from eligibility.judge.vocabulary import FIELDS

from ..conftest import ROOT, replace_in

CATALOG = ROOT / "docs" / "rules.md"


def test_docs_rules_md_is_up_to_date(policy: eligibility.Policy) -> None:
    committed = CATALOG.read_text("utf-8")
    assert committed == render_markdown(policy), ("docs/rules.md is stale; run: "
                                                 f"{regenerate_command('en', 'en')}")


def test_every_language_has_its_catalog_and_it_is_up_to_date(
        policy: eligibility.Policy) -> None:
    for lang in policy.languages[1:]:
        path = ROOT / "docs" / f"rules.{lang}.md"
        command = regenerate_command(lang, policy.languages[0])
        assert path.is_file(), f"docs/rules.{lang}.md is missing; run: {command}"
        assert path.read_text("utf-8") == render_markdown(policy, lang), \
            f"docs/rules.{lang}.md is stale; run: {command}"


def test_the_chinese_catalog_is_worded_in_chinese(policy: eligibility.Policy) -> None:
    text = render_markdown(policy, "zh-CN")
    english = render_markdown(policy)
    assert text.startswith("# 规则目录\n")
    for info in policy.catalog:
        assert f"\n### {info.id}\n" in text  # the same ids and anchors as the English edition
        assert info.texts["zh-CN"].title in text
        assert info.texts["zh-CN"].message in text or not info.platforms
    assert text.count("\n### ") == english.count("\n### ")


def test_every_rule_has_a_row_and_a_section(policy: eligibility.Policy) -> None:
    text = render_markdown(policy)
    for info in policy.catalog:
        assert f"\n### {info.id}\n" in text
        row = next(line for line in text.splitlines() if line.startswith(f"| [`{info.id}`]"))
        assert f"| {info.severity} |" in row
        assert info.title in row
    for pid in policy.platforms:
        assert f"\n| `{pid}` |" in text
    for field in FIELDS:
        assert f"\n| `{field.name}` |" in text


def test_links_point_at_headings(policy: eligibility.Policy) -> None:
    text = render_markdown(policy)
    headings = {re.sub(r"[^a-z0-9_-]", "", h.lower())
                for h in re.findall(r"^#+ (.+)$", text, flags=re.MULTILINE)}
    links = re.findall(r"\]\(#([^)]+)\)", text)
    assert len(links) == len(policy.catalog)
    assert set(links) <= headings


def test_the_catalog_follows_the_rule_files(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    replace_in(rules / "territory.yaml", "title: Right not protected in mainland China",
               "title: Needs a right that covers mainland China")
    replace_in(rules / "platforms.yaml", "listing_domains: [tmall.com]",
               "listing_domains: [tmall.com, tmall.com.hk]")
    rendered = render_markdown(eligibility.load_policy(rules, ROOT / "jurisdictions"))
    assert "| Needs a right that covers mainland China |" in rendered
    assert "Right not protected in mainland China" not in rendered
    assert "| `tmall.com`, `tmall.com.hk` | `m.tb.cn`, `tb.cn` |" in rendered


def test_rendering_is_deterministic() -> None:
    first = render_markdown(eligibility.load_policy())
    second = render_markdown(eligibility.load_policy())
    assert first == second
