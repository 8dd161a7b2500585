"""Judging a complaint on every platform: ``evaluate_everywhere`` against one ``evaluate`` call
per platform, side by side in one run.

``evaluate_everywhere`` validates the complaint once and then builds one fact and makes one
engine call per platform; the alternative a user would otherwise write validates it once per
platform. Both are timed alternately over the benchmark mix, best of several passes, and the
figure is their ratio (the machine's absolute speed varies too much between runs to compare).

Run: ``python benchmarks/bench_everywhere.py [--passes 5] [--size 300]``
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import eligibility  # noqa: E402
from benchmarks.mix import complaints as mix  # noqa: E402


def best_seconds(run: Callable[[], object], passes: int) -> float:
    best = float("inf")
    for _ in range(passes):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


def measure(passes: int, size: int) -> dict[str, float]:
    policy = eligibility.default_policy()
    complaints = mix()[:size]
    platforms = list(policy.platforms)

    def everywhere() -> None:
        for complaint in complaints:
            policy.evaluate_everywhere(complaint)

    def one_by_one() -> None:
        for complaint in complaints:
            for platform in platforms:
                policy.evaluate({**complaint, "platform": platform})

    everywhere()
    one_by_one()  # warm both paths: calendars, caches
    times: dict[str, list[float]] = {"everywhere": [], "separate": []}
    for _ in range(passes):  # alternate, so a slow spell of the machine hits both
        times["everywhere"].append(best_seconds(everywhere, 1))
        times["separate"].append(best_seconds(one_by_one, 1))
    best = {name: min(values) for name, values in times.items()}
    return {
        "complaints": float(len(complaints)),
        "platforms": float(len(platforms)),
        "everywhere_us": best["everywhere"] / len(complaints) * 1e6,
        "separate_us": best["separate"] / len(complaints) * 1e6,
        "ratio": best["everywhere"] / best["separate"],
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passes", type=int, default=5)
    parser.add_argument("--size", type=int, default=300)
    args = parser.parse_args(argv)
    result: dict[str, Any] = measure(args.passes, args.size)
    print(f"evaluate_everywhere over {int(result['complaints'])} complaints, "
          f"{int(result['platforms'])} platforms each:")
    print(f"  everywhere: {result['everywhere_us']:8.0f} µs per complaint")
    print(f"  {int(result['platforms'])} x evaluate: {result['separate_us']:8.0f} µs per complaint")
    print(f"  ratio everywhere / separate calls: x{result['ratio']:.2f}")


if __name__ == "__main__":
    main()
