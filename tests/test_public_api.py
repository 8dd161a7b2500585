"""The public surface is exactly what docs/api.md documents, and it is typed."""

from __future__ import annotations

import re
import subprocess
import sys

import eligibility

from .conftest import ROOT


def documented_names() -> set[str]:
    table = (ROOT / "docs" / "api.md").read_text("utf-8")
    return set(re.findall(r"^\| `([A-Za-z_]+)", table, re.M))


def test_all_is_exactly_the_documented_surface() -> None:
    assert set(eligibility.__all__) == documented_names()
    for name in eligibility.__all__:
        assert hasattr(eligibility, name), name


def documented_policy_members() -> set[str]:
    table = (ROOT / "docs" / "api.md").read_text("utf-8")
    return set(re.findall(r"^\| `Policy\.([A-Za-z_]+)", table, re.M))


def test_policy_members_are_exactly_the_documented_ones(policy: eligibility.Policy) -> None:
    public = {name for name in (*vars(policy), *vars(type(policy))) if not name.startswith("_")}
    assert public == documented_policy_members()


def test_the_package_is_typed() -> None:
    assert (ROOT / "src" / "eligibility" / "py.typed").is_file()


def test_invalid_complaint_is_a_value_error() -> None:
    assert issubclass(eligibility.InvalidComplaint, ValueError)


def test_importing_the_library_loads_no_http_stack() -> None:
    code = ("import sys, eligibility; eligibility.default_policy(); "
            "print([m for m in ('fastapi', 'uvicorn', 'starlette') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]"


def test_the_public_functions_resolve_their_type_hints() -> None:
    # The package imports its names lazily; their annotations must still resolve, for
    # documentation tools and runtime checkers.
    import inspect
    import typing

    for name in ("default_policy", "evaluate", "evaluate_many", "evaluate_everywhere",
                 "load_policy"):
        function = getattr(eligibility, name)
        hints = typing.get_type_hints(function)
        assert "return" in hints, name
        inspect.signature(function, eval_str=True)
    assert typing.get_type_hints(eligibility.evaluate)["return"] is eligibility.Verdict
