"""Soak: judge a million complaints in one process and watch resident memory.

The engine's C core keeps per-session state that has leaked in other designs, and every cache
on the way (names, due windows) must stay bounded, so memory is watched over a long run rather
than assumed. Complaints cycle through the benchmark mix with their listing URLs changed each
time, and one in a hundred is made invalid, so error paths run too.

    python benchmarks/soak.py                      # 1,000,000 complaints, RSS every 100,000
    python benchmarks/soak.py --total 50000 --every 5000 --warmup 10000 --json

Exit status 1 when resident memory grew by more than ``--limit-mb`` after the warm-up.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import eligibility  # noqa: E402
from benchmarks.mix import complaints as mix  # noqa: E402

INVALID_EVERY = 100


def rss_bytes() -> int:
    """Resident set size of this process, now (not the peak)."""
    try:
        import psutil
    except ImportError:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    return int(psutil.Process().memory_info().rss)


def stream(total: int) -> Iterator[Any]:
    """``total`` complaints: the mix over and over, every listing URL new each time."""
    base = mix()
    for n in range(total):
        complaint = dict(base[n % len(base)])
        if n % INVALID_EVERY == INVALID_EVERY - 1:
            complaint["platform"] = 7  # invalid: exercises the error path
        else:
            complaint["infringement"] = {
                "kind": complaint["infringement"]["kind"],
                "listings": [f"{url}&n={n}" for url in complaint["infringement"]["listings"]]}
        yield complaint


def soak(total: int, every: int, warmup: int,
         policy: eligibility.Policy | None = None) -> dict[str, Any]:
    """Judge ``total`` complaints, sampling RSS every ``every``; growth counts after ``warmup``."""
    policy = policy or eligibility.load_policy()
    samples: list[tuple[int, int]] = [(0, rss_bytes())]
    counts = {"verdicts": 0, "invalid": 0}
    started = time.perf_counter()
    for n, complaint in enumerate(stream(total), start=1):
        try:
            policy.evaluate(complaint)
            counts["verdicts"] += 1
        except eligibility.InvalidComplaint:
            counts["invalid"] += 1
        if n % every == 0 or n == total:
            samples.append((n, rss_bytes()))
    elapsed = time.perf_counter() - started
    after_warmup = [rss for n, rss in samples if n >= warmup]
    baseline = after_warmup[0] if after_warmup else samples[-1][1]
    growth = max(after_warmup, default=baseline) - baseline
    return {"total": total, "every": every, "warmup": warmup, "seconds": round(elapsed, 1),
            "per_second": round(total / elapsed), "samples": samples,
            "growth_after_warmup_bytes": growth, **counts}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--total", type=int, default=1_000_000)
    parser.add_argument("--every", type=int, default=100_000)
    parser.add_argument("--warmup", type=int, default=100_000,
                        help="complaints judged before growth starts to count")
    parser.add_argument("--limit-mb", type=float, default=10.0)
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    for name in ("total", "every"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    result = soak(args.total, args.every, args.warmup)
    result["limit_bytes"] = int(args.limit_mb * 1024 * 1024)
    result["ok"] = result["growth_after_warmup_bytes"] < result["limit_bytes"]
    if args.json:
        print(json.dumps(result))
    else:
        print(f"{'complaints':>12} {'RSS (MB)':>10}")
        for n, rss in result["samples"]:
            print(f"{n:>12,} {rss / 2**20:>10.1f}")
        print(f"{result['total']:,} complaints in {result['seconds']} s "
              f"({result['per_second']:,}/s); {result['invalid']:,} invalid")
        print(f"growth after {args.warmup:,}: "
              f"{result['growth_after_warmup_bytes'] / 2**20:.2f} MB "
              f"(limit {args.limit_mb} MB): {'ok' if result['ok'] else 'TOO MUCH'}")
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
