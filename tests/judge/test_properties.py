"""Properties every verdict must have, whatever the complaint."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st

import eligibility
from eligibility import Decision, Verdict

from ..conftest import base_complaint
from ..strategies import complaints

RANK = {Decision.INELIGIBLE: 0, Decision.INCOMPLETE: 1, Decision.ELIGIBLE: 2}


def judge(complaint: dict[str, Any]) -> Verdict:
    return eligibility.default_policy().evaluate(complaint)


@given(complaints())
@example(base_complaint())
def test_every_valid_complaint_gets_a_consistent_verdict(complaint: dict[str, Any]) -> None:
    verdict = judge(complaint)
    severities = {r.severity for r in verdict.reasons}
    assert (verdict.decision is Decision.INELIGIBLE) == ("blocking" in severities)
    assert (verdict.decision is Decision.INCOMPLETE) == (
        "blocking" not in severities and "missing" in severities)
    failed = {c.rule for c in verdict.checks if c.status == "failed"}
    assert failed == {r.rule for r in verdict.reasons}
    assert len({c.rule for c in verdict.checks}) == len(verdict.checks)
    assert (verdict.due is not None) == (
        verdict.decision is Decision.ELIGIBLE and not verdict.platform.startswith("amazon"))
    if verdict.due is not None:
        assert verdict.day0 < verdict.due.earliest <= verdict.due.latest


def _supply(complaint: dict[str, Any], what: str) -> dict[str, Any]:
    better = copy.deepcopy(complaint)
    right = better["ip_right"]
    if what in right["evidence"]:
        right["evidence"][what] = True
    elif what == "signature" and better.get("authorization"):
        better["authorization"]["signed"] = True
    elif what == "document":
        kind = better["complainant"]["kind"]
        better["complainant"]["identity_documents"].append({
            "type": "passport" if kind == "individual" else "business_license",
            "holder_name": better["complainant"]["name"],
        })
    return better


@given(complaints(), st.sampled_from(["certificate", "extension_certificate",
                                      "evaluation_report", "renewal_certificate",
                                      "signature", "document"]))
def test_supplying_evidence_never_makes_a_verdict_worse(complaint: dict[str, Any],
                                                         what: str) -> None:
    before = judge(complaint)
    after = judge(_supply(complaint, what))
    assert RANK[after.decision] >= RANK[before.decision]
    assert {r.rule for r in after.reasons} <= {r.rule for r in before.reasons}


@given(complaints(), st.randoms(use_true_random=False))
def test_order_of_documents_and_listings_does_not_matter(complaint: dict[str, Any],
                                                         rnd: Any) -> None:
    shuffled = copy.deepcopy(complaint)
    rnd.shuffle(shuffled["complainant"]["identity_documents"])
    rnd.shuffle(shuffled["infringement"]["listings"])
    assert judge(complaint).model_dump_json() == judge(shuffled).model_dump_json()


@given(complaints())
def test_the_same_complaint_gives_byte_identical_json(complaint: dict[str, Any]) -> None:
    assert judge(complaint).model_dump_json() == judge(copy.deepcopy(complaint)).model_dump_json()


def test_the_order_of_scope_lists_does_not_matter(complaint: dict[str, Any]) -> None:
    complaint["authorization"]["scope"] = {"rights": ["111", "222"], "platforms": ["tmall"]}
    first = judge(complaint).model_dump_json()
    complaint["authorization"]["scope"] = {"rights": ["222", "111", "222"], "platforms": ["tmall"]}
    assert judge(complaint).model_dump_json() == first
