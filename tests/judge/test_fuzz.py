"""Hostile input: every value ends in a verdict or InvalidComplaint, nothing else.

The engine sits on a C core that can take the interpreter down with it, so the corpus runs in
a child process (this file, run as a script): a crash shows up as the child dying by a signal,
a hang as a timeout, and either fails the test instead of the test run.

Inputs: arbitrary JSON values; valid complaints with one part replaced by something hostile
(wrong types, huge strings, 10,000-deep nesting, non-BMP text, NaN and infinities, integers
beyond 64 bits, dates at the ends of the calendar) or with fields dropped, added or wrapped;
and a fixed list of the same kinds of values at every field of a complaint.
"""

from __future__ import annotations

import copy
import json
import math
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = int(os.environ.get("ELIGIBILITY_FUZZ_EXAMPLES", "300"))
SLOWEST_ACCEPTABLE = 5.0  # seconds for one evaluation before it counts as a hang


def _deep(depth: int, kind: str) -> Any:
    value: Any = "bottom"
    for _ in range(depth):
        value = [value] if kind == "list" else {"x": value}
    return value


HOSTILE: list[Any] = [
    None, True, False, 0, -1, 1.5, math.nan, math.inf, -math.inf, 2**64, -(2**63) - 1,
    10**400, "", " ", "\x00", "\ud83d\ude00" * 3, "\U0001f600" * 20_000, "a" * 70_000,
    "\u202e\u0301\ufeff", "null", "NaN", "1e999", "2026-02-30", "0000-01-01", "0001-01-01",
    "9999-12-31", "10000-01-01", "-0001-01-01", "2026-03-02T10:00:00", "2026-03-02T10:00:00Z",
    "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00", "2026-03-02T10:00:00+99:00",
    "https://", "http://[", "https://item.taobao.com/" + "x" * 5000, [], {}, [None], [[[]]],
    {"": ""}, {"kind": "individual"}, ["taobao"] * 400, _deep(10_000, "list"),
    _deep(10_000, "dict"), _deep(50, "dict"),
    "\ufdfa" * 256,  # the longest name allowed, in the character NFKC expands the most
]
# Values a JSON parser can produce from hostile text, besides those above.
JSON_VALUES: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner,
                                                                max_size=4),
    max_leaves=12,
)


def _valid() -> dict[str, Any]:
    return {
        "platform": "taobao",
        "submitted_at": "2026-03-02T10:00:00+08:00",
        "complainant": {"kind": "organization", "name": "Midnight Owls LLC", "country": "US",
                        "identity_documents": [{"type": "certificate_of_incorporation",
                                                "holder_name": "Midnight Owls LLC",
                                                "issuing_country": "US", "expires_on": None}]},
        "rights_holder": {"kind": "individual", "name": "Jane Doe", "country": "US"},
        "authorization": {"issued_by": "Jane Doe", "issued_to": "Midnight Owls LLC",
                          "issued_on": "2026-01-10", "expires_on": None, "signed": True,
                          "scope": {"rights": ["58231907"], "platforms": ["taobao"]}},
        "ip_right": {"type": "trademark", "patent_kind": None, "status": "registered",
                     "office": "CNIPA", "designations": ["CN"], "number": "58231907",
                     "owner": "Jane Doe", "filed_on": "2020-01-15",
                     "registered_on": "2021-06-07", "expires_on": None,
                     "evidence": {"certificate": True, "extension_certificate": False,
                                  "evaluation_report": False, "renewal_certificate": False}},
        "infringement": {"kind": "counterfeit",
                         "listings": ["https://item.taobao.com/item.htm?id=6123"]},
    }


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every place in a complaint a value sits, the complaint itself included."""
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*prefix, index))


PATHS = list(_paths(_valid()))


def _replace(complaint: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    out = copy.deepcopy(complaint)
    parent = out
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = value
    return out


def _mutate(complaint: dict[str, Any], path: tuple[Any, ...], how: str, value: Any) -> Any:
    if how == "replace":
        return _replace(complaint, path, value)
    target: Any = complaint
    for step in path:
        target = target[step]
    if how == "wrap":
        return _replace(complaint, path, [target])
    if how == "extra" and isinstance(target, dict):
        return _replace(complaint, path, {**target, "surprise": value})
    if how == "drop" and path:
        out = copy.deepcopy(complaint)
        parent = out
        for step in path[:-1]:
            parent = parent[step]
        del parent[path[-1]]
        return out
    return _replace(complaint, path, value)


MUTANTS = st.builds(_mutate, st.just(_valid()), st.sampled_from(PATHS),
                    st.sampled_from(["replace", "replace", "wrap", "extra", "drop"]),
                    st.sampled_from(HOSTILE) | JSON_VALUES)
PLATFORMS = ["taobao", "tmall", "1688", "aliexpress", "alibaba.com", "amazon.com", "amazon.de"]


def judge(complaint: Any) -> str:
    """Evaluate; anything but a serialisable verdict or a well-formed InvalidComplaint fails."""
    import eligibility

    started = time.perf_counter()
    try:
        verdict = eligibility.evaluate(complaint)
    except eligibility.InvalidComplaint as exc:
        errors = exc.errors()
        assert errors, "an InvalidComplaint without problems"
        for error in errors:
            assert isinstance(error["path"], str)
            assert isinstance(error["message"], str)
            assert error["message"]
        outcome = "invalid"
    else:
        json.loads(verdict.model_dump_json())
        outcome = str(verdict.decision)
    took = time.perf_counter() - started
    assert took < SLOWEST_ACCEPTABLE, f"one evaluation took {took:.1f} s"
    return outcome


def run_corpus() -> dict[str, int]:
    """Every hostile value at every place of a complaint, on each platform."""
    seen: dict[str, int] = {}
    for n, (path, value) in enumerate((p, v) for p in PATHS for v in HOSTILE):
        complaint = _replace(_valid(), path, value)
        if isinstance(complaint, dict) and "platform" in complaint and path[:1] != ("platform",):
            complaint["platform"] = PLATFORMS[n % len(PLATFORMS)]
        outcome = judge(complaint)
        seen[outcome] = seen.get(outcome, 0) + 1
    return seen


def run_python_objects() -> None:
    """What a Python caller can hand over besides parsed JSON."""
    import types

    from eligibility import Complaint

    for complaint in (Complaint.model_construct(platform=object()),
                      Complaint.model_construct(**{**_valid(), "platform": "ebay"}),
                      types.MappingProxyType(_valid()), {1: "x", None: 2}, b"{}", {"taobao"},
                      object(), _valid), ({**_valid(), "platform": "taobao"},):
        judge(complaint)


def run_hypothesis(examples: int) -> None:
    derandomize = bool(os.environ.get("CI"))
    common = settings(max_examples=examples, deadline=None, database=None,
                      derandomize=derandomize, suppress_health_check=list(HealthCheck))

    @common
    @given(JSON_VALUES)
    def arbitrary_json(value: Any) -> None:
        judge(value)

    @common
    @given(MUTANTS, st.sampled_from(PLATFORMS))
    def mutated_complaints(complaint: Any, platform: str) -> None:
        if isinstance(complaint, dict) and complaint.get("platform") == "taobao":
            complaint["platform"] = platform
        judge(complaint)

    arbitrary_json()
    mutated_complaints()


def main() -> None:
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 1000))
    examples = int(sys.argv[1]) if len(sys.argv) > 1 else EXAMPLES
    seen = run_corpus()
    assert seen.get("invalid", 0) > 100, seen  # the corpus is hostile
    judged = sum(n for outcome, n in seen.items() if outcome != "invalid")
    assert judged > 100, seen  # and its harmless neighbours still get verdicts
    run_python_objects()
    run_hypothesis(examples)
    print(json.dumps(seen, sort_keys=True))


def test_hostile_input_never_crashes_hangs_or_escapes() -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    try:
        child = subprocess.run([sys.executable, __file__, str(EXAMPLES)], capture_output=True,
                               text=True, timeout=600, env=env, cwd=ROOT)
    except subprocess.TimeoutExpired as exc:
        raise AssertionError(f"the fuzz run hung: {str(exc.stderr)[-2000:]}") from None
    if child.returncode < 0:
        raise AssertionError(f"the interpreter died by signal {-child.returncode}: "
                             f"{child.stderr[-3000:]}")
    assert child.returncode == 0, child.stderr[-5000:]
    outcomes = json.loads(child.stdout.strip().splitlines()[-1])
    assert set(outcomes) <= {"invalid", "eligible", "incomplete", "ineligible"}


if __name__ == "__main__":
    main()
