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
