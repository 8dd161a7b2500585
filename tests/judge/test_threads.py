"""Eight threads judging different complaints at once: every verdict is right.

The engine's C core keeps process-wide state and one live session per ruleset; evaluations are
serialised around it. These tests make threads switch as often as the interpreter allows, so
any interleaving the lock failed to prevent (a fact asserted into another thread's session,
actions drained by the wrong caller) would show as a wrong verdict. "Right" means identical to
the hand-written baseline's verdict for the same complaint, computed on one thread.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

import eligibility

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.baseline import BaselinePolicy  # noqa: E402
from benchmarks.mix import complaints as mix  # noqa: E402

THREADS = 8
PER_THREAD = 150
ROUNDS = 3


@contextmanager
def frequent_switches() -> Iterator[None]:
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield
    finally:
        sys.setswitchinterval(before)


def run_threads(work: Callable[[int], None]) -> None:
    """Start ``THREADS`` threads on ``work(n)`` at the same moment; re-raise the first error."""
    start = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def body(n: int) -> None:
        try:
            start.wait()
            work(n)
        except BaseException as exc:  # collected and re-raised on the main thread
            errors.append(exc)

    threads = [threading.Thread(target=body, args=(n,)) for n in range(THREADS)]
    with frequent_switches():
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
    assert not any(t.is_alive() for t in threads), "a thread is stuck"
    if errors:
        raise errors[0]


@pytest.fixture(scope="module")
def cases(policy: eligibility.Policy) -> list[tuple[dict[str, Any], str]]:
    complaints = mix(THREADS * PER_THREAD, seed=23)
    baseline = BaselinePolicy()
    return [(c, baseline.evaluate(c).model_dump_json()) for c in complaints]


def test_eight_threads_get_the_verdicts_one_thread_gets(
        policy: eligibility.Policy, cases: list[tuple[dict[str, Any], str]]) -> None:
    wrong: list[str] = []
    done = [0] * THREADS

    def work(n: int) -> None:
        mine = cases[n * PER_THREAD:(n + 1) * PER_THREAD]
        for _ in range(ROUNDS):
            for complaint, expected in mine:
                if policy.evaluate(complaint).model_dump_json() != expected:
                    wrong.append(f"thread {n}: {complaint['platform']}")
                done[n] += 1

    run_threads(work)
    assert done == [PER_THREAD * ROUNDS] * THREADS
    assert not wrong, wrong[:5]


def test_threads_on_two_policies_and_batches_at_once(
        cases: list[tuple[dict[str, Any], str]]) -> None:
    # Two loaded policies have rulesets of their own in the same core; half the threads use
    # each, some one complaint at a time and some in batches.
    policies = [eligibility.load_policy(), eligibility.load_policy()]
    wrong: list[int] = []

    def work(n: int) -> None:
        policy = policies[n % 2]
        mine = cases[n * PER_THREAD:(n + 1) * PER_THREAD]
        if n % 4 < 2:
            got = [v.model_dump_json() for v in policy.evaluate_many(c for c, _ in mine)]
        else:
            got = [policy.evaluate(c).model_dump_json() for c, _ in mine]
        wrong.extend(i for i, (json, (_, expected)) in enumerate(zip(got, mine, strict=True))
                     if json != expected)

    run_threads(work)
    assert not wrong


def test_invalid_complaints_on_other_threads_do_not_disturb_verdicts(
        policy: eligibility.Policy, cases: list[tuple[dict[str, Any], str]]) -> None:
    invalid = [{**c, "submitted_at": "9999-12-31T23:59:59-12:00"} for c, _ in cases[:50]]
    wrong: list[int] = []
    refused = [0]

    def work(n: int) -> None:
        if n % 2:
            for complaint in invalid:
                with pytest.raises(eligibility.InvalidComplaint):
                    policy.evaluate(complaint)
                refused[0] += 1
        else:
            for i, (complaint, expected) in enumerate(cases[n * PER_THREAD:][:PER_THREAD]):
                if policy.evaluate(complaint).model_dump_json() != expected:
                    wrong.append(i)

    run_threads(work)
    assert refused[0] == len(invalid) * THREADS // 2
    assert not wrong
