"""`eligibility where` and `--lang`: one complaint on every platform, in either language."""

from __future__ import annotations

import json

from eligibility.load.yaml import load_yaml

from ..conftest import EXAMPLES, FIXTURES
from .conftest import Run

US_BAND = EXAMPLES / "us-band-uspto-taobao.yaml"


def test_where_lists_every_platform_with_its_decision(run: Run) -> None:
    result = run("where", US_BAND)
    assert result.exit_code == 0, result.output  # eligible somewhere
    lines = result.stdout.splitlines()  # not a terminal: one line per platform, no header
    rows = {line.split()[0]: line for line in lines}
    assert len(rows) == len(lines)
    assert list(rows) == ["taobao", "tmall", "tmall.hk", "1688", "aliexpress", "alibaba.com",
                          "amazon.com", "amazon.de"]
    assert "ineligible" in rows["taobao"]
    assert "territory.not-protected-in-china" in rows["taobao"]
    assert " eligible " in rows["aliexpress"]
    assert "2026-03-03 .. 2026-03-05" in rows["aliexpress"]


def test_where_in_chinese(run: Run) -> None:
    result = run("where", "--lang", "zh-CN", US_BAND)
    assert result.exit_code == 0
    assert "不符合条件" in result.stdout
    assert "territory.not-protected-in-china" in result.stdout


def test_the_header_names_the_columns_in_the_language() -> None:
    import eligibility
    from eligibility.cli import render_where

    policy = eligibility.default_policy()
    everywhere = policy.evaluate_everywhere(load_yaml(US_BAND.read_text("utf-8")),
                                            lang="zh-CN")
    import click

    with_header = click.unstyle(render_where(everywhere, policy.language("zh-CN"), header=True))
    without = click.unstyle(render_where(everywhere, policy.language("zh-CN"), header=False))
    assert with_header.splitlines()[0].split()[:2] == ["平台", "判定结果"]
    assert with_header.splitlines()[1:] == without.splitlines()
    assert len(without.splitlines()) == len(policy.platforms)


def test_where_json_is_every_verdict(run: Run) -> None:
    import eligibility

    result = run("where", "--json", US_BAND)
    body = json.loads(result.stdout)
    expected = eligibility.evaluate_everywhere(load_yaml(US_BAND.read_text("utf-8")))
    assert body == {p: json.loads(v.model_dump_json()) for p, v in expected.items()}


def test_where_exits_1_when_no_platform_takes_it(run: Run, tmp_path: object) -> None:
    data = load_yaml(US_BAND.read_text("utf-8"))
    data["ip_right"]["status"] = "pending"
    data["ip_right"]["office"] = "CNIPA"
    result = run("where", "-", input=json.dumps(data, default=str))
    assert result.exit_code == 1, result.output
    assert "eligible " not in result.stdout.replace("ineligible", "")


def test_where_reports_invalid_input_with_exit_2(run: Run) -> None:
    result = run("where", "-", input='{"platform": "taobao"}')
    assert result.exit_code == 2
    assert "complainant" in result.stderr


def test_an_unknown_lang_is_refused_naming_the_languages(run: Run) -> None:
    for command in ("check", "where"):
        result = run(command, "--lang", "fr", FIXTURES / "complaints" /
                     "eligible-taobao-agent.yaml")
        assert result.exit_code == 2
        assert "en, zh-CN" in result.stderr
    assert run("rules", "--lang", "xx").exit_code == 2


def test_check_json_in_chinese(run: Run) -> None:
    result = run("check", "--json", "--lang", "zh-CN", US_BAND)
    verdict = json.loads(result.stdout)
    assert verdict["reasons"][0]["rule"] == "territory.not-protected-in-china"
    assert verdict["reasons"][0]["message"].startswith("该权利在中国大陆不受保护")


def test_rules_titles_in_chinese(run: Run) -> None:
    listing = json.loads(run("rules", "--json", "--lang", "zh-CN").stdout)
    titles = {r["id"]: r["title"] for r in listing}
    assert titles["agent.authorization-missing"] == "缺少授权委托书"
    table = run("rules", "--lang", "zh-CN").stdout
    assert "缺少授权委托书" in table


def test_check_summary_in_chinese(run: Run) -> None:
    amazon = EXAMPLES / "copyright-photographer-amazon-com.yaml"
    result = run("--no-color", "check", "--lang", "zh-CN", US_BAND, amazon)
    out = result.stdout
    assert "不符合条件" in out
    assert "处理建议：请以" in out
    assert "即按平台所在时区Asia/Shanghai确定的提交日期" in out
    assert "共2件投诉" in out
    assert "territory.not-protected-in-china" in out
