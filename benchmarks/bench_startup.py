"""Start-up: ``eligibility check one.yaml`` in a new process, this tree against v1 as it landed.

Every command-line call pays for importing the package and loading the policy before it judges
anything, so the wall time of one whole ``check`` is what a user feels. The two are run
alternately (one of each, repeatedly), so that a busy spell of the machine slows both, and the
figure is the ratio of their medians.

Run: ``python benchmarks/bench_startup.py [--runs 15]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import v1  # noqa: E402

EXAMPLE = ROOT / "examples" / "us-band-uspto-taobao.yaml"


# Both sides run as an installed package does: with compiled bytecode. pip compiled v1's when it
# installed it; this tree is installed in editable mode, so its bytecode is written by the warm-up
# run, which PYTHONDONTWRITEBYTECODE (set in some shells and CI) would prevent: without it every
# run would compile the package's modules from source again, a cost no installed copy pays.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def wall(command: Sequence[str | Path]) -> float:
    start = time.perf_counter()
    subprocess.run([str(c) for c in command], stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=False, env=ENV)
    return time.perf_counter() - start


def measure(runs: int) -> dict[str, float]:
    here: list[str | Path] = [Path(sys.executable).parent / "eligibility", "check", EXAMPLE]
    before: list[str | Path] = [v1.command(), "check", EXAMPLE]
    wall(here), wall(before)  # warm the file cache and compiled bytecode of both
    times: dict[str, list[float]] = {"now": [], "v1": []}
    for _ in range(runs):
        times["now"].append(wall(here))
        times["v1"].append(wall(before))
    now, old = statistics.median(times["now"]), statistics.median(times["v1"])
    return {"now_s": now, "v1_s": old, "ratio": now / old}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args(argv)
    result = measure(args.runs)
    print(f"eligibility check one.yaml, median of {args.runs} new processes each:")
    print(f"  this tree: {result['now_s'] * 1e3:7.0f} ms")
    print(f"  v1 ({v1.V1_COMMIT}): {result['v1_s'] * 1e3:7.0f} ms")
    print(f"  ratio: x{result['ratio']:.2f}")


if __name__ == "__main__":
    main()
