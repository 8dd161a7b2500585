"""One complaint judged on every platform at once: where could it be filed?"""

from __future__ import annotations

from typing import Any

import pytest

import eligibility
from eligibility.judge.program import Judge
from eligibility.load.loader import Loaded
from eligibility.load.yaml import load_yaml

from ..conftest import EXAMPLES


def _example(name: str) -> dict[str, Any]:
    data = load_yaml((EXAMPLES / name).read_text("utf-8"))
    assert isinstance(data, dict)
    return data


def test_a_us_trademark_is_refused_in_china_and_accepted_abroad(
        policy: eligibility.Policy) -> None:
    everywhere = policy.evaluate_everywhere(_example("us-band-uspto-taobao.yaml"))
    assert list(everywhere) == list(policy.platforms)
    decisions = {p: v.decision.value for p, v in everywhere.items()}
    assert decisions["taobao"] == decisions["tmall"] == decisions["1688"] == "ineligible"
    assert decisions["aliexpress"] == decisions["alibaba.com"] == "eligible"
    assert decisions["amazon.com"] == "eligible"
    assert decisions["amazon.de"] == "ineligible"
    assert [r.rule for r in everywhere["taobao"].reasons] == ["territory.not-protected-in-china"]
    for platform, verdict in everywhere.items():
        assert verdict.platform == platform


def test_listing_rules_are_not_applicable_everywhere(policy: eligibility.Policy,
                                                     complaint: dict[str, Any]) -> None:
    complaint = {**complaint, "infringement": {"kind": "counterfeit", "listings": [
        "https://example.org/not-a-marketplace"] * 1 + ["ftp://x"]}}
    single = policy.evaluate(complaint)
    assert "complaint.listing-off-platform" in {r.rule for r in single.reasons}
    listing_rules = {r.id for r in policy.catalog if r.per_filing}
    assert {"complaint.no-listings", "complaint.listing-off-platform",
            "complaint.too-many-listings"} <= listing_rules
    for verdict in policy.evaluate_everywhere(complaint).values():
        statuses = {c.rule: c.status for c in verdict.checks}
        for rule in listing_rules & statuses.keys():
            assert statuses[rule] == "not_applicable"
        assert not listing_rules & {r.rule for r in verdict.reasons}


def test_the_platform_may_be_left_out(policy: eligibility.Policy,
                                      complaint: dict[str, Any]) -> None:
    with_platform = policy.evaluate_everywhere(complaint)
    without = {k: v for k, v in complaint.items() if k != "platform"}
    assert {p: v.model_dump_json() for p, v in policy.evaluate_everywhere(without).items()} == \
        {p: v.model_dump_json() for p, v in with_platform.items()}


def test_each_verdict_is_that_platforms_own_but_for_the_listing_rules(
        policy: eligibility.Policy) -> None:
    for path in sorted(EXAMPLES.glob("*.yaml")):
        complaint = _example(path.name)
        for platform, verdict in policy.evaluate_everywhere(complaint).items():
            # The filing channel, like the listings, belongs to one filing: alone, each platform
            # gets the default channel (the online form is invalid input on Amazon).
            alone = policy.evaluate({**{k: v for k, v in complaint.items() if k != "channel"},
                                     "platform": platform,
                                     "infringement": {**complaint["infringement"],
                                                      "listings": []},
                                     "authorization": complaint.get("authorization")})
            filing = {r.id for r in policy.catalog if r.per_filing}
            assert verdict.decision == alone.decision or filing & {
                r.rule for r in alone.reasons}, (path.name, platform)
            assert [r for r in verdict.reasons if r.rule not in filing] == \
                [r for r in alone.reasons if r.rule not in filing], (path.name, platform)


def test_invalid_input_is_reported_once(policy: eligibility.Policy,
                                        complaint: dict[str, Any]) -> None:
    bad = {**complaint, "ip_right": {**complaint["ip_right"], "office": "NOPE"}}
    with pytest.raises(eligibility.InvalidComplaint) as caught:
        policy.evaluate_everywhere(bad)
    assert [p.path for p in caught.value.problems] == ["ip_right.office"]


def test_the_library_function_uses_the_packaged_policy(complaint: dict[str, Any]) -> None:
    everywhere = eligibility.evaluate_everywhere(complaint, lang="zh-CN")
    assert everywhere["taobao"].decision.value == "eligible"
    assert set(everywhere) == set(eligibility.default_policy().platforms)


def test_the_filing_channel_belongs_to_one_filing(policy: eligibility.Policy) -> None:
    """An online-form complaint (11 listings) judged everywhere: the channel's cap is a rule of
    one filing, not applicable on any platform, and Amazon (which takes no online form) is judged
    like the rest instead of refusing the complaint."""
    complaint = _example("online-form-11-listings-taobao.yaml")
    del complaint["platform"]
    everywhere = policy.evaluate_everywhere(complaint)
    assert everywhere["amazon.com"].decision == "ineligible"  # a CNIPA mark, not US
    for verdict in everywhere.values():
        checks = {c.rule: c.status for c in verdict.checks}
        if "complaint.too-many-listings" in checks:
            assert checks["complaint.too-many-listings"] == "not_applicable"
        assert checks["complaint.listing-short-link"] == "not_applicable"
    # Naming an Amazon platform with the online form is still invalid input.
    with pytest.raises(eligibility.InvalidComplaint) as caught:
        policy.evaluate_everywhere({**complaint, "platform": "amazon.com"})
    assert [p.path for p in caught.value.problems] == ["channel"]


def test_no_stated_platform_means_no_channel_check(loaded: Loaded,
                                                   complaint: dict[str, Any]) -> None:
    # The stand-in platform used while validating must not be held to the filing channel:
    # with Amazon first (it takes no online form), the complaint is still judged everywhere.
    judge = loaded.judge
    amazon_first = Judge(dict(reversed(list(judge.programs.items()))), judge.jurisdictions,
                         judge.policy, judge.context, judge.languages)
    assert next(iter(amazon_first.programs)).startswith("amazon")
    anywhere = {k: v for k, v in complaint.items() if k != "platform"}
    anywhere["channel"] = "online_form"
    verdicts = amazon_first.everywhere(anywhere, None, "en")
    assert set(verdicts) == set(judge.programs)
    with pytest.raises(eligibility.InvalidComplaint) as named:  # a stated platform still is
        amazon_first.everywhere({**anywhere, "platform": "amazon.com"}, None, "en")
    assert [p.path for p in named.value.problems] == ["channel"]


def test_language_codes_match_without_regard_to_case(policy: eligibility.Policy,
                                                     complaint: dict[str, Any]) -> None:
    assert policy.evaluate(complaint, lang="ZH-cn").model_dump_json() == \
        policy.evaluate(complaint, lang="zh-CN").model_dump_json()
    assert policy.language("EN").code == "en"
