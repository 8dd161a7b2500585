"""The engine against the hand-written baseline: the same complaint must get the same verdict.

The baseline (benchmarks/baseline.py) decides every rule with plain Python coded from POLICY.md,
over the same fact, and builds the verdict the same way; only durable_rules is left out. So any
difference in the verdict JSON (decision, failed rule ids, check statuses, facts) means either
the C core answered wrongly or a rule file says something POLICY.md does not.

Complaints are drawn so that boundaries are hit often: dates a day either side of day 0, of a
term's end and of a grace period's end; names that differ only in spelling; listing URLs on,
beside and inside look-alike hosts and short-link domains; listing counts around each filing
channel's limit (10 through the online form, 300 from an IPP account).
"""

from __future__ import annotations

import sys
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import eligibility
from eligibility.load.yaml import load_yaml

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.baseline import BaselinePolicy  # noqa: E402
from benchmarks.mix import complaints as mix  # noqa: E402

ZONES = {"taobao": "Asia/Shanghai", "tmall": "Asia/Shanghai", "tmall.hk": "Asia/Shanghai",
         "1688": "Asia/Shanghai",
         "aliexpress": "Asia/Shanghai", "alibaba.com": "Asia/Shanghai",
         "amazon.com": "America/Los_Angeles", "amazon.de": "Europe/Berlin"}
PLATFORMS = sorted(ZONES)
OFFICES = ["CNIPA", "CPCC", "USPTO", "USCO", "EUIPO", "DPMA", "UKIPO", "JPO", "WIPO"]
DOCUMENT_TYPES = ["passport", "drivers_license", "national_id_card", "business_license",
                  "business_registration_certificate", "certificate_of_incorporation"]
FULLWIDTH_JANE = "\uff2a\uff41\uff4e\uff45 \uff24\uff4f\uff45"  # "Jane Doe" in full-width letters
# Spellings of three parties that normalise alike, and one that only nearly does.
NAMES = ["Jane Doe", "JANE  DOE", "Jane Doe.", FULLWIDTH_JANE, "Jane-Doe",
         "Midnight Owls LLC", "Midnight Owls, L.L.C.", "midnight owls llc",
         "杭州星河文化有限公司", "杭州星河文化有限公司。", "Zoë Müller", "Zoe\u0308 Mu\u0308ller"]
NUMBERS = ["58231907", "58 231 907", "G1234567", "g1234567"]
HOSTS = ["taobao.com", "item.taobao.com", "ITEM.TAOBAO.COM", "taobao.com.", "detail.tmall.com",
         "1688.com", "fr.aliexpress.com", "www.alibaba.com", "m.alibaba.com.cn",
         "www.amazon.com", "amazon.de", "taobao.com.evil.example", "eviltaobao.com",
         "user@item.taobao.com:8080", "[::1]", "m.tb.cn", "TB.CN.", "detail.tmall.hk",
         "qr.1688.com", "a.aliexpress.com", "www.aliexpress.us", "amzn.to", "a.co", "amzn.eu",
         "s.click.aliexpress.com"]
SCHEMES = ["https", "http", "HTTPS", "ftp"]


def _policy() -> eligibility.Policy:
    return eligibility.default_policy()


_BASELINE: list[BaselinePolicy] = []


def _baseline() -> BaselinePolicy:
    if not _BASELINE:
        _BASELINE.append(BaselinePolicy())
    return _BASELINE[0]


# Strategies are built once here: building them inside the composite costs more than the test.
SMALL = st.integers(-3, 3)
FAR = st.dates(date(1990, 1, 1), date(2040, 12, 31))
BOOL = st.booleans()
NAME = st.sampled_from(NAMES)
EVIDENCE = st.fixed_dictionaries(dict.fromkeys(
    ("certificate", "extension_certificate", "evaluation_report", "renewal_certificate",
     "claim_statement"), BOOL))
DOCUMENT = st.fixed_dictionaries({"type": st.sampled_from(DOCUMENT_TYPES),
                                  "holder_name": st.none() | NAME,
                                  "expires_on": st.none() | SMALL})
SCOPE = st.none() | st.fixed_dictionaries({
    "rights": st.lists(st.sampled_from(NUMBERS), max_size=2),
    "platforms": st.lists(st.sampled_from(PLATFORMS), max_size=2)})
PATENT_BOUNDARIES = (date(2009, 12, 31), date(2010, 1, 1), date(2021, 5, 31), date(2021, 6, 1))


def _months_before(day0: date, months: int, shift: int) -> date:
    index = day0.year * 12 + day0.month - 1 - months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day0.day, 28)) + timedelta(days=shift)


def _when(draw: st.DrawFn, day0: date, *anchors: int | date) -> date | None:
    """Absent, near day 0, near one of the anchors (months before day 0, or a fixed date), or
    anywhere: boundaries come up often without ruling out the rest."""
    choice = draw(st.integers(0, len(anchors) + 2))
    if choice == 0:
        return None
    if choice == 1:
        return day0 + timedelta(days=draw(SMALL))
    if choice == 2:
        return draw(FAR)
    anchor = anchors[choice - 3]
    if isinstance(anchor, date):
        return anchor
    return _months_before(day0, anchor, draw(SMALL))


@st.composite
def complaints(draw: st.DrawFn) -> dict[str, Any]:
    platform = draw(st.sampled_from(PLATFORMS))
    day0 = draw(st.dates(date(2024, 1, 1), date(2027, 12, 20)))
    clock = draw(st.sampled_from([time(0, 0), time(0, 30), time(10, 0), time(23, 59)]))
    local = datetime.combine(day0, clock, ZoneInfo(ZONES[platform]))
    other_zone = draw(st.sampled_from([None, "UTC", "Pacific/Kiritimati", "America/New_York"]))
    if other_zone:  # the same moment written with another offset
        local = local.astimezone(ZoneInfo(other_zone))

    right_type = draw(st.sampled_from(["trademark", "trademark", "copyright", "patent",
                                       "patent", "trade_secret", "other"]))
    patent_kind = draw(st.sampled_from([None, "invention", "utility_model", "design"]))
    term_months = 12 * {"invention": 20, "utility_model": 10, "design": 15}.get(
        patent_kind or "", 10)
    right = {
        "type": right_type,
        "patent_kind": patent_kind if right_type == "patent" or draw(BOOL) else None,
        "status": draw(st.sampled_from(["registered", "registered", "pending", "expired",
                                        "invalidated", "unregistered"])),
        "office": draw(st.sampled_from([None, *OFFICES])),
        "designations": draw(st.lists(st.sampled_from(["CN", "EM", "US", "DE", "FR", "JP"]),
                                      max_size=3, unique=True)),
        "number": draw(st.sampled_from([None, *NUMBERS])),
        "owner": draw(st.none() | NAME),
        "filed_on": _when(draw, day0, term_months, 126, 120, *PATENT_BOUNDARIES),
        "registered_on": _when(draw, day0, 120, 126),
        "expires_on": _when(draw, day0),
        "evidence": draw(EVIDENCE),
    }
    documents = []
    drawn: list[dict[str, Any]] = draw(st.lists(DOCUMENT, max_size=3))
    for doc in drawn:
        shift: int | None = doc["expires_on"]
        documents.append({**doc, "expires_on": None if shift is None
                          else day0 + timedelta(days=shift)})
    complaint: dict[str, Any] = {
        "platform": platform,
        "submitted_at": local.isoformat(),
        "complainant": {"kind": draw(st.sampled_from(["individual", "organization"])),
                        "name": draw(NAME), "identity_documents": documents},
        "ip_right": right,
        "infringement": {"kind": draw(st.sampled_from(["counterfeit", "mark-obscuring",
                                                       "piracy", "patent"])),
                         "listings": draw(listings())},
    }
    if not platform.startswith("amazon") and draw(BOOL):
        complaint["channel"] = draw(st.sampled_from(["ipp_account", "online_form"]))
    if draw(BOOL):
        complaint["rights_holder"] = {"kind": draw(st.sampled_from(["individual",
                                                                    "organization"])),
                                      "name": draw(NAME)}
    if draw(BOOL):
        expires = draw(st.none() | SMALL)
        complaint["authorization"] = {
            "issued_by": draw(NAME),
            "issued_to": draw(NAME),
            "issued_on": day0 + timedelta(days=draw(SMALL)),
            "expires_on": None if expires is None else day0 + timedelta(days=expires),
            "signed": draw(BOOL),
            "scope": draw(SCOPE),
        }
    out: dict[str, Any] = _json_dates(complaint)
    return out


URL = st.builds("{}://{}/item/{}".format, st.sampled_from(SCHEMES), st.sampled_from(HOSTS),
                st.integers(1, 3))


@st.composite
def listings(draw: st.DrawFn) -> list[str]:
    if draw(st.integers(0, 19)) == 0:  # around a channel's limit, with a repeat or two
        count = draw(st.sampled_from([9, 10, 11, 298, 299, 300, 301, 302]))
        host = draw(st.sampled_from(HOSTS))
        urls = [f"https://{host}/item.htm?id={n}" for n in range(count)]
        return urls + urls[:draw(st.integers(0, 2))]
    return draw(st.lists(URL, max_size=4))


def _json_dates(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _json_dates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_dates(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def _agree(complaint: Any) -> None:
    engine = _policy().evaluate(complaint)
    baseline = _baseline().evaluate(complaint)
    if engine.model_dump_json() == baseline.model_dump_json():
        return
    lost = {r.rule for r in baseline.reasons} - {r.rule for r in engine.reasons}
    extra = {r.rule for r in engine.reasons} - {r.rule for r in baseline.reasons}
    statuses = {c.rule: c.status for c in baseline.checks}
    checks = sorted(f"{c.rule}: engine {c.status}, baseline {statuses.get(c.rule)}"
                    for c in engine.checks if statuses.get(c.rule) != c.status)
    pytest.fail(f"engine {engine.decision}, baseline {baseline.decision}; only the baseline "
                f"failed {sorted(lost)}, only the engine failed {sorted(extra)}; {checks}")


_EXAMPLE: dict[str, Any] = {
    "platform": "taobao", "submitted_at": "2026-03-02T10:00:00+08:00",
    "complainant": {"kind": "organization", "name": "Midnight Owls LLC",
                    "identity_documents": [{"type": "business_license",
                                            "holder_name": "MIDNIGHT OWLS, L.L.C."}]},
    "rights_holder": {"kind": "individual", "name": FULLWIDTH_JANE},
    "authorization": {"issued_by": "Jane Doe.", "issued_to": "midnight owls llc",
                      "issued_on": "2026-03-02", "expires_on": "2026-03-02", "signed": True,
                      "scope": {"rights": ["58 231 907"], "platforms": ["taobao"]}},
    "ip_right": {"type": "trademark", "status": "registered", "office": "CNIPA",
                 "number": "58231907", "owner": "JANE  DOE", "registered_on": "2015-09-03",
                 "evidence": {"certificate": True}},
    "infringement": {"kind": "counterfeit", "listings": ["https://ITEM.TAOBAO.COM./x"]},
}


_EXAMPLE_RIGHT: dict[str, Any] = _EXAMPLE["ip_right"]


@settings(max_examples=800)
@given(complaints())
# Letter issued and expiring on day 0, names equal only after normalisation, a trademark whose
# ten-year term ended on 2025-09-02 and whose six-month grace ends on day 0.
@example(_EXAMPLE)
# The same trademark one day past its grace period.
@example({**_EXAMPLE, "submitted_at": "2026-03-02T00:00:00+08:00",
          "ip_right": {**_EXAMPLE_RIGHT, "registered_on": "2015-09-02"}})
# A Madrid registration designating the EU, on Amazon.de, filed by the holder.
@example({"platform": "amazon.de", "submitted_at": "2026-03-01T23:30:00+00:00",
          "complainant": {"kind": "individual", "name": "Zoë Müller"},
          "ip_right": {"type": "trademark", "status": "registered", "office": "WIPO",
                       "designations": ["EM"], "owner": "Zoe\u0308 Mu\u0308ller",
                       "registered_on": "2020-01-01"},
          "infringement": {"kind": "mark-obscuring", "listings": ["http://amazon.de/dp/1"]}})
# A CN design patent filed on the day the 15-year term begins, without an evaluation report.
@example({"platform": "tmall", "submitted_at": "2026-03-02T10:00:00+08:00",
          "complainant": {"kind": "organization", "name": "Midnight Owls LLC"},
          "ip_right": {"type": "patent", "patent_kind": "design", "status": "registered",
                       "office": "CNIPA", "filed_on": "2021-06-01", "registered_on": "2022-01-01"},
          "infringement": {"kind": "patent", "listings": []}})
def test_engine_agrees_with_the_baseline(complaint: dict[str, Any]) -> None:
    _agree(complaint)


def test_engine_agrees_with_the_baseline_on_the_benchmark_mix() -> None:
    for complaint in mix(300, seed=7):
        _agree(complaint)


def _case_complaints() -> list[Any]:
    found: list[Any] = []
    for path in sorted((ROOT / "tests" / "cases").glob("*.case.yaml")):
        cases = load_yaml(path.read_text("utf-8"))
        for case in cases if isinstance(cases, list) else []:
            if isinstance(case, dict) and isinstance(case.get("complaint"), dict):
                found.append(case["complaint"])
    for path in sorted((ROOT / "examples").glob("*.yaml")):
        data = load_yaml(path.read_text("utf-8"))
        if isinstance(data, dict):
            found.append(data)
    return found


def test_engine_agrees_with_the_baseline_on_cases_and_examples() -> None:
    judged = 0
    for complaint in _case_complaints():
        try:
            _policy().parse(complaint)
        except eligibility.InvalidComplaint:
            continue  # the cases also hold invalid input; the fuzz tests cover that
        _agree(complaint)
        judged += 1
    if not judged:
        pytest.skip("no case files or examples to compare on yet")


def test_both_sides_answer_to_the_fact() -> None:
    """Neither side is constant: flipping one fact value changes both answers alike."""
    from eligibility.judge.facts import build

    judge = _baseline().judge
    parsed = judge.parse(_EXAMPLE)
    program = judge.programs[parsed.platform]
    assert parsed.submitted_at is not None
    fact = build(parsed, program.profile, judge.jurisdictions, parsed.submitted_at).engine
    plan = _baseline().plans[parsed.platform]
    uncovered = {**fact, "territory_covered": False}
    assert _rules(plan.fire(uncovered)) - _rules(plan.fire(fact))
    assert _rules(plan.fire(uncovered)) == _rules(program.ruleset.fire(uncovered))
    assert _rules(plan.fire(fact)) == _rules(program.ruleset.fire(fact))


def _rules(fired: frozenset[str]) -> set[str]:
    """Pattern names without their alternative number: "f19_2" -> "f19"."""
    return {name.split("_")[0] for name in fired}


# --- the listing check's shortcut against the full URL parse ------------------------------------

URL_PARTS = st.tuples(
    st.sampled_from(["https", "http", "HTTPS", "hTTp", "ftp", "", "https:", "http\t"]),
    st.sampled_from(["://", ":/", ":///", "//", ":\\\\"]),
    st.sampled_from(["", "user@", "a:b@"]),
    st.lists(st.sampled_from(["item", "www", "fr", "x-y", "", "TAOBAO", "xn--fiq", "_s",
                              "évil", "taobao.com"]), max_size=3),
    st.sampled_from(["taobao.com", "TaoBao.Com", "taobao.com.", "taobao.com..", "tmall.com",
                     "1688.com", "amazon.de", "taobao.com.evil.example", "eviltaobao.com",
                     "taobao.co", "[::1]", "taobao.com:80", "taobao.com:x", "", "tb.cn",
                     "m.tb.cn", "TB.cn.", "item.taobao.com"]),
    st.sampled_from(["", "/", "/item.htm?id=1", "?q", "#f", "\\x", "\t/", " /", "\n", "%2F",
                     "/\u00e9"]),
)


@settings(max_examples=500)
@given(st.lists(st.one_of(URL_PARTS.map(lambda p: p[0] + p[1] + p[2] + "".join(
    f"{label}." for label in p[3]) + p[4] + p[5]), st.text(max_size=40)), max_size=6),
       st.sampled_from([("taobao.com",), ("tmall.com",), ("1688.com",), ("amazon.de",),
                        ("TAOBAO.com", "tmall.com"), ("ünï.example",), ()]),
       st.sampled_from([(), ("tb.cn",), ("m.tb.cn", "tb.cn"), ("item.taobao.com",),
                        ("evil.example",), ("ünï.example",)]))
def test_the_listing_shortcut_agrees_with_the_full_parse(urls: list[str],
                                                         listing: tuple[str, ...],
                                                         short: tuple[str, ...]) -> None:
    from eligibility.judge.facts import classify, on_platform

    off = [u for u in urls if not on_platform(u, listing + short)]
    shorts = [u for u in urls if u not in off and on_platform(u, short)]
    assert classify(urls, listing, short) == (off, shorts)


# --- verdict parts built directly against pydantic's own construction ---------------------------


def test_built_models_equal_pydantic_constructed_ones(policy: eligibility.Policy) -> None:
    from eligibility.models import DueWindow, PolicyRef, Reason, Verdict, built

    verdict = policy.evaluate(_EXAMPLE)
    assert verdict.reasons
    assert verdict.due is None
    due = {"earliest": date(2026, 3, 3), "latest": date(2026, 3, 5), "business_days": (1, 3),
           "calendar": "CN", "timezone": "Asia/Shanghai", "provisional": False}
    parts: list[tuple[type[Any], dict[str, Any]]] = [
        (Verdict, dict(verdict.__dict__)), (PolicyRef, dict(verdict.policy.__dict__)),
        (DueWindow, due), *((Reason, dict(r.__dict__)) for r in verdict.reasons)]
    for model, values in parts:
        fast, reference = built(model, dict(values)), model.model_construct(**values)
        assert fast == reference
        assert fast.model_dump_json() == reference.model_dump_json()
        assert fast.model_fields_set == reference.model_fields_set


def test_built_refuses_models_it_would_get_wrong() -> None:
    from pydantic import Field

    from eligibility.models import OutputModel, check_plain

    class WithDefault(OutputModel):
        flag: bool = False

    class WithAlias(OutputModel):
        value: int = Field(alias="v")

    for model in (WithDefault, WithAlias):
        with pytest.raises(TypeError, match="plain required fields"):
            check_plain(model)
