"""What the decision log and the metrics cost per request.

The decision log writes one line per judged complaint on the request's own path (one ``write``
system call, no queue), and every request counts into the metrics. Both must not slow the
service noticeably, so this benchmark times ``POST /v1/evaluate`` through the ASGI app (no
socket: the server's own cost would only dilute the difference) over the benchmark mix, with
the log off, on (to a file), and on with the complaints themselves, and reports CPU microseconds
per request and the ratio to "off". It also times the metrics' share of a request alone.

Run: ``python benchmarks/bench_decision_log.py [--rounds 5] [--repeats 5]``
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.bench_http import asgi_calls, best_cpu_us, bodies_of_mix  # noqa: E402


def measure(rounds: int, repeats: int) -> dict[str, float]:
    """Best-of-``repeats`` CPU microseconds per request for each setting, interleaved so that
    the machine's load weighs on each alike."""
    import eligibility
    from eligibility.server import create_app
    from eligibility.server.metrics import Metrics

    policy = eligibility.default_policy()
    bodies = bodies_of_mix()
    sink = open(os.devnull, "w")  # noqa: SIM115 - the access log, as serve() writes it
    folder = Path(tempfile.mkdtemp(prefix="eligibility-bench-"))
    apps = {
        "off_us": create_app(policy, access_log=sink),
        "on_us": create_app(policy, access_log=sink, decision_log=folder / "decisions.jsonl"),
        "on_with_input_us": create_app(policy, access_log=sink, decision_log_input=True,
                                       decision_log=folder / "with-input.jsonl"),
    }
    verdicts = [policy.evaluate(json.loads(b)) for b in bodies]
    metrics = Metrics(version=policy.version, digest=policy.digest)
    metrics.expect_routes(["/v1/evaluate"])

    def metrics_alone() -> None:
        for _ in range(rounds):
            for verdict in verdicts:
                metrics.judged(verdict)
                metrics.answered("/v1/evaluate", 200, 0.001)

    def through(app: Any) -> Callable[[], object]:
        return lambda: asyncio.run(asgi_calls(app, "POST", "/v1/evaluate", bodies, rounds))

    runs: dict[str, Callable[[], object]] = {name: through(app) for name, app in apps.items()}
    runs["metrics_us"] = metrics_alone
    calls = rounds * len(bodies)
    best = best_cpu_us(runs, repeats, calls)
    lines = sum(1 for _ in (folder / "decisions.jsonl").open("rb"))
    if lines != calls * repeats:
        raise RuntimeError(f"expected {calls * repeats} decision lines, found {lines}")
    return best


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="passes over the mix per timing")
    parser.add_argument("--repeats", type=int, default=5, help="timings per setting (best kept)")
    args = parser.parse_args(argv)
    best = measure(args.rounds, args.repeats)
    off = best["off_us"]
    print(f"POST /v1/evaluate through the app, CPU microseconds per request (best of "
          f"{args.repeats}):")
    for name, value in best.items():
        ratio = "" if name == "metrics_us" else f"  ({value / off:.3f} x off)"
        print(f"  {name[:-3]:<16} {value:8.1f}{ratio}")


if __name__ == "__main__":
    main()
