"""``evaluate_many(..., workers=N)``: the same verdicts, errors and order as one by one."""

from __future__ import annotations

import gc
import os
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

import eligibility
from eligibility.judge import batch as parallel

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.mix import complaints as mix  # noqa: E402

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="workers need fork")


def _json(verdicts: list[eligibility.Verdict]) -> list[str]:
    return [v.model_dump_json() for v in verdicts]


@pytest.fixture(scope="module")
def batch() -> list[dict[str, Any]]:
    return mix(600, seed=11)


def test_workers_give_the_same_verdicts_in_the_same_order(
        policy: eligibility.Policy, batch: list[dict[str, Any]]) -> None:
    one_by_one = _json(policy.evaluate_many(batch))
    assert len(set(one_by_one)) > 500  # the batch is varied, so order matters
    assert _json(policy.evaluate_many(batch, workers=2)) == one_by_one
    assert _json(policy.evaluate_many(iter(batch), workers=3)) == one_by_one


def test_workers_accept_parsed_complaints_and_apply_now(policy: eligibility.Policy,
                                                        batch: list[dict[str, Any]]) -> None:
    undated = [{k: v for k, v in c.items() if k != "submitted_at"} for c in batch[:300]]
    parsed = [policy.parse(c) for c in undated]
    now = datetime(2026, 2, 13, 12, 0, tzinfo=timezone.utc)
    expected = _json(policy.evaluate_many(parsed, now=now))
    assert {v.day0.isoformat() for v in policy.evaluate_many(parsed[:5], now=now)} == {
        "2026-02-13"}
    assert _json(policy.evaluate_many(parsed, now=now, workers=2)) == expected


def test_the_first_invalid_complaint_is_reported_by_position(
        policy: eligibility.Policy, batch: list[dict[str, Any]]) -> None:
    broken: list[Any] = list(batch)
    broken[450] = {**batch[450], "platform": "ebay"}
    broken[520] = 7
    with pytest.raises(eligibility.InvalidComplaint) as sequential:
        policy.evaluate_many(broken)
    with pytest.raises(eligibility.InvalidComplaint) as spread:
        policy.evaluate_many(broken, workers=2)
    assert spread.value.errors() == sequential.value.errors()
    assert spread.value.errors()[0]["path"] == "450.platform"


@pytest.mark.parametrize("workers", [0, -2, True, 2.0, "2", None])
def test_a_bad_worker_count_is_refused_by_name(policy: eligibility.Policy,
                                               workers: Any) -> None:
    with pytest.raises(ValueError, match="workers must be"):
        policy.evaluate_many([], workers=workers)


def test_small_batches_stay_in_process(policy: eligibility.Policy,
                                       batch: list[dict[str, Any]],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    def no_fork(*_: object) -> None:
        raise AssertionError("a small batch started worker processes")

    monkeypatch.setattr("multiprocessing.get_context", no_fork)
    small = batch[:2 * parallel.MIN_CHUNK - 1]
    assert _json(policy.evaluate_many(small, workers=4)) == _json(policy.evaluate_many(small))


def test_forking_while_another_thread_evaluates(policy: eligibility.Policy,
                                                batch: list[dict[str, Any]]) -> None:
    # The fork waits for the engine to be idle, so no worker inherits a half-asserted fact or
    # a lock held by a thread that does not exist in it.
    stop = threading.Event()
    seen: list[str] = []

    def keep_evaluating() -> None:
        while not stop.is_set():
            seen.append(policy.evaluate(batch[0]).model_dump_json())

    thread = threading.Thread(target=keep_evaluating)
    thread.start()
    try:
        expected = _json(policy.evaluate_many(batch[:300]))
        for _ in range(3):
            assert _json(policy.evaluate_many(batch[:300], workers=2)) == expected
    finally:
        stop.set()
        thread.join()
    assert seen
    assert set(seen) == {policy.evaluate(batch[0]).model_dump_json()}


def test_a_fork_waits_until_the_engine_is_idle() -> None:
    # Held by another thread at the moment of a fork, the engine's lock would stay held for
    # good in the child; the fork hook makes the fork wait for it instead.
    from eligibility.judge import engine

    held = threading.Event()

    def hold() -> None:
        with engine.LOCK:
            held.set()
            time.sleep(0.3)

    thread = threading.Thread(target=hold)
    thread.start()
    held.wait()
    pid = os.fork()
    if pid == 0:  # the child: can it use the engine?
        os._exit(0 if engine.LOCK.acquire(timeout=2) else 1)
    _, status = os.waitpid(pid, 0)
    thread.join()
    assert os.waitstatus_to_exitcode(status) == 0


_JUDGE_CHUNK = parallel.judge_chunk


def die_on_the_second_chunk(number: int, start: int, stop: int) -> Any:
    """Stands in for a worker's task (module level: tasks are sent by name)."""
    if start > 0:
        os._exit(70)  # as a crash of the C core would end the worker
    return _JUDGE_CHUNK(number, start, stop)


def test_a_worker_that_dies_is_an_error_not_a_hang(policy: eligibility.Policy,
                                                   batch: list[dict[str, Any]],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "judge_chunk", die_on_the_second_chunk)
    with pytest.raises(eligibility.judge.engine.EngineError, match="worker process died"):
        policy.evaluate_many(batch, workers=2)


@pytest.mark.parametrize("enabled", [True, False])
def test_a_batch_leaves_the_garbage_collector_as_it_found_it(
        policy: eligibility.Policy, batch: list[dict[str, Any]], enabled: bool,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "YOUNG_EVERY", 16)  # collect the young ones during the batch
    was = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        policy.evaluate_many(batch[:100])
        assert gc.isenabled() is enabled
        broken = [*batch[:40], {"platform": "taobao"}]
        with pytest.raises(eligibility.InvalidComplaint):
            policy.evaluate_many(broken)
        assert gc.isenabled() is enabled
        with pytest.raises(eligibility.InvalidComplaint):
            policy.evaluate_many(broken * 4, workers=2)
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()
