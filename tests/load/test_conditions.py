"""The condition compiler against a direct interpreter of the same language.

Rules reach durable_rules only after negation is pushed down and conditions are flattened into
plain conjunctions; a mistake there would give wrong verdicts without any error. So random
conditions over a few fields are compiled into a real ruleset and asserted against random facts,
and whatever fires must be exactly what a straightforward interpreter says.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from eligibility.judge import engine
from eligibility.judge.vocabulary import BY_NAME
from eligibility.load import conditions
from eligibility.load.conditions import All, AnyOf, Condition, ConditionError, Exists, FieldRef, Not
from eligibility.load.conditions import Test as FieldTest

VALUE_SETS = {
    "platforms": frozenset({"taobao", "amazon.com"}),
    "groups": frozenset({"alibaba-domestic", "amazon"}),
    "offices": frozenset({"CNIPA", "USPTO"}),
    "jurisdictions": frozenset({"CN", "US"}),
}

# A handful of fields of every kind, optional and not.
BOOL = "evidence.certificate"  # always present
OPT_BOOL = "authorization.signed"
INT = "listings.count"
DAY = "day0"
OPT_DAY = "right.term_end"
OPT_DAY2 = "right.grace_end"
STR = "right.status"
OPT_STR = "right.office"
NAME = "holder.name"
OPT_NAME = "right.owner"

FIELD_VALUES: dict[str, st.SearchStrategy[Any]] = {
    BOOL: st.booleans(),
    OPT_BOOL: st.booleans(),
    INT: st.integers(0, 4),
    DAY: st.integers(738_000, 738_004),
    OPT_DAY: st.integers(738_000, 738_004),
    OPT_DAY2: st.integers(738_000, 738_004),
    STR: st.sampled_from(["registered", "pending", "expired"]),
    OPT_STR: st.sampled_from(["CNIPA", "USPTO"]),
    NAME: st.sampled_from(["jane doe", "acme"]),
    OPT_NAME: st.sampled_from(["jane doe", "acme"]),
}
OPTIONAL = {OPT_BOOL, OPT_DAY, OPT_DAY2, OPT_STR, OPT_NAME}
SAME_KIND = {DAY: [OPT_DAY, OPT_DAY2], OPT_DAY: [DAY, OPT_DAY2], OPT_DAY2: [DAY, OPT_DAY],
             NAME: [OPT_NAME], OPT_NAME: [NAME]}
ORDERED = {INT, DAY, OPT_DAY, OPT_DAY2}


@st.composite
def leaves(draw: st.DrawFn) -> dict[str, Any]:
    name = draw(st.sampled_from(sorted(FIELD_VALUES)))
    choice = draw(st.integers(0, 3))
    if choice == 0 and name in OPTIONAL:
        return {"field": name, "exists": draw(st.booleans())}
    if choice == 1 and name in SAME_KIND:
        op = draw(st.sampled_from(["eq", "ne", "lt", "le", "gt", "ge"] if name in ORDERED
                                  else ["eq", "ne"]))
        return {"field": name, op: {"field": draw(st.sampled_from(SAME_KIND[name]))}}
    if choice == 2 and name in (INT, STR, OPT_STR):
        values = draw(st.lists(FIELD_VALUES[name], min_size=1, max_size=3))
        return {"field": name, "in": values}
    ops = ["eq", "ne", "lt", "le", "gt", "ge"] if name in ORDERED else ["eq", "ne"]
    op = draw(st.sampled_from(ops))
    value = draw(FIELD_VALUES[name])
    if name in (DAY, OPT_DAY, OPT_DAY2):
        from datetime import date

        value = date.fromordinal(value)
    return {"field": name, op: value}


raw_conditions = st.recursive(
    leaves(),
    lambda inner: st.one_of(
        st.builds(lambda xs: {"all": xs}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda xs: {"any": xs}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda x: {"not": x}, inner),
    ),
    max_leaves=6,
)


@st.composite
def facts(draw: st.DrawFn) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, values in FIELD_VALUES.items():
        if name in OPTIONAL and draw(st.booleans()):
            continue
        out[name] = draw(values)
    return out


def interpret(cond: Condition, fact: dict[str, Any]) -> bool:
    """The language's meaning: a test of an absent field is false; `not` is the complement."""
    if isinstance(cond, All):
        return all(interpret(p, fact) for p in cond.parts)
    if isinstance(cond, AnyOf):
        return any(interpret(p, fact) for p in cond.parts)
    if isinstance(cond, Not):
        return not interpret(cond.part, fact)
    if isinstance(cond, Exists):
        return (cond.field.name in fact) == cond.present
    assert isinstance(cond, FieldTest)
    if cond.field.name not in fact:
        return False
    left = fact[cond.field.name]
    if isinstance(cond.operand, FieldRef):
        if cond.operand.field.name not in fact:
            return False
        right = fact[cond.operand.field.name]
    else:
        right = cond.operand
    return bool({
        "eq": left == right, "ne": left != right, "lt": left < right,
        "le": left <= right, "gt": left > right, "ge": left >= right,
    }[cond.op])


def fires(cond: Condition, fact: dict[str, Any]) -> bool:
    patterns = {f"r{i}": conditions.to_durable(c) for i, c in enumerate(conditions.to_dnf(cond))}
    if not patterns:
        return False
    ruleset = engine.build(patterns, label="conditions_test")
    return bool(ruleset.fire({BY_NAME[k].key: v for k, v in fact.items()}))


@given(raw=raw_conditions, fact=facts())
@example(raw={"not": {"field": OPT_DAY, "lt": {"field": DAY}}}, fact={DAY: 738_000})
@example(raw={"not": {"field": OPT_STR, "in": ["CNIPA"]}}, fact={})
@example(raw={"all": [{"field": OPT_STR, "exists": True}, {"field": OPT_STR, "exists": False}]},
         fact={OPT_STR: "CNIPA"})
@example(raw={"field": NAME, "ne": {"field": OPT_NAME}}, fact={NAME: "acme"})
def test_compiled_condition_matches_its_meaning(raw: dict[str, Any], fact: dict[str, Any]) -> None:
    cond = conditions.parse(raw, VALUE_SETS)
    for name in (BOOL, INT, DAY, STR, NAME):  # always-present fields
        fact.setdefault(name, {BOOL: True, INT: 0, DAY: 738_000, STR: "pending",
                               NAME: "acme"}[name])
    assert fires(cond, fact) == interpret(cond, fact)


def test_negation_is_the_exact_complement_for_absent_fields() -> None:
    cond = conditions.parse({"field": OPT_DAY, "lt": {"field": DAY}}, VALUE_SETS)
    negated = conditions.negate(cond)
    for fact in ({DAY: 5}, {DAY: 5, OPT_DAY: 4}, {DAY: 5, OPT_DAY: 6}):
        assert interpret(cond, fact) != interpret(negated, fact)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"field": "right.colour", "eq": "red"}, "unknown field 'right.colour'"),
        ({"field": "right.type", "eq": "trademrk"}, "'trademrk' is not a value of right.type"),
        ({"field": "right.type", "lt": "x"}, "'lt' needs a number or date field"),
        ({"field": "listings.count", "eq": "3"}, "listings.count is a whole number"),
        ({"field": "listings.count", "eq": True}, "listings.count is a whole number"),
        ({"field": "listings.count", "eq": 2**60}, "listings.count is a whole number"),
        ({"field": "day0", "gt": "yesterday"}, "day0 is a date"),
        ({"field": "day0", "gt": {"field": "listings.count"}}, "cannot compare day field day0"),
        ({"field": "listings.count", "add": 1}, "unknown operator 'add'"),
        ({"field": "listings.count", "div": 0}, "unknown operator 'div'"),
        ({"field": "listings.count", "regex": ".*"}, "unknown operator 'regex'"),
        ({"field": "platform", "eq": "taobo"}, "'taobo' is not a value of platform"),
        ({"field": "evidence.certificate", "exists": False}, "is always present"),
        ({"field": "right.territories", "eq": "CN"}, "is a report field"),
        ({"all": []}, "expected a non-empty list"),
        ({"any": [{"field": "day0", "gt": "2020-01-01"}], "not": {}}, "cannot be mixed"),
        ({"nor": []}, "unknown condition keys nor"),
        ({"any": [{"field": "day0", "gt": "2020-01-01"}], 1: 2}, "cannot be mixed with 1"),
        ({"not": {"field": "listings.count", "eq": 0}, 3: 4}, "cannot be mixed with 3"),
        ("listings.count > 3", "a condition is a mapping"),
        ({"field": "listings.count", "eq": 1, "ne": 2}, "exactly one of"),
    ],
)
def test_bad_conditions_are_refused_with_a_reason(raw: Any, message: str) -> None:
    with pytest.raises(ConditionError, match=None) as err:
        conditions.parse(raw, VALUE_SETS)
    assert message in str(err.value)


def test_a_condition_that_explodes_is_refused() -> None:
    many = {"all": [{"any": [{"field": "listings.count", "eq": i}, {"field": "day0", "gt":
                                                                         "2020-01-01"}]}
                    for i in range(7)]}
    cond = conditions.parse(many, VALUE_SETS)
    with pytest.raises(ConditionError, match="more than 64 alternatives"):
        conditions.to_dnf(cond)


def test_contradictory_alternatives_are_dropped() -> None:
    cond = conditions.parse({"all": [{"field": OPT_STR, "exists": False},
                                     {"field": OPT_STR, "eq": "CNIPA"}]}, VALUE_SETS)
    assert conditions.to_dnf(cond) == ()


# --- named conditions ---------------------------------------------------------------------------

UNREGISTERED = {"all": [{"field": STR, "eq": "registered"}, {"field": OPT_STR, "exists": False}]}


def test_a_named_condition_is_the_condition_it_names() -> None:
    named = {"unregistered": conditions.parse(UNREGISTERED, VALUE_SETS)}
    used = conditions.parse({"not": {"condition": "unregistered"}}, VALUE_SETS, named=named)
    assert used == Not(named["unregistered"])
    # Compiled, it is the same as writing the condition out in place.
    written = conditions.parse({"not": UNREGISTERED}, VALUE_SETS)
    assert conditions.to_dnf(used) == conditions.to_dnf(written)


@pytest.mark.parametrize(("raw", "message"), [
    ({"condition": "nowhere"}, "unknown named condition 'nowhere'; defined: unregistered"),
    ({"condition": 3}, "unknown named condition 3"),
    ({"condition": "unregistered", "field": STR}, "'condition' cannot be mixed with field"),
    ({"any": [{"condition": "nowhere"}]}, "when.any[0]: unknown named condition"),
])
def test_a_bad_reference_is_named(raw: dict[str, Any], message: str) -> None:
    named = {"unregistered": conditions.parse(UNREGISTERED, VALUE_SETS)}
    with pytest.raises(ConditionError, match=message.replace("[", r"\[").replace("]", r"\]")):
        conditions.parse(raw, VALUE_SETS, named=named)


def test_without_named_conditions_a_reference_is_unknown() -> None:
    with pytest.raises(ConditionError, match="defined: none"):
        conditions.parse({"condition": "unregistered"}, VALUE_SETS)
