"""Flat cost at any batch size: CPU per complaint of one large ``evaluate_many`` against 10,000.

The mix is repeated to the sizes asked; the 10,000-complaint batch runs four times around the
large one (best of them taken), all in one process, so the figure is their ratio.

Run: ``python benchmarks/bench_flat.py [--large 1000000]``
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import eligibility  # noqa: E402
from benchmarks.mix import complaints  # noqa: E402

SMALL = 10_000


def cpu_per_complaint(policy: eligibility.Policy, size: int) -> float:
    base = complaints()
    batch = base * (size // len(base))
    start = time.process_time()
    verdicts = policy.evaluate_many(batch)
    took = time.process_time() - start
    del verdicts, batch
    gc.collect()
    return took / size * 1e6


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    policy = eligibility.default_policy()
    cpu_per_complaint(policy, SMALL)  # warm: calendars, caches, templates
    small = [cpu_per_complaint(policy, SMALL) for _ in range(3)]
    large = cpu_per_complaint(policy, args.large)
    small.append(cpu_per_complaint(policy, SMALL))
    best = min(small)
    print(f"{SMALL:,} complaints: {best:.1f} µs of CPU per complaint (runs: "
          f"{', '.join(f'{s:.1f}' for s in small)})")
    print(f"{args.large:,} complaints: {large:.1f} µs; ratio x{large / best:.3f}")


if __name__ == "__main__":
    main()
