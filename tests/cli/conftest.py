"""The command line, invoked in-process (click's CliRunner), for every test of tests/cli."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from eligibility.cli import cli

Run = Callable[..., Result]


@pytest.fixture
def run() -> Run:
    """Invoke the command line in-process; unexpected exceptions propagate and fail the test."""
    runner = CliRunner()

    def invoke(*args: str | Path, input: str | None = None) -> Result:
        return runner.invoke(cli, [str(a) for a in args], input=input, catch_exceptions=False)

    return invoke
