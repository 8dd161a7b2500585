"""Prometheus metrics of the service, served at ``GET /metrics``.

Teams that run this service watch volume, decisions, failing rules and latency in the Prometheus
and Grafana they already have, so the numbers come from ``prometheus-client``, the library every
Python service uses, in its text format.

Several workers: each uvicorn worker is its own process with its own counters, and a scrape
reaches one of them at random. ``serve`` therefore runs prometheus-client's *multiprocess mode*
when it starts more than one worker: it points ``PROMETHEUS_MULTIPROC_DIR`` at an empty folder
(emptied at every start, so counts never carry over from an earlier run) before the workers
start; each worker then keeps its values in memory-mapped files there, and whichever worker
answers a scrape adds up every worker's files. With one worker the values stay in the process.

The hot path stays cheap: a verdict costs one counter increment for its decision and one per
failed rule, on label children looked up once and cached, and a request one histogram observation
and one counter increment after its answer was sent.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Collection
from pathlib import Path

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector

from ..models import Decision, Verdict

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = CONTENT_TYPE_LATEST
OTHER_ROUTE = "other"  # every path the service does not serve, so labels stay few
BATCH_BUCKETS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000)
DURATION_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
                    5.0, 10.0)


def prepare_multiprocess_dir(path: str | Path) -> None:
    """Make ``path`` an empty folder for a fresh run's metric files."""
    folder = Path(path)
    if folder.is_dir():
        for entry in folder.iterdir():
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
    else:
        folder.mkdir(parents=True)


class Metrics:
    """The service's series, in a registry of their own (one per app, so apps built side by side
    in one process, as tests do, do not count each other's requests)."""

    def __init__(self, *, version: str, digest: str, platforms: Collection[str] = (),
                 rules: Collection[str] = ()) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.routes: frozenset[str] = frozenset()  # set by expect_routes once the app has them
        r = self.registry
        self.evaluations = Counter("eligibility_evaluations", "Complaints judged, by platform "
                                   "and decision", ["platform", "decision"], registry=r)
        self.rule_failures = Counter("eligibility_rule_failures", "Failed rules (warnings "
                                     "included) in the verdicts given", ["rule"], registry=r)
        self.invalid = Counter("eligibility_invalid_complaints", "Complaints refused as "
                               "invalid (a 422, or a batch entry with errors)", registry=r)
        self.requests = Counter("eligibility_requests", "HTTP requests answered, by route and "
                                "status", ["route", "status"], registry=r)
        self.duration = Histogram("eligibility_request_duration_seconds", "Time from the "
                                  "request's arrival to the end of its answer", ["route"],
                                  buckets=DURATION_BUCKETS, registry=r)
        self.batch_size = Histogram("eligibility_batch_size", "Complaints per batch request",
                                    buckets=BATCH_BUCKETS, registry=r)
        self.lost_lines = Counter("eligibility_decision_log_lost_lines", "Decision log lines "
                                  "that could not be written", registry=r)
        self.policy = Gauge("eligibility_policy_info", "The policy this service judges with "
                            "(always 1)", ["version", "digest"], registry=r,
                            multiprocess_mode="max")
        self.policy.labels(version, digest).set(1)
        self.lost_lines.inc(0)
        self.invalid.inc(0)
        self._decision: dict[tuple[str, str], Counter] = {}
        self._rule: dict[str, Counter] = {}
        self._request: dict[tuple[str, int], tuple[Counter, Histogram]] = {}
        # Every platform, decision and rule of the policy starts at zero, so a query over them
        # sees 0 rather than no series until the first occurrence.
        for platform in platforms:
            for decision in Decision:
                self._decision[platform, decision.value] = self.evaluations.labels(
                    platform, decision.value)
        for rule in rules:
            self._rule[rule] = self.rule_failures.labels(rule)

    def expect_routes(self, routes: Collection[str], timed: Collection[str] = ()) -> None:
        """The paths that are labels (any other is "other"); ``timed`` ones start their
        latency histogram at zero."""
        self.routes = frozenset(routes)
        for route in timed:
            self.duration.labels(route)

    def judged(self, verdict: Verdict) -> None:
        key = (verdict.platform, verdict.decision.value)
        child = self._decision.get(key)
        if child is None:
            child = self._decision[key] = self.evaluations.labels(*key)
        child.inc()
        for reason in verdict.reasons:
            rule = self._rule.get(reason.rule)
            if rule is None:
                rule = self._rule[reason.rule] = self.rule_failures.labels(reason.rule)
            rule.inc()

    def answered(self, path: str, status: int, seconds: float) -> None:
        """One request answered (or dropped: status 499)."""
        key = (path if path in self.routes else OTHER_ROUTE, status)
        children = self._request.get(key)
        if children is None:
            children = self._request[key] = (self.requests.labels(key[0], str(status)),
                                              self.duration.labels(key[0]))
        children[0].inc()
        children[1].observe(seconds)

    def render(self) -> bytes:
        """The text exposition: this process's series, or every worker's in multiprocess mode."""
        if os.environ.get(MULTIPROC_ENV):
            registry = CollectorRegistry()
            MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
            return generate_latest(registry)
        return generate_latest(self.registry)
