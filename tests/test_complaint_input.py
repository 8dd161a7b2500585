"""A complaint the model cannot read never gets a verdict; every problem is named with its path."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import eligibility
from eligibility import InvalidComplaint
from eligibility.names import normalise

from .conftest import ROOT, base_complaint


def problems(policy: eligibility.Policy, complaint: Any) -> dict[str, str]:
    with pytest.raises(InvalidComplaint) as err:
        policy.evaluate(complaint)
    assert isinstance(err.value, ValueError)
    return {p.path: p.message for p in err.value.problems}


def test_every_problem_is_listed_at_once(policy: eligibility.Policy,
                                         complaint: dict[str, Any]) -> None:
    complaint["platform"] = "ebay"
    complaint["submitted_at"] = "2026-03-02T10:00:00"
    complaint["ip_right"]["office"] = "XYZPO"
    complaint["ip_right"]["type"] = "design_right"
    complaint["complainant"]["identity_documents"][0]["type"] = "library_card"
    complaint["infringement"]["colour"] = "red"
    found = problems(policy, complaint)
    assert set(found) == {
        "platform", "submitted_at", "ip_right.office", "ip_right.type",
        "complainant.identity_documents.0.type", "infringement.colour",
    }
    assert "unknown platform 'ebay'" in found["platform"]
    assert "no UTC offset" in found["submitted_at"]
    assert "unknown office 'XYZPO'" in found["ip_right.office"]
    assert found["infringement.colour"] == "unknown field"


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("ip_right", "evidence", "certificate"), "yes", "valid boolean"),
        (("ip_right", "evidence", "certificate"), 1, "valid boolean"),
        (("ip_right", "number"), 58231907, "write it in quotes"),
        (("authorization", "scope", "rights"), [58231907], "write it in quotes"),
        (("ip_right", "registered_on"), "07/06/2021", "YYYY-MM-DD"),
        (("ip_right", "registered_on"), "2021-02-30", "not a calendar date"),
        (("ip_right", "registered_on"), 1_600_000_000, "YYYY-MM-DD"),
        (("ip_right", "status"), "granted", "Input should be"),
        (("complainant", "country"), "usa", "String should match pattern"),
        (("complainant", "name"), "", "at least 1 character"),
        (("complainant", "name"), "x" * 300, "at most 256 characters"),
        (("complainant", "name"), "-", "at least one letter or digit"),
        (("rights_holder", "name"), "\u3002", "at least one letter or digit"),
        (("submitted_at",), "yesterday", "ISO 8601"),
        (("submitted_at",), 1_700_000_000, "ISO 8601"),
        (("infringement", "listings"), "https://item.taobao.com/1", "valid list"),
    ],
)
def test_bad_values_are_refused_with_the_field_named(policy: eligibility.Policy,
                                                     complaint: dict[str, Any],
                                                     path: tuple[str, ...], value: Any,
                                                     message: str) -> None:
    target = complaint
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    found = problems(policy, complaint)
    assert len(found) == 1
    (where, said), = found.items()
    assert where.startswith(".".join(path))
    assert message in said


def test_missing_required_sections_are_named(policy: eligibility.Policy,
                                             complaint: dict[str, Any]) -> None:
    del complaint["ip_right"]
    del complaint["complainant"]["name"]
    assert set(problems(policy, complaint)) == {"ip_right", "complainant.name"}


@pytest.mark.parametrize("value", [None, [], "platform: taobao", 42])
def test_a_complaint_must_be_a_mapping(policy: eligibility.Policy, value: Any) -> None:
    assert list(problems(policy, value)) == [""]


def test_too_many_listings_to_read_is_an_input_error(policy: eligibility.Policy,
                                                     complaint: dict[str, Any]) -> None:
    complaint["infringement"]["listings"] = [f"https://item.taobao.com/{i}" for i in range(10_001)]
    assert "at most 10000" in problems(policy, complaint)["infringement.listings"]


def test_timestamps_in_every_accepted_form(policy: eligibility.Policy,
                                          complaint: dict[str, Any]) -> None:
    forms = ["2026-03-02T02:00:00Z", "2026-03-02T02:00:00+00:00",
             datetime(2026, 3, 2, 10, tzinfo=timezone(timedelta(hours=8)))]
    day0s = set()
    for form in forms:
        complaint["submitted_at"] = form
        day0s.add(policy.evaluate(complaint).day0.isoformat())
    assert day0s == {"2026-03-02"}


def test_now_fills_a_missing_submission_time_and_must_be_aware(
        policy: eligibility.Policy, complaint: dict[str, Any]) -> None:
    del complaint["submitted_at"]
    shanghai_monday = datetime(2026, 3, 1, 20, tzinfo=timezone.utc)  # 04:00 Monday in Shanghai
    assert policy.evaluate(complaint, now=shanghai_monday).day0.isoformat() == "2026-03-02"
    with pytest.raises(ValueError, match="timezone-aware"):
        policy.evaluate(complaint, now=datetime(2026, 3, 2, 10))
    assert policy.evaluate(complaint, now="2026-03-01T20:00:00Z").day0.isoformat() == "2026-03-02"
    with pytest.raises(ValueError, match="no UTC offset"):
        policy.evaluate(complaint, now="2026-03-02T10:00:00")


def test_a_bad_now_is_refused_even_when_unused(policy: eligibility.Policy,
                                              complaint: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="now:"):
        policy.evaluate(complaint, now="soon")


def test_an_impossible_yaml_date_is_reported_at_its_field(policy: eligibility.Policy) -> None:
    from eligibility.load.yaml import load_yaml

    text = (ROOT / "tests/fixtures/complaints/eligible-taobao-agent.yaml").read_text()
    broken = load_yaml(text.replace("registered_on: 2021-06-07", "registered_on: 2021-13-07"))
    found = problems(policy, broken)
    assert list(found) == ["ip_right.registered_on"]
    assert "month must be in 1..12" in found["ip_right.registered_on"]


def test_a_year_the_calendar_cannot_answer_for_is_an_input_error(
        policy: eligibility.Policy, complaint: dict[str, Any]) -> None:
    complaint["submitted_at"] = "1900-03-02T10:00:00+08:00"
    found = problems(policy, complaint)
    assert list(found) == ["submitted_at"]
    assert "1900" in found["submitted_at"]


def test_a_complaint_object_is_checked_against_the_policy_too(policy: eligibility.Policy,
                                                              complaint: dict[str, Any]) -> None:
    model = eligibility.Complaint.model_validate(dict(complaint, platform="ebay"))
    assert list(problems(policy, model)) == ["platform"]
    ok = eligibility.Complaint.model_validate(complaint)
    assert policy.evaluate(ok) == policy.evaluate(complaint)


def test_batches_name_the_position_of_a_bad_complaint(policy: eligibility.Policy,
                                                      complaint: dict[str, Any]) -> None:
    bad = dict(complaint, platform="ebay")
    with pytest.raises(InvalidComplaint) as err:
        policy.evaluate_many([complaint, bad])
    assert [p.path for p in err.value.problems] == ["1.platform"]
    verdicts = policy.evaluate_many([complaint, complaint])
    assert [v.decision for v in verdicts] == ["eligible", "eligible"]


def test_yaml_friendly_forms_are_read_as_meant(policy: eligibility.Policy,
                                              complaint: dict[str, Any]) -> None:
    from eligibility.load.yaml import load_yaml

    text = """
platform: 1688
submitted_at: 2026-03-02T10:00:00+08:00
complainant: {kind: organization, name: Jane Doe, identity_documents: null}
ip_right:
  type: trademark
  status: registered
  office: CNIPA
  number: "58231907"
  owner: Jane Doe
  registered_on: 2021-06-07
  designations: null
  evidence: null
infringement: {kind: counterfeit, listings: ["https://detail.1688.com/offer/1.html"]}
"""
    verdict = policy.evaluate(load_yaml(text))
    assert verdict.platform == "1688"
    assert {r.rule for r in verdict.reasons} == {"identity.document-missing",
                                                 "evidence.certificate-missing"}


def test_an_unstated_signature_counts_as_unsigned(policy: eligibility.Policy,
                                                  complaint: dict[str, Any]) -> None:
    del complaint["authorization"]["signed"]
    assert [r.rule for r in policy.evaluate(complaint).reasons] == ["agent.authorization-unsigned"]


# --- the filing channel and the claim statement (CONTRACT.md v1.1) -------------------------------


def test_the_channel_defaults_to_an_ipp_account(policy: eligibility.Policy,
                                                complaint: dict[str, Any]) -> None:
    parsed = policy.parse(complaint)
    assert parsed.channel == "ipp_account"
    assert parsed.ip_right.evidence.claim_statement is False


@pytest.mark.parametrize("platform", ["taobao", "tmall", "tmall.hk", "1688", "aliexpress",
                                      "alibaba.com"])
def test_the_online_form_is_taken_on_every_alibaba_platform(policy: eligibility.Policy,
                                                            complaint: dict[str, Any],
                                                            platform: str) -> None:
    complaint.update(platform=platform, channel="online_form")
    assert policy.parse(complaint).channel == "online_form"


@pytest.mark.parametrize("platform", ["amazon.com", "amazon.de"])
def test_the_online_form_on_amazon_is_invalid_input_naming_channel(policy: eligibility.Policy,
                                                                   complaint: dict[str, Any],
                                                                   platform: str) -> None:
    complaint.update(platform=platform, channel="online_form")
    found = problems(policy, complaint)
    assert list(found) == ["channel"]
    assert f"platform {platform} takes no complaint through 'online_form'" in found["channel"]
    assert "ipp_account" in found["channel"]


@pytest.mark.parametrize("value", ["fax", "", "IPP_ACCOUNT", None, 1, True])
def test_an_unknown_channel_is_invalid_input_naming_channel(policy: eligibility.Policy,
                                                            complaint: dict[str, Any],
                                                            value: Any) -> None:
    complaint["channel"] = value
    assert list(problems(policy, complaint)) == ["channel"]


def test_a_channel_beside_an_unknown_platform_reports_only_the_platform(
        policy: eligibility.Policy, complaint: dict[str, Any]) -> None:
    complaint.update(platform="ebay", channel="online_form")
    assert list(problems(policy, complaint)) == ["platform"]


def test_the_claim_statement_is_a_strict_bool(policy: eligibility.Policy,
                                              complaint: dict[str, Any]) -> None:
    complaint["ip_right"]["evidence"]["claim_statement"] = "yes"
    assert list(problems(policy, complaint)) == ["ip_right.evidence.claim_statement"]


def test_the_schema_names_the_channels_each_platform_takes(policy: eligibility.Policy) -> None:
    schema = policy.complaint_schema()
    assert schema["properties"]["channel"]["enum"] == ["ipp_account", "online_form"]
    assert schema["properties"]["channel"]["default"] == "ipp_account"
    narrowed = {rule["if"]["properties"]["platform"]["const"]:
                rule["then"]["properties"]["channel"]["enum"] for rule in schema["allOf"]}
    assert narrowed == {"amazon.com": ["ipp_account"], "amazon.de": ["ipp_account"]}
    evidence = schema["$defs"]["Evidence"]["properties"]
    assert evidence["claim_statement"]["type"] == "boolean"


# --- input leniencies, each decided on purpose (docs/interpretation.md, "Input leniencies") ---


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        # Dropped: a code with spaces around it is not a code the policy lists.
        (("platform",), " taobao", "unknown platform"),
        (("ip_right", "office"), "CNIPA ", "unknown office"),
        (("ip_right", "number"), " 58231907", "String should match pattern"),
        (("authorization", "scope", "platforms"), ["ebay"], "unknown platform"),
        # Dropped: a name's length is counted as written, spaces included.
        (("complainant", "name"), " " * 300 + "a", "at most 256 characters"),
        # Dropped: date-time forms outside RFC 3339 (the schema's "date-time").
        (("submitted_at",), "20260302T100000Z", "RFC 3339"),
        (("submitted_at",), "2026-03-02T10:00+08:00", "RFC 3339"),
        (("submitted_at",), "2026-03-02T10:00:00+0800", "RFC 3339"),
        (("submitted_at",), "2026-03-02 10:00:00+08:00", "RFC 3339"),
        (("submitted_at",), "2026-02-30T10:00:00+08:00", "not a calendar date"),
        # Names need a letter or digit: control and format characters are neither.
        (("complainant", "name"), "\u0000", "at least one letter or digit"),
        (("complainant", "name"), "\u200d", "at least one letter or digit"),
        (("complainant", "name"), "!", "at least one letter or digit"),
    ],
)
def test_dropped_leniencies_are_refused(policy: eligibility.Policy, complaint: dict[str, Any],
                                        path: tuple[str, ...], value: Any,
                                        message: str) -> None:
    test_bad_values_are_refused_with_the_field_named(policy, complaint, path, value, message)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        # Kept, and published in the schema: YAML's unquoted 1688 (JSON's 1688.0 is that number).
        (("platform",), 1688),
        (("platform",), 1688.0),
        (("authorization", "scope", "platforms"), [1688, "taobao"]),
        # Kept, and published: null for a list or the evidence (YAML's empty `key:`).
        (("complainant", "identity_documents"), None),
        (("infringement", "listings"), None),
        (("ip_right", "designations"), None),
        (("authorization", "scope", "rights"), None),
        # Kept: spaces around a name never change a comparison, and are dropped.
        (("complainant", "name"), "  Jane Doe  "),
    ],
)
def test_kept_leniencies_are_accepted_and_published(policy: eligibility.Policy,
                                                    complaint: dict[str, Any],
                                                    path: tuple[str, ...], value: Any) -> None:
    from jsonschema import Draft202012Validator

    target = complaint
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    policy.parse(complaint)
    as_json = json.loads(json.dumps(complaint, default=lambda v: v.isoformat()))
    Draft202012Validator(policy.complaint_schema()).validate(as_json)


def test_a_year_outside_the_calendar_is_refused_by_the_service_only(
        policy: eligibility.Policy, complaint: dict[str, Any]) -> None:
    complaint["submitted_at"] = "1949-03-02T10:00:00+08:00"
    assert "1949" in problems(policy, complaint)["submitted_at"]
    schema = policy.complaint_schema()
    assert "calendar covers" in schema["properties"]["submitted_at"]["description"]


def test_echoed_values_are_cut_to_a_bounded_length(policy: eligibility.Policy,
                                                   complaint: dict[str, Any]) -> None:
    complaint["platform"] = "x" * 10_000
    complaint["ip_right"]["office"] = "y" * 60
    complaint["authorization"]["scope"]["platforms"] = ["z" * 5_000]
    found = problems(policy, complaint)
    assert all(len(message) < 300 for message in found.values())
    assert "…" in found["platform"]
    assert "x" * 70 in found["platform"]


def test_an_unknown_key_of_any_length_is_named_cut(policy: eligibility.Policy,
                                                   complaint: dict[str, Any]) -> None:
    complaint["infringement"]["k" * 5_000] = 1
    (path, message), = problems(policy, complaint).items()
    assert message == "unknown field"
    assert path.startswith("infringement.kkk")
    assert path.endswith("…")
    assert len(path) <= len("infringement.") + 80


@settings(max_examples=300)
@given(st.text(min_size=1, max_size=40))
def test_a_name_is_refused_exactly_when_no_letter_or_digit_survives_normalisation(
        policy: eligibility.Policy, name: str) -> None:
    # The validator looks for an ASCII letter or digit first and normalises only names without
    # one: the answer must be the rule's, whatever the text.
    data = base_complaint()
    data["complainant"]["name"] = name
    needed = any(ch.isalnum() for ch in normalise(name))
    try:
        policy.parse(data)
    except InvalidComplaint as exc:
        named = [p for p in exc.problems if p.path == "complainant.name"]
        assert bool(named) == (not needed), named
    else:
        assert needed
