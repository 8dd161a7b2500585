"""The only module that touches durable_rules.

It drives the C extension directly (the ``durable.lang`` host layer crashes under threads and
swallows errors) and keeps the core inside the envelope measured in DURABLE_RULES.md:

* one global lock around every call: the core has process-wide state and never releases the GIL,
  so the lock costs no parallelism and rules out interleaved sessions;
* one session per ruleset, always the same id, so no more than one session is ever alive per
  ruleset (the core dies past 1,024). Creating a session costs the core about half a
  microsecond per rule (it sets up hundreds of kilobytes of match memory), more than matching the
  fact itself, so the session is kept between evaluations: each evaluation asserts its fact,
  drains the fired actions and retracts the fact again, leaving the session empty. Any failure on
  the way deletes the session, and so does every ``SESSION_RENEWAL``-th evaluation, which bounds
  whatever the core might keep from one evaluation to the next. A fact left behind by a failed
  retraction cannot go unnoticed: the core refuses to assert a fact id it already holds;
* every ruleset carries a rule that matches every fact, so each session has run an action before
  it is deleted (deleting one that never ran an action can free an uninitialised pointer);
* facts are checked before they are asserted (keys and types once per shape of fact, the
  rest per fact): only known keys, one type per key, strings far
  below the 64 KiB at which the core compares truncated text, integers far inside 64 bits;
* property names are hashed by the core with 32-bit FNV-1a and collisions go unnoticed, so every
  name a ruleset or fact uses is checked for a collision when the ruleset is built;
* rulesets cannot be replaced, so each build gets a name never used before in this process.
"""

from __future__ import annotations

import itertools
import json
import operator
import os
import threading
import weakref
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from typing import Any

import orjson

from .core import durable_rules_engine as _core
from .vocabulary import ENGINE_FIELDS, MARKER_KEY, MARKER_VALUE, MAX_INT, RESERVED_KEYS

MAX_STRING_BYTES = 16 * 1024
MAX_FACT_PROPERTIES = 200  # the core refuses more than 254
MAX_RULES_PER_RULESET = 400

_SENTINEL = "_always"
_SESSION = "0"
_FACT_ID = "c"
_RETRACTION = json.dumps({"sid": _SESSION, "id": _FACT_ID})
SESSION_RENEWAL = 4096
LOCK = threading.Lock()
# A process forked while another thread is inside an evaluation would inherit the lock held for
# good and a session halfway through its fact (evaluate_many forks its workers): forking waits
# until the engine is idle.
os.register_at_fork(before=LOCK.acquire, after_in_parent=LOCK.release,
                    after_in_child=LOCK.release)
_NAMES = itertools.count(1)
_RESULT_OK = 0


class EngineError(RuntimeError):
    """The core refused something it should have accepted: a bug, never a verdict."""


class CompileError(ValueError):
    """A ruleset the core cannot run safely; the policy loader names the file and rule."""


@lru_cache(maxsize=4096)
def fnv1a_32(name: str) -> int:
    """The hash the core applies to property names (kept: every load checks the same names)."""
    h = 0x811C9DC5
    for byte in name.encode("utf-8"):
        h = ((h ^ byte) * 0x01000193) & 0xFFFFFFFF
    return h


def check_property_names(names: Iterable[str]) -> None:
    """Refuse two distinct property names that the core would take for one."""
    seen: dict[int, str] = {}
    for name in names:
        other = seen.setdefault(fnv1a_32(name), name)
        if other != name:
            raise CompileError(f"property names {other!r} and {name!r} collide in the engine's "
                               "hash; rename one of them")


# One exact Python type per property (``type(v) is t``: a bool is not accepted as an int).
_FIELD_TYPES: dict[str, type] = {
    f.key: {"bool": bool, "int": int, "day": int, "str": str}[f.kind] for f in ENGINE_FIELDS
}
check_property_names([*_FIELD_TYPES, *RESERVED_KEYS])
if len(_FIELD_TYPES) + len(RESERVED_KEYS) > MAX_FACT_PROPERTIES:
    raise CompileError("the fact vocabulary has more properties than the engine can match")


class Ruleset:
    """A compiled ruleset: assert a fact, get back the names of the rules that matched it."""

    __slots__ = ("__weakref__", "_handle", "_live", "_named", "_uses", "name", "rule_names")

    def __init__(self, name: str, rule_names: frozenset[str], handle: int) -> None:
        self.name = name
        self.rule_names = rule_names
        self._named = rule_names | {_SENTINEL}  # every name an action message may carry
        self._handle = handle
        self._uses = 0  # evaluations since the session was created; 0: no session
        # Whether a session is alive between evaluations: shared with the finalizer, which
        # hands a discarded ruleset's session to the next engine call for deletion.
        self._live = [False]
        weakref.finalize(self, _abandon, handle, self._live)

    def __repr__(self) -> str:
        return f"<Ruleset {self.name} {len(self.rule_names)} rules>"

    def fire(self, fact: Mapping[str, Any]) -> frozenset[str]:
        """Assert one fact and return every rule it matched; the session is left empty."""
        payload = encode(fact)
        with LOCK:
            fired = self._match(payload)
        if _SENTINEL not in fired:
            raise EngineError("the engine did not run the rule that matches every fact")
        fired.discard(_SENTINEL)
        return frozenset(fired)

    def _match(self, payload: str) -> set[str]:
        """One assertion, its actions and its retraction; the caller holds the lock."""
        _delete_abandoned()
        handle = self._handle
        try:
            result = _core.assert_fact(handle, payload)
        except _core.error as exc:
            if self._uses:  # a session from earlier evaluations: start the next one afresh
                self._renew()
            raise EngineError(f"the engine refused a fact: {exc}") from exc
        fired: set[str] = set()
        clean = False
        try:
            if result[0] != _RESULT_OK:
                raise EngineError(f"the engine answered code {result[0]} for a fact")
            state = result[1]
            message = _core.start_action_for_state(handle, state)
            message = message[1] if message else None
            while message:
                fired.add(_action_name(message, self._named))
                message = _core.complete_and_start_action(handle, state)
            retracted = _core.retract_fact(handle, _RETRACTION)
            if retracted[0] != _RESULT_OK:
                raise EngineError(f"the engine answered code {retracted[0]} for a retraction")
            if _core.start_action_for_state(handle, retracted[1]):
                raise EngineError("retracting a fact fired a rule")
            clean = True
        finally:
            self._uses += 1
            if not clean or self._uses >= SESSION_RENEWAL:
                self._renew()
            else:
                self._live[0] = True
        return fired

    def _renew(self) -> None:
        self._uses = 0
        self._live[0] = False
        _core.delete_state(self._handle, _SESSION)


# Handles of rulesets that were garbage-collected with a session still alive. The finalizer only
# appends (it may run while the lock is held, so it must not take it); the next engine call
# deletes the sessions. Each of them has run actions, so deleting it is safe.
_ABANDONED: list[int] = []


def _abandon(handle: int, live: list[bool]) -> None:
    if live[0]:
        _ABANDONED.append(handle)


def abandoned_sessions() -> int:
    """Sessions of discarded rulesets waiting to be deleted by the next engine call."""
    return len(_ABANDONED)


def _delete_abandoned() -> None:
    """Delete the sessions of discarded rulesets; the caller holds the lock."""
    while _ABANDONED:
        _core.delete_state(_ABANDONED.pop(), _SESSION)


def build(rules: Mapping[str, Mapping[str, Any]], label: str = "policy") -> Ruleset:
    """Register a ruleset made of the given durable_rules antecedents, keyed by rule name."""
    if len(rules) > MAX_RULES_PER_RULESET:
        raise CompileError(f"{len(rules)} rules in one ruleset; at most {MAX_RULES_PER_RULESET}")
    if _SENTINEL in rules:
        raise CompileError(f"rule name {_SENTINEL!r} is reserved")
    definition: dict[str, Any] = dict(rules)
    definition[_SENTINEL] = {"all": [{"m": {MARKER_KEY: MARKER_VALUE}}]}
    names: set[str] = set()
    for antecedent in definition.values():
        _collect_keys(antecedent, names)
    check_property_names(sorted(names | set(RESERVED_KEYS)))
    unknown = names - set(_FIELD_TYPES) - set(RESERVED_KEYS)
    if unknown:
        raise CompileError(f"patterns name properties outside the vocabulary: {sorted(unknown)}")
    name = f"eligibility_{label}_{next(_NAMES)}"
    with LOCK:
        try:
            handle = _core.create_ruleset(name, json.dumps(definition, sort_keys=True))
        except _core.error as exc:
            raise CompileError(f"the engine refused the ruleset: {exc}") from exc
    return Ruleset(name=name, rule_names=frozenset(rules), handle=handle)


def _collect_keys(node: Any, out: set[str]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$m" and isinstance(value, str):
                out.add(value)
            elif not key.startswith("$") and key not in ("all", "m"):
                out.add(key)
            _collect_keys(value, out)
    elif isinstance(node, list):
        for item in node:
            _collect_keys(item, out)


def _action_name(message: str, named: frozenset[str]) -> str:
    """The rule an action message is for: the message's first key, ``{"<rule>": ...``, which
    must be one of the ruleset's (our rule names need no JSON escapes)."""
    end = message.find('"', 2)
    name = message[2:end] if message.startswith('{"') and end > 2 else ""
    if name not in named:
        raise EngineError(f"unexpected action message from the engine: {message[:80]!r}")
    return name


# The properties every fact carries besides its own, already in JSON: ``encode`` splices the
# fact's own JSON after them instead of copying the fact into a new dict first.
_HEAD = json.dumps({"sid": _SESSION, "id": _FACT_ID, MARKER_KEY: MARKER_VALUE})[:-1]
_SHORT_ENOUGH = MAX_STRING_BYTES // 4  # characters that cannot exceed the limit in UTF-8


class _Shape:
    """What checking a fact of one shape (its keys in order and the type of each value) leaves
    to do per fact: the keys and types were checked once, when the shape was first seen; what
    remains is the length of its strings and the range of its integers, read all at once."""

    __slots__ = ("absent", "ints", "strings")

    def __init__(self, keys: tuple[str, ...], kinds: tuple[type, ...]) -> None:
        strings, ints = [], []
        absent = False
        for key, kind in zip(keys, kinds, strict=True):
            if kind is not _FIELD_TYPES.get(key):
                if kind is type(None):
                    absent = True
                    continue
                raise EngineError(f"fact property {key!r}: unexpected {kind.__name__} value"
                                  if key in _FIELD_TYPES else
                                  f"fact property {key!r} is not in the vocabulary")
            if kind is str:
                strings.append(key)
            elif kind is int:
                ints.append(key)
        self.absent = absent
        self.strings = _values_of(strings)
        self.ints = _values_of(ints)


def _values_of(keys: list[str]) -> Callable[[Mapping[str, Any]], tuple[Any, ...]] | None:
    """A function returning the values of ``keys`` as a tuple (None when there are none)."""
    if not keys:
        return None
    if len(keys) == 1:
        only = keys[0]
        return lambda fact: (fact[only],)
    return operator.itemgetter(*keys)


# Facts come in few shapes (one per combination of absent optional fields seen), so each is
# checked once; the bound only guards against a caller that invents keys without end.
_SHAPES: dict[tuple[tuple[str, ...], tuple[type, ...]], _Shape] = {}
MAX_SHAPES = 4096


def encode(fact: Mapping[str, Any]) -> str:
    """Check a fact against the vocabulary and serialise it for the core.

    Every check of DURABLE_RULES.md stays (only known keys, one exact type per key, no
    string near the core's limit, integers far inside 64 bits): the keys and types once per
    shape of fact, the lengths and ranges per fact with builtins over all values at once."""
    keys = tuple(fact)
    kinds = tuple(map(type, fact.values()))
    shape = _SHAPES.get((keys, kinds))
    if shape is None:
        shape = _Shape(keys, kinds)
        if len(_SHAPES) >= MAX_SHAPES:
            _SHAPES.clear()
        _SHAPES[keys, kinds] = shape
    if shape.strings is not None:
        strings = shape.strings(fact)
        if max(map(len, strings)) > _SHORT_ENOUGH:
            for key, value in zip(keys, fact.values(), strict=True):
                if type(value) is str and len(value.encode()) > MAX_STRING_BYTES:
                    raise EngineError(f"fact property {key!r} is longer than "
                                      f"{MAX_STRING_BYTES} bytes")
    if shape.ints is not None:
        ints = shape.ints(fact)
        if not (min(ints) > -MAX_INT and max(ints) < MAX_INT):
            key = next(k for k, v in fact.items()
                       if type(v) is int and not -MAX_INT < v < MAX_INT)
            raise EngineError(f"fact property {key!r} is out of range")
    if shape.absent:
        fact = {key: value for key, value in fact.items() if value is not None}
    if not fact:
        return _HEAD + "}"
    # orjson writes the fact's own key order (deterministic; the core does not depend on it) in
    # UTF-8 without escapes, as the core reads it. It would refuse anything but the scalars
    # checked above.
    return _HEAD + "," + orjson.dumps(fact).decode()[1:]
