"""The condition language of rule files, and its translation into durable_rules patterns.

A condition is YAML: ``all``/``any`` of conditions, ``not`` of one, or a test of one field:
``{field: F, eq|ne|lt|le|gt|ge: VALUE}``, ``{field: F, in: [VALUES]}``,
``{field: F, exists: BOOL}``, where VALUE may be ``{field: G}`` to compare two fields; or
``{condition: NAME}``, a named condition of the policy (a term POLICY.md defines once, such as
"an unregistered copyright", written once under ``conditions:`` in a rule file and used by every
rule that needs it, so that the rules cannot drift apart).

The engine's core has no negation, no type checks and silently wrong answers on mixed types, so
this module does all of that before a rule reaches it: every field and value is checked against
the vocabulary, negation is pushed down to the tests (a test of an absent field is false, so
``not`` of a test also holds when the field is absent), and the result is flattened into a
disjunction of plain conjunctions, one durable_rules rule each. No ``$or`` reaches the core.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from ..judge.vocabulary import BY_NAME, MARKER_KEY, MARKER_VALUE, MAX_INT, Field

MAX_ALTERNATIVES = 64  # conjunctions one rule may expand into
MAX_TESTS = 32  # tests in one conjunction
MAX_STR_BYTES = 1024

OPERATORS = ("eq", "ne", "lt", "le", "gt", "ge")
_NEGATED = {"eq": "ne", "ne": "eq", "lt": "ge", "le": "gt", "gt": "le", "ge": "lt"}
_DURABLE_OP = {"ne": "$neq", "lt": "$lt", "le": "$lte", "gt": "$gt", "ge": "$gte"}
_ORDERED_KINDS = ("int", "day")


class ConditionError(ValueError):
    """A condition that cannot be compiled; the policy loader adds the file and rule."""


@dataclass(frozen=True)
class FieldRef:
    field: Field


Scalar = bool | int | str
Operand = Scalar | FieldRef


@dataclass(frozen=True)
class Test:
    field: Field
    op: str  # one of OPERATORS
    operand: Operand


@dataclass(frozen=True)
class Exists:
    field: Field
    present: bool


@dataclass(frozen=True)
class All:
    parts: tuple[Condition, ...]


@dataclass(frozen=True)
class AnyOf:
    parts: tuple[Condition, ...]


@dataclass(frozen=True)
class Not:
    part: Condition


Condition = Test | Exists | All | AnyOf | Not
Literal_ = Test | Exists
Conjunction = tuple[Literal_, ...]


# --- parsing and checking -----------------------------------------------------------------------


def parse(raw: Any, value_sets: Mapping[str, frozenset[str]], where: str = "when",
          named: Mapping[str, Condition] | None = None) -> Condition:
    """Read a YAML condition, checking every field, operator and value against the vocabulary;
    ``named`` holds the named conditions it may use (already parsed)."""
    if not isinstance(raw, Mapping) or not raw:
        raise ConditionError(f"{where}: a condition is a mapping, got {_show(raw)}")
    keys = set(raw)
    if "condition" in raw:
        if keys != {"condition"}:
            raise ConditionError(f"{where}: 'condition' cannot be mixed with "
                                 f"{', '.join(sorted(map(str, keys - {'condition'})))}")
        name = raw["condition"]
        if not isinstance(name, str) or named is None or name not in named:
            known = ", ".join(sorted(named)) if named else "none"
            raise ConditionError(f"{where}: unknown named condition {_show(name)}; "
                                 f"defined: {known}")
        return named[name]
    for combinator in ("all", "any"):
        if combinator in raw:
            if keys != {combinator}:
                raise ConditionError(f"{where}: '{combinator}' cannot be mixed with "
                                     f"{', '.join(sorted(map(str, keys - {combinator})))}")
            items = raw[combinator]
            if not isinstance(items, list) or not items:
                raise ConditionError(f"{where}.{combinator}: expected a non-empty list")
            parts = tuple(parse(item, value_sets, f"{where}.{combinator}[{i}]", named)
                          for i, item in enumerate(items))
            return All(parts) if combinator == "all" else AnyOf(parts)
    if "not" in raw:
        if keys != {"not"}:
            raise ConditionError(f"{where}: 'not' cannot be mixed with "
                                 f"{', '.join(sorted(map(str, keys - {'not'})))}")
        return Not(parse(raw["not"], value_sets, f"{where}.not", named))
    if "field" not in raw:
        shown = ", ".join(sorted(map(str, keys)))
        raise ConditionError(f"{where}: unknown condition keys {shown}; "
                             "expected all, any, not, condition or field")
    field = _field(raw["field"], where)
    tests = keys - {"field"}
    if len(tests) != 1:
        raise ConditionError(f"{where}: a field test needs exactly one of "
                             f"{', '.join((*OPERATORS, 'in', 'exists'))}, "
                             f"got {sorted(map(str, tests))}")
    (op,) = tests
    value = raw[op]
    if op == "exists":
        if not isinstance(value, bool):
            raise ConditionError(f"{where}: exists takes true or false")
        if not field.optional and not value:
            # A field that is always present can never be absent: the rule would be dead.
            raise ConditionError(f"{where}: field {field.name} is always present")
        return Exists(field, value)
    if op == "in":
        if not isinstance(value, list) or not value:
            raise ConditionError(f"{where}: 'in' takes a non-empty list")
        if field.kind not in ("str", "int"):
            raise ConditionError(f"{where}: 'in' applies to text and number fields, "
                                 f"not {field.kind} field {field.name}")
        values = tuple(dict.fromkeys(_literal(field, v, where, value_sets) for v in value))
        return AnyOf(tuple(Test(field, "eq", v) for v in values))
    if op not in OPERATORS:
        raise ConditionError(f"{where}: unknown operator '{op}'; expected one of "
                             f"{', '.join((*OPERATORS, 'in', 'exists'))}")
    if op not in ("eq", "ne") and field.kind not in _ORDERED_KINDS:
        raise ConditionError(f"{where}: '{op}' needs a number or date field; "
                             f"{field.name} is {field.kind}")
    operand: Operand
    if isinstance(value, Mapping):
        if set(value) != {"field"}:
            raise ConditionError(f"{where}: a reference is {{field: NAME}}, got {_show(value)}")
        other = _field(value["field"], where)
        if other.kind != field.kind:
            raise ConditionError(f"{where}: cannot compare {field.kind} field {field.name} "
                                 f"with {other.kind} field {other.name}")
        if other is field:
            raise ConditionError(f"{where}: {field.name} is compared with itself")
        operand = FieldRef(other)
    else:
        operand = _literal(field, value, where, value_sets)
    return Test(field, op, operand)


def _field(name: Any, where: str) -> Field:
    if not isinstance(name, str) or name not in BY_NAME:
        raise ConditionError(f"{where}: unknown field {_show(name)}")
    field = BY_NAME[name]
    if not field.in_engine:
        raise ConditionError(f"{where}: {name} is a report field and cannot be tested")
    return field


def _literal(field: Field, value: Any, where: str,
             value_sets: Mapping[str, frozenset[str]]) -> Scalar:
    kind = field.kind
    if kind == "bool":
        if not isinstance(value, bool):
            raise ConditionError(f"{where}: {field.name} is true/false, got {_show(value)}")
        return value
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int) or abs(value) >= MAX_INT:
            raise ConditionError(f"{where}: {field.name} is a whole number, got {_show(value)}")
        return value
    if kind == "day":
        if isinstance(value, str):
            try:
                value = date.fromisoformat(value)
            except ValueError:
                raise ConditionError(
                    f"{where}: {field.name} is a date, got {_show(value)}") from None
        if not isinstance(value, date):
            raise ConditionError(
                f"{where}: {field.name} is a date (YYYY-MM-DD), got {_show(value)}")
        return value.toordinal()
    if not isinstance(value, str):
        raise ConditionError(f"{where}: {field.name} is text, got {_show(value)}")
    if len(value.encode()) > MAX_STR_BYTES:
        raise ConditionError(
            f"{where}: value for {field.name} is longer than {MAX_STR_BYTES} bytes")
    allowed = field.values
    if isinstance(allowed, str):
        allowed = tuple(sorted(value_sets.get(allowed, frozenset())))
    if allowed is not None and value not in allowed:
        raise ConditionError(f"{where}: {value!r} is not a value of {field.name}; "
                             f"expected one of {', '.join(allowed)}")
    return value


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


# --- normal forms ------------------------------------------------------------------------------


def negate(condition: Condition) -> Condition:
    """The exact complement, given that a test of an absent field is false."""
    if isinstance(condition, Not):
        return condition.part
    if isinstance(condition, All):
        return AnyOf(tuple(negate(p) for p in condition.parts))
    if isinstance(condition, AnyOf):
        return All(tuple(negate(p) for p in condition.parts))
    if isinstance(condition, Exists):
        return Exists(condition.field, not condition.present)
    flipped = Test(condition.field, _NEGATED[condition.op], condition.operand)
    absent = [Exists(f, False) for f in _test_fields(condition) if f.optional]
    return AnyOf((*absent, flipped)) if absent else flipped


def _test_fields(test: Test) -> tuple[Field, ...]:
    if isinstance(test.operand, FieldRef):
        return (test.field, test.operand.field)
    return (test.field,)


def to_dnf(condition: Condition) -> tuple[Conjunction, ...]:
    """Flatten into alternatives of plain tests; contradictory alternatives are dropped."""
    alternatives = _dnf(condition)
    kept: list[Conjunction] = []
    for conj in alternatives:
        unique = tuple(dict.fromkeys(conj))
        if _contradictory(unique) or unique in kept:
            continue
        kept.append(unique)
    return tuple(kept)


def _dnf(condition: Condition) -> list[Conjunction]:
    if isinstance(condition, Not):
        return _dnf(negate(condition.part))
    if isinstance(condition, Test):
        # The core answers a comparison with an absent referenced field as if it held (a
        # `$neq` against a missing `$m` matches), so every optional field a test reads is
        # required to exist explicitly.
        guards = tuple(Exists(f, True) for f in _test_fields(condition) if f.optional)
        return [(*guards, condition)]
    if isinstance(condition, Exists):
        return [(condition,)]
    if isinstance(condition, AnyOf):
        out: list[Conjunction] = []
        for part in condition.parts:
            out.extend(_dnf(part))
            _check_size(len(out))
        return out
    assert isinstance(condition, All)
    product: list[Conjunction] = [()]
    for part in condition.parts:
        product = [a + b for a, b in itertools.product(product, _dnf(part))]
        _check_size(len(product))
    return product


def _check_size(n: int) -> None:
    if n > MAX_ALTERNATIVES:
        raise ConditionError(f"the condition expands into more than {MAX_ALTERNATIVES} "
                             "alternatives; split the rule or simplify the condition")


def _contradictory(conj: Conjunction) -> bool:
    present = {lit.field.name for lit in conj if isinstance(lit, Exists) and lit.present}
    for lit in conj:
        tested = (lit.field,) if isinstance(lit, Exists) else _test_fields(lit)
        needs_present = not isinstance(lit, Exists) or lit.present
        if needs_present:
            present.update(f.name for f in tested)
    absent = {lit.field.name for lit in conj if isinstance(lit, Exists) and not lit.present}
    return bool(present & absent)


def fields_of(condition: Condition) -> tuple[Field, ...]:
    """The fields a condition reads, in order of first mention."""
    seen: dict[str, Field] = {}

    def walk(c: Condition) -> None:
        if isinstance(c, Test):
            for f in _test_fields(c):
                seen.setdefault(f.name, f)
        elif isinstance(c, Exists):
            seen.setdefault(c.field.name, c.field)
        elif isinstance(c, Not):
            walk(c.part)
        else:
            for p in c.parts:
                walk(p)

    walk(condition)
    return tuple(seen.values())


# --- durable_rules patterns --------------------------------------------------------------------


def to_durable(conj: Conjunction) -> dict[str, Any]:
    """One conjunction as a durable_rules antecedent, guarded by the fact marker."""
    if len(conj) > MAX_TESTS:
        raise ConditionError(f"an alternative has {len(conj)} tests; at most {MAX_TESTS}")
    parts: list[dict[str, Any]] = [{MARKER_KEY: MARKER_VALUE}]
    for lit in conj:
        key = lit.field.key
        if isinstance(lit, Exists):
            parts.append({"$ex" if lit.present else "$nex": {key: 1}})
            continue
        operand: Any = ({"$m": lit.operand.field.key} if isinstance(lit.operand, FieldRef)
                        else lit.operand)
        parts.append({key: operand} if lit.op == "eq" else {_DURABLE_OP[lit.op]: {key: operand}})
    return {"all": [{"m": {"$and": parts}}]}
