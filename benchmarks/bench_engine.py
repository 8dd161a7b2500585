"""Engine speed on the 1,000-complaint mix, always side by side with the hand-written baseline.

The machine these run on is shared and its speed drifts from one second to the next, so no
figure is taken alone: the engine and the baseline are timed alternately, complaint by
complaint or round by round, and their ratio is what carries over between runs. Absolute
figures come with the load average they were taken under.

Run alone: ``python benchmarks/bench_engine.py [--rounds 5]``; ``benchmarks/run.py`` runs it
and writes the results into docs/performance.md.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import importlib.metadata
import os
import platform
import pstats
import random
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import eligibility  # noqa: E402
from benchmarks.baseline import BaselinePolicy  # noqa: E402
from benchmarks.machine import cpu_model  # noqa: E402
from benchmarks.mix import SEED, SIZE  # noqa: E402
from benchmarks.mix import complaints as mix  # noqa: E402
from eligibility.judge import engine  # noqa: E402
from eligibility.judge.facts import build as build_facts  # noqa: E402
from eligibility.judge.program import Match  # noqa: E402

TARGETS = {"p50_us": 120.0, "per_second": 10_000.0, "ratio": 2.0, "load_ms": 300.0,
           "speedup_2": 1.8}
clock = time.perf_counter


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    model = cpu_model()
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count() or 1
    memory = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True, cwd=ROOT, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"

    def version(name: str) -> str:
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            return "not installed"

    return {
        "cpu": model, "cores": usable, "memory_gb": round(memory / 2**30, 1),
        "os": platform.platform(terse=True), "python": platform.python_version(),
        "durable_rules": version("durable-rules"), "pydantic": version("pydantic"),
        "commit": commit, "when": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "load_before": round(os.getloadavg()[0], 2),
    }


def _percentile(sorted_values: Sequence[float], fraction: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, int(fraction * len(sorted_values)))]


def latency(policy: eligibility.Policy, baseline: BaselinePolicy, complaints: list[Any],
            rounds: int) -> dict[str, Any]:
    """One evaluation at a time, engine and baseline alternating on each complaint."""
    sides: dict[str, Callable[[Any], object]] = {"engine": policy.evaluate,
                                                 "baseline": baseline.evaluate}
    times: dict[str, list[float]] = {name: [] for name in sides}
    order = list(complaints)
    shuffle = random.Random(SEED)
    for n in range(rounds):
        shuffle.shuffle(order)
        for i, complaint in enumerate(order):
            pair = ("engine", "baseline") if (i + n) % 2 == 0 else ("baseline", "engine")
            for name in pair:
                started = clock()
                sides[name](complaint)
                times[name].append(clock() - started)
    out: dict[str, Any] = {"evaluations": len(order) * rounds}
    for name, values in times.items():
        values.sort()
        out[name] = {"p50_us": _percentile(values, 0.5) * 1e6,
                     "p90_us": _percentile(values, 0.9) * 1e6,
                     "p99_us": _percentile(values, 0.99) * 1e6,
                     "mean_us": statistics.fmean(values) * 1e6}
    out["ratio_p50"] = out["engine"]["p50_us"] / out["baseline"]["p50_us"]
    out["ratio_mean"] = out["engine"]["mean_us"] / out["baseline"]["mean_us"]
    return out


def throughput(policy: eligibility.Policy, baseline: BaselinePolicy, complaints: list[Any],
               rounds: int) -> dict[str, Any]:
    """``evaluate_many`` over the whole mix on one core, engine and baseline round by round."""
    runs: dict[str, list[float]] = {"engine": [], "baseline": []}
    cpu: dict[str, list[float]] = {"engine": [], "baseline": []}
    ratios: list[float] = []
    for n in range(rounds):
        pair = ("engine", "baseline") if n % 2 == 0 else ("baseline", "engine")
        took: dict[str, float] = {}
        for name in pair:
            many = policy.evaluate_many if name == "engine" else baseline.evaluate_many
            started, cpu_started = clock(), time.process_time()
            many(complaints)
            took[name] = clock() - started
            cpu[name].append(time.process_time() - cpu_started)
            runs[name].append(took[name])
        ratios.append(took["engine"] / took["baseline"])
    count = len(complaints)
    return {
        "rounds": rounds, "complaints": count,
        "engine_per_second": count / statistics.median(runs["engine"]),
        "baseline_per_second": count / statistics.median(runs["baseline"]),
        "engine_best_per_second": count / min(runs["engine"]),
        "engine_cpu_per_second": count / statistics.median(cpu["engine"]),
        "ratio": statistics.median(ratios),
        "ratio_spread": (min(ratios), max(ratios)),
    }


def phases(policy: eligibility.Policy, baseline: BaselinePolicy, complaints: list[Any],
           rounds: int) -> dict[str, Any]:
    """Mean time per complaint in each step of an evaluation, timed step by step."""
    names = ("validation", "fact", "engine: encode", "engine: core", "verdict",
             "baseline rules")
    totals = dict.fromkeys(names, 0.0)
    judge = baseline.judge
    for _ in range(rounds):
        for complaint in complaints:
            t0 = clock()
            parsed = judge.parse(complaint)
            t1 = clock()
            program = judge.programs[parsed.platform]
            assert parsed.submitted_at is not None
            facts = build_facts(parsed, program.profile, judge.jurisdictions,
                                parsed.submitted_at)
            t2 = clock()
            engine.encode(facts.engine)
            t3 = clock()
            fired = program.ruleset.fire(facts.engine)
            t4 = clock()
            judge.conclude(Match(program, facts, fired), "en")
            t5 = clock()
            baseline.plans[parsed.platform].fire(facts.engine)
            t6 = clock()
            totals["validation"] += t1 - t0
            totals["fact"] += t2 - t1
            totals["engine: encode"] += t3 - t2
            totals["engine: core"] += (t4 - t3) - (t3 - t2)  # fire encodes again
            totals["verdict"] += t5 - t4
            totals["baseline rules"] += t6 - t5
    count = len(complaints) * rounds
    return {name: total / count * 1e6 for name, total in totals.items()}


PROFILE_STEPS = {
    "validation": ("program.py", "parse"),
    "fact": ("facts.py", "build"),
    "engine (encode, core, actions)": ("engine.py", "fire"),
    "verdict": ("verdict.py", "assemble"),
}


def profile(policy: eligibility.Policy, complaints: list[Any]) -> dict[str, Any]:
    """cProfile over ``evaluate_many``: each step's share, and the costliest functions."""
    profiler = cProfile.Profile()
    profiler.enable()
    policy.evaluate_many(complaints)
    profiler.disable()
    stats = pstats.Stats(profiler)
    table: dict[tuple[str, int, str], tuple[Any, ...]] = stats.stats  # type: ignore[attr-defined]
    total = sum(row[2] for row in table.values())  # internal times add up to the whole
    steps: dict[str, float] = {}
    for label, (file, function) in PROFILE_STEPS.items():
        steps[label] = sum(row[3] for (path, _, name), row in table.items()
                           if path.endswith(file) and name == function) / total
    steps["other (evaluate, GC, glue)"] = max(0.0, 1 - sum(steps.values()))
    top = sorted(table.items(), key=lambda item: item[1][2], reverse=True)[:12]
    functions = [(f"{Path(path).name}:{name}" if path != "~" else name, row[2] / total)
                 for (path, _, name), row in top]
    return {"steps": steps, "functions": functions}


def load_times(runs: int) -> dict[str, Any]:
    """``load_policy`` in a warm process, and ``import`` plus ``load_policy`` in a fresh one."""
    warm = []
    for _ in range(runs):
        started = clock()
        eligibility.load_policy()
        warm.append(clock() - started)
    code = ("import time; t = time.perf_counter(); import eligibility; "
            "eligibility.load_policy(); print(time.perf_counter() - t)")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"),
                                                        os.environ.get("PYTHONPATH", "")])}
    cold = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                 check=True, env=env).stdout) for _ in range(3)]
    return {"warm_ms": statistics.median(warm) * 1e3, "warm_best_ms": min(warm) * 1e3,
            "cold_ms": statistics.median(cold) * 1e3, "runs": runs}


def scaling(policy: eligibility.Policy, complaints: list[Any], copies: int,
            workers: Sequence[int], rounds: int) -> dict[str, Any]:
    """``evaluate_many(..., workers=N)`` on a larger batch, the counts alternating each round."""
    batch = complaints * copies
    wall: dict[int, list[float]] = {n: [] for n in workers}
    cpu: dict[int, list[float]] = {n: [] for n in workers}

    def used() -> float:
        own = resource.getrusage(resource.RUSAGE_SELF)
        kids = resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime

    for n in range(rounds):
        for count in (workers if n % 2 == 0 else list(reversed(workers))):
            started, cpu_started = clock(), used()
            policy.evaluate_many(batch, workers=count)
            wall[count].append(clock() - started)
            cpu[count].append(used() - cpu_started)
    one = statistics.median(wall[workers[0]])
    return {
        "complaints": len(batch), "rounds": rounds,
        "rows": [{"workers": count,
                  "per_second": len(batch) / statistics.median(wall[count]),
                  "speedup": one / statistics.median(wall[count]),
                  "cpu_us_per_complaint": statistics.median(cpu[count]) / len(batch) * 1e6}
                 for count in workers],
    }


def run_all(rounds: int, quick: bool = False) -> dict[str, Any]:
    """Every engine measurement, in the order the report shows them."""
    result: dict[str, Any] = {"machine": machine()}
    policy = eligibility.load_policy()
    baseline = BaselinePolicy()
    complaints = mix(SIZE, SEED)
    for _ in range(2):  # warm every cache and calendar year either side uses
        policy.evaluate_many(complaints)
        baseline.evaluate_many(complaints)
    gc.collect()
    result["mix"] = {"size": len(complaints), "seed": SEED,
                     "decisions": _decisions(policy, complaints)}
    result["latency"] = latency(policy, baseline, complaints, rounds)
    result["throughput"] = throughput(policy, baseline, complaints, max(rounds, 3) * 2)
    result["phases"] = phases(policy, baseline, complaints, max(1, rounds // 2))
    result["profile"] = profile(policy, complaints)
    result["load"] = load_times(3 if quick else 10)
    result["scaling"] = scaling(policy, complaints, 2 if quick else 20, (1, 2),
                                2 if quick else 3)
    result["machine"]["load_after"] = round(os.getloadavg()[0], 2)
    return result


def _decisions(policy: eligibility.Policy, complaints: list[Any]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for verdict in policy.evaluate_many(complaints):
        counts[str(verdict.decision)] = counts.get(str(verdict.decision), 0) + 1
    return counts


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="fewer and smaller runs")
    args = parser.parse_args(argv)
    from benchmarks.report import engine_section

    print(engine_section(run_all(args.rounds, args.quick)))


if __name__ == "__main__":
    main()
