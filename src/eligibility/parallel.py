"""Judging a batch across processes: ``Policy.evaluate_many(..., workers=N)``.

The rule engine's C core never releases the GIL, so threads add safety but no speed; throughput
across cores has to come from processes. Worker processes are forked from the caller, so they
inherit the loaded policy with its compiled rulesets as they are (a ruleset cannot be rebuilt
or sent to another process, and compiling the policy again in each worker would cost more than
most batches).

Workers do the costly part (validation, the fact, the engine) and send back only what the
verdict needs: the platform, the fired pattern names and the few fact values that failed rules
quote. The caller builds every verdict with the same ``assemble`` a single evaluation uses, so a
verdict is the same whichever way it was computed, and pickling whole verdicts (about as costly
as judging the complaint) is avoided.
"""

from __future__ import annotations

import gc
import itertools
import multiprocessing
import threading
from collections.abc import Iterable, Mapping
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from .engine import EngineError
from .errors import InvalidComplaint, Problem
from .facts import Facts
from .verdict import quoted_values

if TYPE_CHECKING:
    from .calendar import Window
    from .models import Complaint, Verdict
    from .policy import Policy

MIN_CHUNK = 64  # complaints per task: enough to make a task's round trip negligible
CHUNKS_PER_WORKER = 4  # a few tasks per worker, so one slow chunk does not idle the others

# What a worker sends back for one complaint: (platform, fired, quoted values, day 0, window),
# or an Invalid.
Outcome = tuple[str, frozenset[str], dict[str, Any], date, "Window | None"]


class Invalid:
    """A complaint a worker could not judge, with its problems."""

    __slots__ = ("problems",)

    def __init__(self, problems: tuple[Problem, ...]) -> None:
        self.problems = problems


# The policy and complaints of each running batch, by batch number. Workers are forked while
# their batch is in here and find it by number: only a batch number and a range of positions
# go to a worker, never a complaint.
_BATCHES: dict[int, tuple[Policy, list[Complaint | Mapping[str, Any]], datetime | None]] = {}
_BATCH_NUMBERS = itertools.count()
_BATCHES_LOCK = threading.Lock()


def check_workers(workers: object) -> int:
    """The number of worker processes, or a ValueError naming the argument."""
    if type(workers) is not int or workers < 1:
        raise ValueError(f"workers must be a whole number of at least 1, got {workers!r}")
    return workers


def evaluate_in_processes(policy: Policy, complaints: Iterable[Complaint | Mapping[str, Any]],
                          *, now: datetime | None, workers: int) -> list[Verdict]:
    """Judge complaints on ``workers`` forked processes; same verdicts and errors, same order,
    as judging them one by one."""
    workers = check_workers(workers)
    items = list(complaints)
    if workers == 1 or len(items) < 2 * MIN_CHUNK:
        return policy.evaluate_many(items, now=now)
    try:
        context = multiprocessing.get_context("fork")
    except ValueError:
        raise ValueError("workers > 1 needs the 'fork' start method, which this platform "
                         "lacks; use workers=1") from None
    size = max(MIN_CHUNK, -(-len(items) // (workers * CHUNKS_PER_WORKER)))
    starts = range(0, len(items), size)
    with _BATCHES_LOCK:
        batch = next(_BATCH_NUMBERS)
        _BATCHES[batch] = (policy, items, now)
    try:
        # In a worker, everything inherited from the caller is long-lived: frozen, it is never
        # walked by the garbage collector, which would copy every page it touches. The executor
        # (unlike multiprocessing.Pool) notices a worker that dies, so a crash is an error
        # here rather than a batch that never returns.
        with ProcessPoolExecutor(min(workers, len(starts)), mp_context=context,
                                 initializer=gc.freeze) as pool:
            results = list(pool.map(_judge_chunk, itertools.repeat(batch), starts,
                                    [start + size for start in starts]))
    except BrokenProcessPool as exc:
        raise EngineError(f"a worker process died while judging the batch: {exc}") from None
    finally:
        with _BATCHES_LOCK:
            del _BATCHES[batch]
    verdicts: list[Verdict] = []
    for start, outcomes in zip(starts, results, strict=True):
        for offset, outcome in enumerate(outcomes):
            if isinstance(outcome, Invalid):
                raise InvalidComplaint(outcome.problems).within(str(start + offset))
            verdicts.append(_verdict(policy, outcome))
    return verdicts


def _judge_chunk(batch: int, start: int, stop: int) -> list[Outcome | Invalid]:
    """In a worker: everything but the verdict, for each complaint of one chunk. A chunk stops
    at its first invalid complaint, as a one-by-one batch would."""
    policy, items, now = _BATCHES[batch]
    out: list[Outcome | Invalid] = []
    for complaint in items[start:stop]:
        try:
            program, facts, fired = policy._match(complaint, now)
        except InvalidComplaint as exc:
            out.append(Invalid(tuple(exc.problems)))
            break
        quoted = quoted_values(program.rules, fired, facts.values)
        out.append((program.profile.id, fired, quoted, facts.day0, facts.window))
    return out


def _verdict(policy: Policy, outcome: Outcome) -> Verdict:
    platform, fired, quoted, day0, window = outcome
    program = policy._programs[platform]
    facts = Facts(engine={}, values=quoted, day0=day0, window=window)
    return policy._conclude(program, facts, fired)
