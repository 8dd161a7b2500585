"""Every benchmark in one command; the engine's results go into docs/performance.md.

    python benchmarks/run.py               # the ratios against v1, the engine benchmarks,
                                           # then the other bench_*.py
    python benchmarks/run.py --versus-only # only the table of ratios against v1 (eaa2be9)
    python benchmarks/run.py --soak        # also the million-complaint soak (minutes)
    python benchmarks/run.py --engine-only --quick

Only the parts of docs/performance.md between this script's markers are rewritten; sections
others write there (the HTTP service's) are kept as they are.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import soak, versus  # noqa: E402
from benchmarks.bench_engine import machine, run_all  # noqa: E402
from benchmarks.report import (  # noqa: E402
    ENGINE_BEGIN,
    ENGINE_END,
    SOAK_BEGIN,
    SOAK_END,
    VERSUS_BEGIN,
    VERSUS_END,
    engine_section,
    soak_section,
    versus_section,
)

DOC = ROOT / "docs" / "performance.md"
TITLE = "# Performance"
OTHERS = ("bench_calendar.py", "bench_everywhere.py", "bench_http.py")


def replace_block(text: str, begin: str, end: str, body: str, after: str | None = None) -> str:
    """``text`` with the block between ``begin`` and ``end`` replaced by ``body``. A file
    without the block gets it after the block marked ``after`` if there is one, else before
    its first section, so the engine's results come before sections written by others."""
    block = f"{begin}\n{body.rstrip()}\n{end}"
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        _, tail = rest.split(end, 1)
        return head + block + tail
    if not text.strip():
        return f"{TITLE}\n\n{block}\n"
    if after and after in text:
        head, tail = text.split(after, 1)
        return f"{head}{after}\n\n{block}{tail}"
    lines = text.splitlines(keepends=True)
    first = next((i for i, line in enumerate(lines) if line.startswith("## ")), len(lines))
    head, tail = "".join(lines[:first]).rstrip(), "".join(lines[first:])
    return f"{head}\n\n{block}\n\n{tail}".rstrip() + "\n"


def write_doc(path: Path, blocks: Sequence[tuple[str, str, str]]) -> None:
    text = path.read_text("utf-8") if path.exists() else ""
    for begin, end, body in blocks:
        text = replace_block(text, begin, end, body, after=ENGINE_END)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="rounds of the latency run")
    parser.add_argument("--quick", action="store_true", help="fewer and smaller runs")
    parser.add_argument("--soak", action="store_true", help="run the 1,000,000-complaint soak")
    parser.add_argument("--engine-only", action="store_true",
                        help="skip the other benchmarks (bench_calendar.py, bench_http.py)")
    parser.add_argument("--versus-only", action="store_true",
                        help="only the ratios against v1 as it landed (benchmarks/versus.py)")
    parser.add_argument("--no-versus", action="store_true",
                        help="skip the ratios against v1")
    parser.add_argument("--doc", type=Path, default=DOC, help="the file to write")
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")

    blocks = []
    if not args.no_versus:
        compared = versus.run_all(args.rounds, args.quick)
        table = versus_section(compared, machine())
        print(table)
        blocks.append((VERSUS_BEGIN, VERSUS_END, table))
        if args.versus_only:
            write_doc(args.doc, blocks)
            print(f"wrote {args.doc}")
            return 0
    results = run_all(args.rounds, args.quick)
    section = engine_section(results)
    print(section)
    blocks.append((ENGINE_BEGIN, ENGINE_END, section))
    if args.soak:
        total = 100_000 if args.quick else 1_000_000
        outcome = soak.soak(total, total // 10, total // 10)
        soaked = soak_section(outcome, machine())
        print(soaked)
        blocks.append((SOAK_BEGIN, SOAK_END, soaked))
    write_doc(args.doc, blocks)
    print(f"wrote {args.doc}")

    failed = 0
    if not args.engine_only:
        for name in OTHERS:
            script = ROOT / "benchmarks" / name
            if script.exists():
                print(f"\n$ python benchmarks/{name}", flush=True)
                failed |= subprocess.run([sys.executable, str(script)], cwd=ROOT).returncode
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
