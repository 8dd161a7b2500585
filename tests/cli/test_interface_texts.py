"""The interface texts the faces ask for are exactly those `INTERFACE_FIELDS` declares, each
with the placeholders declared for it: the loader holds every policy's language files to that
table, so the table must not drift from what the command line and the catalog really word."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

import eligibility
from eligibility.catalog import render_markdown
from eligibility.judge.records import INTERFACE_FIELDS, Language

from ..conftest import ROOT, replace_in
from .conftest import Run

Asked = dict[str, set[frozenset[str]]]


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> Asked:
    """Every interface text asked for while the test runs, with the fields given for it."""
    calls: Asked = defaultdict(set)
    real = Language.text

    def text(self: Language, key: str, **fields: object) -> str:
        calls[key].add(frozenset(fields))
        return real(self, key, **fields)

    monkeypatch.setattr(Language, "text", text)
    return calls


def test_the_faces_ask_for_every_declared_text_with_its_fields(
        asked: Asked, run: Run, tmp_path: Path, policy: eligibility.Policy,
        policy_copy: tuple[Path, Path]) -> None:
    examples = sorted((ROOT / "examples").glob("*.yaml"))
    # A filing whose answer window lies in a year without an official schedule yet.
    later = tmp_path / "provisional.yaml"
    later.write_text((ROOT / "examples" / "tmall-global-cnipa-trademark.yaml").read_text("utf-8"),
                     "utf-8")
    replace_in(later, "2026-03-02T10:00:00+08:00", "2027-03-15T10:00:00+08:00")
    # An appeal counted in business days: no jurisdiction of the policy has one, a copy does.
    rules, jurisdictions = policy_copy
    replace_in(jurisdictions / "cn.yaml", "  day_kind: calendar", "  day_kind: business")
    replace_in(jurisdictions / "cn.yaml", "  last_day_moves_past_days_off: true\n", "")
    business = ["--rules", rules, "--jurisdictions", jurisdictions]
    for lang in policy.languages:
        assert run("check", "--lang", lang, *examples, later).exit_code == 1
        assert run("where", "--lang", lang, examples[0]).exit_code in (0, 1)
        render_markdown(policy, lang)
        for platform, day in [("taobao", "2026-03-02"), ("taobao", "2026-09-16"),  # moved
                              ("taobao", "2027-06-01"),  # provisional
                              ("taobao", "2018-03-02"),  # before the rule was in force
                              ("amazon.com", "2026-03-02"), ("aliexpress", "2026-03-02")]:
            assert run("appeal-deadline", "--lang", lang, platform,
                       f"{day}T10:00:00+08:00").exit_code == 0
        assert run(*business, "appeal-deadline", "--lang", lang, "taobao",
                   "2026-03-02T10:00:00+08:00").exit_code == 0
    assert set(asked) == set(INTERFACE_FIELDS)
    for key, given in asked.items():
        assert given == {INTERFACE_FIELDS[key]}, key


def test_the_packaged_policy_words_every_declared_text(policy: eligibility.Policy) -> None:
    for code in policy.languages:
        interface = policy.language(code).interface
        assert set(INTERFACE_FIELDS) == set(interface), code


def test_a_source_text_is_checked_before_any_face_would_fail_on_it(
        policy_copy: tuple[Path, Path]) -> None:
    # Without the check at load this policy loaded, and `check` on two files ended with an
    # internal error (KeyError) when it came to the totals line.
    lang = policy_copy[0] / "lang"
    replace_in(lang / "en.yaml", "{invalid} invalid", "{invalids} invalid")
    replace_in(lang / "zh-CN.yaml", "{invalid}件无效", "{invalids}件无效")
    with pytest.raises(eligibility.PolicyError, match=r"run\.totals may use only"):
        eligibility.load_policy(*policy_copy)
