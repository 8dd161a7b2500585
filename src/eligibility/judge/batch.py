"""Judging a batch across processes: ``Policy.evaluate_many(..., workers=N)``.

The rule engine's C core never releases the GIL, so threads add safety but no speed; throughput
across cores has to come from processes. Worker processes are forked from the caller, so they
inherit the loaded policy with its compiled rulesets as they are (a ruleset cannot be rebuilt
or sent to another process, and compiling the policy again in each worker would cost more than
most batches).

Workers do the costly part (``Judge.match``: validation, the fact, the engine) and send back only
what the verdict needs (``Judge.portable``). The caller concludes every verdict with the same
``Judge.conclude`` a single evaluation uses, so a verdict is the same whichever way it was
computed, and pickling whole verdicts (about as costly as judging the complaint) is avoided.
"""

from __future__ import annotations

import gc
import itertools
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from ..errors import InvalidComplaint, Problem
from ..models import Complaint, Verdict
from .engine import EngineError
from .program import Judge, Portable

MIN_CHUNK = 64  # complaints per task: enough to make a task's round trip negligible
CHUNKS_PER_WORKER = 4  # a few tasks per worker, so one slow chunk does not idle the others
YOUNG_EVERY = 4096  # verdicts between two collections of the young generations in a batch

class Invalid:
    """A complaint a worker could not judge, with its problems."""

    __slots__ = ("problems",)

    def __init__(self, problems: tuple[Problem, ...]) -> None:
        self.problems = problems


# The policy and complaints of each running batch, by batch number. Workers are forked while
# their batch is in here and find it by number: only a batch number and a range of positions
# go to a worker, never a complaint.
_BATCHES: dict[int, tuple[Judge, list[Complaint | Mapping[str, Any]], datetime | None]] = {}
_BATCH_NUMBERS = itertools.count()
_BATCHES_LOCK = threading.Lock()


# The garbage collector's full passes walk every live object, and a batch's verdicts are live
# until it returns: 100,000 verdicts are over a million tracked objects, walked again at every
# full pass, so a complaint cost more the larger its batch. While a batch runs, only the young
# generations are collected (every YOUNG_EVERY verdicts; they hold what a complaint left behind,
# cycles included), and the collector is back as it was once no batch is running.
_GC_LOCK = threading.Lock()
_gc_batches = 0  # batches running now
_gc_was_enabled = False  # the collector's state before the first of them


@contextmanager
def young_collections_only() -> Iterator[None]:
    """Within: automatic collection off, :func:`collect_young` collects the young generations
    (unless the collector was off to begin with)."""
    global _gc_batches, _gc_was_enabled
    with _GC_LOCK:
        if _gc_batches == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_batches += 1
    try:
        yield
    finally:
        with _GC_LOCK:
            _gc_batches -= 1
            if _gc_batches == 0 and _gc_was_enabled:
                gc.enable()


def collect_young() -> None:
    if _gc_was_enabled:
        gc.collect(1)


def check_workers(workers: object) -> int:
    """The number of worker processes, or a ValueError naming the argument."""
    if type(workers) is not int or workers < 1:
        raise ValueError(f"workers must be a whole number of at least 1, got {workers!r}")
    return workers


def evaluate_in_processes(judge: Judge, complaints: Iterable[Complaint | Mapping[str, Any]],
                          *, now: datetime | None, workers: int, lang: str) -> list[Verdict]:
    """Judge complaints on ``workers`` (more than one, checked by the caller with
    :func:`check_workers`) forked processes; same verdicts and errors, same order, as judging
    them one by one."""
    items = list(complaints)
    if len(items) < 2 * MIN_CHUNK:
        return evaluate_in_order(judge, items, now, lang)
    # Imported here: a process that never judges across processes (every command-line check)
    # does not pay for importing them.
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    try:
        context = multiprocessing.get_context("fork")
    except ValueError:
        raise ValueError("workers > 1 needs the 'fork' start method, which this platform "
                         "lacks; use workers=1") from None
    size = max(MIN_CHUNK, -(-len(items) // (workers * CHUNKS_PER_WORKER)))
    starts = range(0, len(items), size)
    with _BATCHES_LOCK:
        batch = next(_BATCH_NUMBERS)
        _BATCHES[batch] = (judge, items, now)
    try:
        # In a worker, everything inherited from the caller is long-lived: frozen, it is never
        # walked by the garbage collector, which would copy every page it touches. The executor
        # (unlike multiprocessing.Pool) notices a worker that dies, so a crash is an error
        # here rather than a batch that never returns.
        with ProcessPoolExecutor(min(workers, len(starts)), mp_context=context,
                                 initializer=gc.freeze) as pool:
            results = list(pool.map(judge_chunk, itertools.repeat(batch), starts,
                                    [start + size for start in starts]))
    except BrokenProcessPool as exc:
        raise EngineError(f"a worker process died while judging the batch: {exc}") from None
    finally:
        with _BATCHES_LOCK:
            del _BATCHES[batch]
    verdicts: list[Verdict] = []
    with young_collections_only():
        for start, outcomes in zip(starts, results, strict=True):
            for offset, outcome in enumerate(outcomes):
                if isinstance(outcome, Invalid):
                    raise InvalidComplaint(outcome.problems).within(str(start + offset))
                verdicts.append(judge.conclude(judge.restore(outcome), lang))
                if len(verdicts) % YOUNG_EVERY == 0:
                    collect_young()
    return verdicts


def evaluate_in_order(judge: Judge, complaints: Iterable[Complaint | Mapping[str, Any]],
                      now: datetime | None, lang: str) -> list[Verdict]:
    """Judge complaints one by one in this process; the first invalid one raises, naming its
    position."""
    out: list[Verdict] = []
    evaluate = judge.evaluate
    with young_collections_only():
        for index, complaint in enumerate(complaints):
            try:
                out.append(evaluate(complaint, now, lang))
            except InvalidComplaint as exc:
                raise exc.within(str(index)) from None
            if index % YOUNG_EVERY == YOUNG_EVERY - 1:
                collect_young()
    return out


def judge_chunk(batch: int, start: int, stop: int) -> list[Portable | Invalid]:
    """In a worker: everything but the verdict, for each complaint of one chunk. A chunk stops
    at its first invalid complaint, as a one-by-one batch would."""
    judge, items, now = _BATCHES[batch]
    out: list[Portable | Invalid] = []
    for complaint in items[start:stop]:
        try:
            match = judge.match(complaint, now)
        except InvalidComplaint as exc:
            out.append(Invalid(tuple(exc.problems)))
            break
        out.append(judge.portable(match))
    return out
