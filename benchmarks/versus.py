"""This tree against v1 as it landed (commit eaa2be9), side by side in one run: the ratios the
speed targets are set in.

Each side runs in a process of its own (v1 from the throwaway environment of
``benchmarks/v1.py``), both judging the same complaints, and the two are asked in turns: one
round of this tree, one of v1, and so on, so that a busy spell of the shared machine slows both.
Throughput and warm loads are timed in CPU time of the measuring process (what the other
engineers' processes on the machine cannot add to); latency, HTTP and start-up in wall time.

The complaints are the benchmark mix (``benchmarks/mix.py``) as v1 can read it: v1 refuses the
fields and the platform Policy v2 added, so ``claim_statement`` and ``channel`` are left out and
Tmall Global (``tmall.hk``) filings go to Tmall. Both sides judge exactly these.

Run alone: ``python benchmarks/versus.py [--rounds 7] [--quick]``; ``benchmarks/run.py`` runs it
and writes the table into docs/performance.md.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

V2_ONLY_PLATFORMS = {"tmall.hk": "tmall"}


def readable_by_v1(complaint: dict[str, Any]) -> dict[str, Any]:
    """The complaint without what Policy v2 added (v1 refuses unknown fields and platforms)."""
    out: dict[str, Any] = json.loads(json.dumps(complaint, default=str))
    out.pop("channel", None)
    out.get("ip_right", {}).get("evidence", {}).pop("claim_statement", None)
    platform = str(out.get("platform"))
    out["platform"] = V2_ONLY_PLATFORMS.get(platform, platform)
    scope = (out.get("authorization") or {}).get("scope") or {}
    if scope.get("platforms"):
        scope["platforms"] = list(dict.fromkeys(V2_ONLY_PLATFORMS.get(p, p)
                                                for p in scope["platforms"]))
    return out


# --- the worker: runs under either interpreter and imports only the installed eligibility ------


def worker(mix_file: str) -> None:
    """Answer one JSON command per line of stdin with one JSON line on stdout."""
    import eligibility

    complaints = json.loads(Path(mix_file).read_text("utf-8"))
    policy = eligibility.load_policy()
    for _ in range(2):  # warm every cache and calendar year
        policy.evaluate_many(complaints)
    gc.collect()
    shuffled = list(complaints)
    random.Random(7).shuffle(shuffled)
    for line in sys.stdin:
        command = json.loads(line)
        op = command["op"]
        result: dict[str, Any]
        if op == "many":
            cpu, wall = time.process_time(), time.perf_counter()
            policy.evaluate_many(complaints)
            result = {"cpu": time.process_time() - cpu, "wall": time.perf_counter() - wall}
        elif op == "latency":
            times = []
            evaluate = policy.evaluate
            for complaint in shuffled:
                started = time.perf_counter()
                evaluate(complaint)
                times.append(time.perf_counter() - started)
            times.sort()
            result = {"p50": times[len(times) // 2], "p99": times[int(len(times) * 0.99)]}
        elif op == "load":
            cpu, wall = time.process_time(), time.perf_counter()
            eligibility.load_policy()
            result = {"cpu": time.process_time() - cpu, "wall": time.perf_counter() - wall}
        elif op == "batch":
            batch = complaints * (command["size"] // len(complaints))
            gc.collect()
            cpu = time.process_time()
            verdicts = policy.evaluate_many(batch)
            result = {"cpu": time.process_time() - cpu, "size": len(batch)}
            del verdicts, batch
            gc.collect()
        elif op == "quit":
            return
        else:
            result = {"error": f"unknown op {op!r}"}
        print(json.dumps(result), flush=True)


class Side:
    """One worker process."""

    def __init__(self, name: str, python: Path | str, mix_file: Path) -> None:
        self.name = name
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        self.process = subprocess.Popen(
            [str(python), str(Path(__file__).resolve()), "--worker", str(mix_file)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env,
            cwd=tempfile.gettempdir())  # never the checkout: v1 must not see ./src

    def ask(self, op: str, **args: Any) -> dict[str, Any]:
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.write(json.dumps({"op": op, **args}) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the {self.name} worker stopped")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def close(self) -> None:
        try:
            assert self.process.stdin is not None
            self.process.stdin.write(json.dumps({"op": "quit"}) + "\n")
            self.process.stdin.close()
            self.process.wait(timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait()


def alternate(now: Side, old: Side, rounds: int, op: str,
              **args: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``rounds`` answers of each side, asked in turns (the order swapped every round)."""
    mine: list[dict[str, Any]] = []
    theirs: list[dict[str, Any]] = []
    for n in range(rounds):
        for side in ((now, old) if n % 2 == 0 else (old, now)):
            (mine if side is now else theirs).append(side.ask(op, **args))
    return mine, theirs


def median_of(answers: list[dict[str, Any]], key: str) -> float:
    return float(statistics.median(a[key] for a in answers))


def in_process(rounds: int, quick: bool) -> dict[str, Any]:
    """Throughput, latency, warm load and batch flatness, this tree against v1."""
    sys.path.insert(0, str(ROOT))
    from benchmarks import v1
    from benchmarks.mix import SEED, SIZE, complaints

    mix = [readable_by_v1(c) for c in complaints(SIZE, SEED)]
    with tempfile.TemporaryDirectory() as folder:
        mix_file = Path(folder) / "mix.json"
        mix_file.write_text(json.dumps(mix), "utf-8")
        now = Side("this tree", sys.executable, mix_file)
        old = Side("v1", v1.python(), mix_file)
        try:
            many = alternate(now, old, rounds * 2, "many")
            latency = alternate(now, old, rounds, "latency")
            load = alternate(now, old, rounds * 2, "load")
            small, large = (2_000, 20_000) if quick else (10_000, 100_000)
            flat_small = [now.ask("batch", size=small) for _ in range(2)]
            flat_large = now.ask("batch", size=large)
            flat_small.append(now.ask("batch", size=small))
        finally:
            now.close()
            old.close()
    per_small = min(a["cpu"] / a["size"] for a in flat_small)
    per_large = flat_large["cpu"] / flat_large["size"]
    count = len(mix)
    return {
        "complaints": count,
        "many": {"now": count / median_of(many[0], "cpu"), "v1": count / median_of(many[1], "cpu"),
                 "rounds": len(many[0])},
        "p50": {"now": median_of(latency[0], "p50"), "v1": median_of(latency[1], "p50"),
                "rounds": len(latency[0])},
        "p99": {"now": median_of(latency[0], "p99"), "v1": median_of(latency[1], "p99")},
        "load": {"now": median_of(load[0], "cpu"), "v1": median_of(load[1], "cpu"),
                 "rounds": len(load[0])},
        "flat": {"small": small, "large": large, "per_small": per_small,
                 "per_large": per_large},
    }


def baseline_ratio(rounds: int) -> dict[str, Any]:
    """The engine against the hand-written baseline (benchmarks/baseline.py), same process."""
    sys.path.insert(0, str(ROOT))
    import eligibility
    from benchmarks.baseline import BaselinePolicy
    from benchmarks.bench_engine import latency, throughput
    from benchmarks.mix import SEED, SIZE, complaints

    policy, baseline = eligibility.load_policy(), BaselinePolicy()
    mix = complaints(SIZE, SEED)
    for _ in range(2):
        policy.evaluate_many(mix)
        baseline.evaluate_many(mix)
    gc.collect()
    many = throughput(policy, baseline, mix, max(rounds, 3) * 2)
    single = latency(policy, baseline, mix, max(1, rounds // 2))
    return {"many": many["ratio"], "p50": single["ratio_p50"]}


def http(seconds: float, rounds: int) -> dict[str, Any]:
    """Requests per second of /v1/evaluate, one worker each, the same load in turns."""
    sys.path.insert(0, str(ROOT))
    from benchmarks import bench_http, v1
    from benchmarks.mix import complaints

    bodies = [json.dumps(readable_by_v1(c)).encode() for c in complaints(bench_http.MIX_SIZE)]
    rps: dict[str, list[float]] = {"now": [], "v1": []}
    servers = {"now": bench_http.start_server(1),
               "v1": bench_http.start_server(1, python=v1.python())}
    run = bench_http.run_wrk if shutil.which("wrk") else bench_http.run_python_load
    try:
        for server in servers.values():  # warm both
            run(server.url, "/v1/evaluate", bodies, 2.0, 32)
        for n in range(rounds):
            for name in (("now", "v1") if n % 2 == 0 else ("v1", "now")):
                load = run(servers[name].url, "/v1/evaluate", bodies, seconds, 32)
                if load.errors:
                    raise RuntimeError(f"{name}: {load.errors} failed requests")
                rps[name].append(load.rps)
    finally:
        for server in servers.values():
            server.stop()
    tool = "wrk" if run is bench_http.run_wrk else "the asyncio client"
    return {"now": statistics.median(rps["now"]), "v1": statistics.median(rps["v1"]),
            "rounds": rounds, "seconds": seconds, "connections": 32, "tool": tool}


def startup(runs: int) -> dict[str, float]:
    sys.path.insert(0, str(ROOT))
    from benchmarks import bench_startup

    return bench_startup.measure(runs)


TARGETS = (
    # (key, label, target ratio, whether higher is better)
    ("many", "`evaluate_many` throughput, one core (complaints per CPU-second)", 1.5, True),
    ("p50", "`evaluate` p50 latency", 0.7, False),
    ("load", "warm `load_policy` (CPU time)", 0.5, False),
    ("http", "HTTP `/v1/evaluate` requests/s, one worker", 1.3, True),
    ("startup", "`eligibility check one.yaml`, new process (wall)", 0.6, False),
)


def run_all(rounds: int, quick: bool) -> dict[str, Any]:
    result = in_process(rounds, quick)
    result["baseline"] = baseline_ratio(rounds)
    result["http"] = http(3.0 if quick else 8.0, 2 if quick else 4)
    result["startup"] = startup(5 if quick else 15)
    return result


def _fmt(key: str, value: float) -> str:
    if key in ("many", "http"):
        return f"{value:,.0f}/s"
    if key in ("p50", "p99"):
        return f"{value * 1e6:,.0f} µs"
    if key == "load":
        return f"{value * 1e3:,.1f} ms"
    return f"{value * 1e3:,.0f} ms"


def table(result: dict[str, Any]) -> str:
    """The Markdown table of ratios."""
    rows = ["| figure | this tree | v1 (eaa2be9) | ratio | target | |",
            "|---|---:|---:|---:|---:|---|"]
    for key, label, target, higher in TARGETS:
        if key == "startup":
            now, old = result["startup"]["now_s"], result["startup"]["v1_s"]
        else:
            now, old = result[key]["now"], result[key]["v1"]
        ratio = now / old
        met = ratio >= target if higher else ratio <= target
        rows.append(f"| {label} | {_fmt(key, now)} | {_fmt(key, old)} | x{ratio:.2f} | "
                    f"{'≥' if higher else '≤'} x{target} | {'met' if met else '**missed**'} |")
    p99 = result["p99"]
    rows.append(f"| `evaluate` p99 latency | {_fmt('p99', p99['now'])} | "
                f"{_fmt('p99', p99['v1'])} | x{p99['now'] / p99['v1']:.2f} | | |")
    flat = result["flat"]
    growth = flat["per_large"] / flat["per_small"]
    rows.append(f"| CPU per complaint, {flat['large']:,}-complaint `evaluate_many` against "
                f"{flat['small']:,} (this tree) | {flat['per_large'] * 1e6:.1f} µs | "
                f"{flat['per_small'] * 1e6:.1f} µs | x{growth:.2f} | ≤ x1.10 | "
                f"{'met' if growth <= 1.10 else '**missed**'} |")
    base = result["baseline"]
    rows.append(f"| engine against the hand-written baseline (`evaluate_many` time; p50 "
                f"x{base['p50']:.2f}) | | | x{base['many']:.2f} | ≤ x1.3 | "
                f"{'met' if base['many'] <= 1.3 else '**missed**'} |")
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.worker)
        return
    result = run_all(args.rounds, args.quick)
    print(table(result))
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
