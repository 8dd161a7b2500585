"""Verdict snapshots: the exact JSON of every example, case and benchmark-mix verdict.

A change that is meant to leave behaviour alone (a refactoring, an optimisation) must leave every
verdict byte for byte as it was; a change of policy shows up here as a reviewable diff. The
snapshot files are regenerated on purpose, never by the test:

    python -m tests.snapshot --update      (or: make snapshot)

Cases without a submission time are judged at their own ``now`` or, failing that, at ``NOW``
below, so that a snapshot does not depend on the day it is taken.
"""

from __future__ import annotations

import gzip
import sys
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import eligibility
from eligibility.cases import find_case_files, load_cases
from eligibility.load.yaml import load_yaml

ROOT = Path(__file__).resolve().parents[1]
FOLDER = Path(__file__).resolve().parent / "snapshots"
NOW = datetime(2026, 6, 1, 4, 0, tzinfo=timezone.utc)


def _examples(policy: eligibility.Policy) -> Iterator[str]:
    for path in sorted((ROOT / "examples").glob("*.yaml")):
        verdict = policy.evaluate(load_yaml(path.read_text("utf-8")), now=NOW)
        yield f"{path.name}\t{verdict.model_dump_json()}"


def _cases(policy: eligibility.Policy) -> Iterator[str]:
    for path in find_case_files([ROOT / "tests" / "cases"]):
        for case in load_cases(path):
            try:
                line = policy.evaluate(case.complaint, now=case.now or NOW).model_dump_json()
            except eligibility.InvalidComplaint as exc:
                line = f"invalid {exc.errors()}"
            yield f"{path.name}:{case.line}\t{line}"


def _mix(policy: eligibility.Policy) -> Iterator[str]:
    from benchmarks.mix import complaints

    for index, complaint in enumerate(complaints()):
        yield f"{index}\t{policy.evaluate(complaint, now=NOW).model_dump_json()}"


SOURCES = {"examples": _examples, "cases": _cases, "mix": _mix}


def path_of(name: str) -> Path:
    return FOLDER / f"{name}.jsonl.gz"


def current(name: str, policy: eligibility.Policy) -> list[str]:
    return list(SOURCES[name](policy))


def stored(name: str) -> list[str]:
    with gzip.open(path_of(name), "rt", encoding="utf-8") as handle:
        return handle.read().splitlines()


def update() -> None:
    policy = eligibility.load_policy()
    FOLDER.mkdir(exist_ok=True)
    for name in SOURCES:
        lines = current(name, policy)
        # mtime=0: the same verdicts give the same file bytes, so git sees no change.
        with open(path_of(name), "wb") as raw, gzip.GzipFile(
                fileobj=raw, mode="wb", mtime=0, filename="") as handle:
            handle.write(("\n".join(lines) + "\n").encode("utf-8"))
        print(f"{path_of(name).relative_to(ROOT)}: {len(lines)} verdicts")


if __name__ == "__main__":
    if sys.argv[1:] != ["--update"]:
        sys.exit("usage: python -m tests.snapshot --update")
    update()
