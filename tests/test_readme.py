"""The README's Python example runs and prints what its comments say."""

from __future__ import annotations

import contextlib
import io
import re

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
