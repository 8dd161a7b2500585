"""The published JSON Schema and the validator say the same thing about every complaint.

Clients generate code from ``/v1/schema`` or check complaints against it before sending them, so
a complaint the schema allows must not come back as a 422, nor one it forbids get a verdict. The
schema is judged here by an outside implementation (``jsonschema``, draft 2020-12, formats
checked), on complaints an outside generator writes from the schema (hypothesis-jsonschema) and
on mutations of valid complaints. The only differences allowed are the checks the schema's
descriptions say the service makes itself.
"""

from __future__ import annotations

import copy
import json
import types
from datetime import date, datetime
from pathlib import Path
from typing import Any

import hypothesis_jsonschema._from_schema as _from_schema
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from hypothesis.internal.conjecture import utils as _cu
from hypothesis_jsonschema import from_schema
from jsonschema import Draft202012Validator

import eligibility
from eligibility import InvalidComplaint
from eligibility.load.yaml import load_yaml

from .conftest import EXAMPLES, FIXTURES


# hypothesis-jsonschema 0.23.1 (its latest release) still calls ``many.more()``, which Hypothesis
# has since replaced by iteration; this adapter gives its object strategy the old interface.
class _Many:
    def __init__(self, data: Any, **sizes: Any) -> None:
        self._many = _cu.many(data, **sizes)
        self._many.__enter__()
        self._elements = iter(self._many)

    def more(self) -> bool:
        try:
            next(self._elements)
        except StopIteration:
            self._many.__exit__(None)
            return False
        return True

    def reject(self) -> None:
        self._many.reject()


if not hasattr(_cu.many, "more"):
    _from_schema.cu = types.SimpleNamespace(many=_Many)  # type: ignore[attr-defined,assignment]

# The one check the schema leaves to the service (said in each Name's description).
SERVICE_ONLY = {"a name needs at least one letter or digit"}

_POLICY = eligibility.default_policy()
_SCHEMA = _POLICY.complaint_schema()
_JUDGE = Draft202012Validator(_SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER)


def _as_json(value: Any) -> Any:
    """A complaint read from YAML as the JSON a client would send (timestamps in RFC 3339)."""
    if isinstance(value, dict):
        return {k: _as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_json(v) for v in value]
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def _seeds() -> list[dict[str, Any]]:
    seeds = []
    for path in sorted([*EXAMPLES.glob("*.yaml"), *(FIXTURES / "complaints").glob("*.yaml")]):
        data = load_yaml(path.read_text("utf-8"))
        for item in data if isinstance(data, list) else [data]:
            if isinstance(item, dict) and "platform" in item:
                seeds.append(_as_json(item))
    return seeds


SEEDS = _seeds()


def verdict_of_both(complaint: Any) -> tuple[bool, set[str]]:
    """Whether the schema allows it, and the validator's problem messages (empty: accepted)."""
    allowed = _JUDGE.is_valid(complaint)
    try:
        _POLICY.parse(complaint)
    except InvalidComplaint as exc:
        return allowed, {p.message for p in exc.problems}
    return allowed, set()


def assert_agree(complaint: Any) -> None:
    allowed, problems = verdict_of_both(complaint)
    if allowed:
        assert problems <= SERVICE_ONLY, (problems, complaint)
    else:
        assert problems, ("the validator accepts what the schema refuses",
                          list(_JUDGE.iter_errors(complaint))[:1], complaint)


def test_the_seeds_are_valid_on_both_sides() -> None:
    assert len(SEEDS) > 5
    for seed in SEEDS:
        assert verdict_of_both(seed) == (True, set()), seed


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow,
                                                   HealthCheck.filter_too_much])
@given(from_schema(_SCHEMA))
def test_a_complaint_the_schema_allows_is_accepted(complaint: dict[str, Any]) -> None:
    allowed, problems = verdict_of_both(complaint)
    assert allowed
    assert problems <= SERVICE_ONLY, (problems, complaint)


HOSTILE = [
    None, "", " ", "!", "\u0000", "\u200d", "x" * 300, " " * 300 + "a", " taobao", "CNIPA ",
    "taobao", "CNIPA", "ebay", 1688, 1688.0, 1689, True, 0, -1, 1.5, float("inf"), [], {},
    ["ebay"], [None], ["taobao"], [1688], {"a": 1}, "2026-03-02T10:00:00+08:00",
    "20260302T100000Z", "2026-03-02T10:00+08:00", "2026-03-02T10:00:00+0800",
    "2026-03-02 10:00:00+08:00", "2026-03-02T10:00:00", "2026-02-30T10:00:00Z",
    "2026-03-02T10:00:00Z\n", "1949-12-31T10:00:00Z", "2026-03-02", "2026-03-02\n", "2026-13-01",
    "CN", "CN\n", "cn", "USA", "58231907", " 58231907", "58231907\n", "a\nb", "https://x.test/1",
    "trademark", "registered", "organization", "passport",
    # issue 11's fields: the filing channel (narrowed per platform) and the claim statement
    "online_form", "ipp_account", "fax", "amazon.com", "tmall.hk",
]


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*prefix, index))
    return found


@st.composite
def mutants(draw: st.DrawFn) -> Any:
    complaint = copy.deepcopy(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_paths(complaint)))
        parent = complaint
        for part in path[:-1]:
            parent = parent[part]
        how = draw(st.sampled_from(["set", "set", "delete", "add"]))
        if how == "delete":
            del parent[path[-1]]
        elif how == "add" and isinstance(parent, dict):
            key = draw(st.sampled_from(["colour", "channel", "name", "type", "claim_statement"]))
            parent[key] = draw(st.sampled_from(["x", "online_form", True]))
        else:
            # A copy: a later mutation may reach inside it, and HOSTILE must stay as written.
            parent[path[-1]] = copy.deepcopy(draw(st.one_of(
                st.sampled_from(HOSTILE), st.text(max_size=5), st.integers(), st.floats())))
        if not _paths(complaint):
            break
    return complaint


@settings(max_examples=600, suppress_health_check=[HealthCheck.too_slow])
@given(mutants())
@example(json.loads('{"platform": 1688}'))
def test_schema_and_validator_agree_on_mutants(complaint: Any) -> None:
    assert_agree(complaint)


@pytest.mark.parametrize("name", ["!", " ", "\u0000", "\u200d", "\u3002", "-\u200d-"])
def test_the_service_only_check_is_the_name_one(name: str) -> None:
    complaint = copy.deepcopy(SEEDS[0])
    complaint["complainant"]["name"] = name
    assert verdict_of_both(complaint) == (True, SERVICE_ONLY)


def test_the_schema_is_draft_2020_12_and_describes_what_it_cannot_state() -> None:
    Draft202012Validator.check_schema(_SCHEMA)
    assert _SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    name = _SCHEMA["$defs"]["Complainant"]["properties"]["name"]
    assert "letter or digit" in name["description"]
    assert "calendar" in _SCHEMA["properties"]["submitted_at"]["description"]


def test_seed_files_exist() -> None:
    assert isinstance(EXAMPLES, Path)
    assert any(FIXTURES.glob("complaints/*.yaml"))
