"""The package's layout holds: imports point one way, without cycles, and no module reaches into
another's private names (docs/architecture.md)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import grimp

import eligibility

from .conftest import ROOT

SRC = Path(eligibility.__file__).resolve().parent
OURS = frozenset({"eligibility", "benchmarks", "tests"})


def test_the_layers_contract_holds() -> None:
    run = subprocess.run([str(Path(sys.executable).parent / "lint-imports")], cwd=ROOT,
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def test_no_module_imports_itself_back_through_others() -> None:
    graph = grimp.build_graph("eligibility", cache_dir=None)
    modules = sorted(graph.modules)
    # Tarjan's strongly connected components: any component of two or more is a cycle.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for other in sorted(graph.find_modules_directly_imported_by(module)):
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in on_stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == module:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in modules:
        if module not in index:
            visit(module)
    assert cycles == []


def _private_reaches(path: Path) -> list[str]:
    """``x._name`` or ``getattr(x, "_name")`` where x is an imported module, and
    ``from m import _name``."""
    tree = ast.parse(path.read_text("utf-8"))
    modules: set[str] = set()
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules |= {(a.asname or a.name).split(".")[0] for a in node.names
                        if a.name.split(".")[0] in OURS}
        elif isinstance(node, ast.ImportFrom) and (
                node.level or (node.module or "").split(".")[0] in OURS):
            for alias in node.names:
                if alias.name.startswith("_") and not alias.name.startswith("__"):
                    found.append(f"{path.name}:{node.lineno}: from {node.module} import "
                                 f"{alias.name}")
                modules.add(alias.asname or alias.name)
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and node.attr.startswith("_")
                and not node.attr.startswith("__") and isinstance(node.value, ast.Name)
                and node.value.id in modules):
            found.append(f"{path.name}:{node.lineno}: {node.value.id}.{node.attr}")
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
              and node.func.id in ("getattr", "setattr", "delattr") and len(node.args) >= 2
              and isinstance(node.args[0], ast.Name) and node.args[0].id in modules
              and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str)
              and node.args[1].value.startswith("_")
              and not node.args[1].value.startswith("__")):
            found.append(f"{path.name}:{node.lineno}: {node.func.id}({node.args[0].id}, "
                         f"{node.args[1].value!r})")
    return found


def test_no_module_reads_another_modules_private_names() -> None:
    files = [*SRC.rglob("*.py"), *(ROOT / "tests").rglob("*.py"),
             *(ROOT / "benchmarks").glob("*.py")]
    found = [reach for path in files for reach in _private_reaches(path)]
    assert found == []
