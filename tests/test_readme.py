"""The README's Python example and command lines run and do what its comments say."""

from __future__ import annotations

import contextlib
import glob
import io
import re
import shlex
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from eligibility.cli import cli

from .conftest import ROOT


def test_readme_example_prints_what_it_promises() -> None:
    text = (ROOT / "README.md").read_text("utf-8")
    code = re.search(r"```python\n(.*?)```", text, re.S)
    assert code is not None
    promised = [line.split("# ", 1)[1].strip() for line in code.group(1).splitlines()
                if line.startswith("print(") and "# " in line and "JSON" not in line]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code.group(1), "README.md", "exec"), {})  # the README is our own text
    printed = out.getvalue().splitlines()
    assert printed[: len(promised)] == promised


def _command_block() -> list[str]:
    text = (ROOT / "README.md").read_text("utf-8")
    section = text[text.index("## Command line"):]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block is not None
    return [line for line in block.group(1).splitlines() if line.strip()]


def test_readme_commands_run_as_written(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each command line of the README, from the checkout's top, as a newcomer would type it.

    The shell's part (globs, ``<``) is done here; ``serve`` would not return, so only its name
    is checked.
    """
    lines = _command_block()
    assert lines[0] == ". .venv/bin/activate"  # what makes the bare command work
    monkeypatch.chdir(ROOT)
    runner = CliRunner()
    ran = []
    for line in lines[1:]:
        words = shlex.split(line, comments=True)
        assert words[0] == "eligibility", line
        args, stdin = [], None
        for index, word in enumerate(words[1:], start=1):
            if word == "<":
                stdin = Path(words[index + 1]).read_text("utf-8")
                break
            args += sorted(glob.glob(word)) if "*" in word else [word]
        if args[:1] == ["serve"]:
            assert "serve" in cli.list_commands(click.Context(cli))
            continue
        result = runner.invoke(cli, args, input=stdin, catch_exceptions=False)
        assert result.exit_code in (0, 1), f"{line}\n{result.output}"
        ran.append(args[0])
    assert {"check", "test", "rules", "lint", "--version"} <= set(ran)


def test_readme_completion_line_gives_a_bash_completion() -> None:
    text = (ROOT / "README.md").read_text("utf-8")
    found = re.search(r'eval "\$\((_ELIGIBILITY_COMPLETE)=(bash_source) eligibility\)"', text)
    assert found is not None
    result = CliRunner().invoke(cli, [], env={found[1]: found[2]}, prog_name="eligibility")
    assert result.exit_code == 0
    assert "complete -o nosort -F _eligibility_completion eligibility" in result.output


def test_every_file_the_readme_names_exists() -> None:
    # A file moved (tests/test_cli.py became tests/cli/test_cli.py) must not leave the README
    # pointing newcomers at nothing.
    text = (ROOT / "README.md").read_text("utf-8")
    named = set(re.findall(r"\b((?:tests|examples|docs|benchmarks|rules|jurisdictions|src)/"
                           r"[\w./-]*\w\.(?:py|yaml|md|json|png))\b", text))
    assert named
    assert sorted(p for p in named if not (ROOT / p).exists()) == []
