"""`eligibility lint` over language files: every problem in one run."""

from __future__ import annotations

from pathlib import Path

from ..conftest import replace_in
from .conftest import Run


def test_lint_lists_every_language_problem_at_once(policy_copy: tuple[Path, Path],
                                                   run: Run) -> None:
    replace_in(policy_copy[0] / "lang" / "zh-CN.yaml", "  tmall: 天猫\n", "")
    replace_in(policy_copy[0] / "lang" / "en.yaml", '  where.none: "none"\n', "")
    result = run("--rules", policy_copy[0], "--jurisdictions", policy_copy[1], "lint")
    assert result.exit_code == 2
    assert "platforms: no zh-CN text for tmall" in result.stderr
    assert "interface: where.none is not in the source language" in result.stderr
    assert "2 problem(s) found" in result.stderr


def test_lint_names_the_interface_texts_a_policy_borrows(run: Run) -> None:
    from eligibility.judge.records import INTERFACE_FIELDS

    from ..conftest import FIXTURES

    v1 = FIXTURES / "policy_v1"  # written before languages: every interface text is lent
    result = run("--rules", v1 / "rules", "--jurisdictions", v1 / "jurisdictions", "lint")
    assert result.exit_code == 0, result.output
    [ok, note] = result.stdout.splitlines()
    assert ok.startswith("ok: 25 rules, 7 platforms")
    every = len(INTERFACE_FIELDS)
    assert note.startswith(f"note: {every} en interface text(s) taken from the packaged policy, "
                           "which this policy's files leave out: decision.eligible, ")
    assert note.endswith(f" and {every - 8} more")
    packaged = run("lint")
    assert packaged.exit_code == 0
    assert "note:" not in packaged.stdout
