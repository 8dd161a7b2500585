"""Hypothesis strategies for valid complaints, shared by the property and differential tests.

Values are drawn from small pools on purpose (a few names, numbers, dates around today's
terms) so that matches and mismatches, in-force and expired, on- and off-platform all happen
often, rather than almost never as they would with free text.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

from hypothesis import strategies as st

PLATFORMS = ["taobao", "tmall", "1688", "aliexpress", "alibaba.com", "amazon.com", "amazon.de"]
OFFICES = ["CNIPA", "CPCC", "USPTO", "USCO", "EUIPO", "DPMA", "WIPO", "UKIPO", "JPO"]
DOCUMENTS = ["passport", "drivers_license", "national_id_card", "business_license",
             "business_registration_certificate", "certificate_of_incorporation"]
NAMES = ["Midnight Owls LLC", "MIDNIGHT OWLS, L.L.C.", "Jane Doe", "jane  doe",
         "杭州星河文化有限公司", "Brightline IP Law"]
NUMBERS = ["58231907", "G1234567", "US-998877"]
HOSTS = ["item.taobao.com", "detail.tmall.com", "detail.1688.com", "www.aliexpress.com",
         "www.alibaba.com", "www.amazon.com", "www.amazon.de", "taobao.com.evil.example",
         "shop.example.org"]

days = st.dates(min_value=date(2003, 1, 1), max_value=date(2030, 12, 31))
near_days = st.dates(min_value=date(2023, 1, 1), max_value=date(2028, 12, 31))


@st.composite
def submitted_at(draw: st.DrawFn) -> str:
    moment = draw(st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2027, 6, 30)))
    minutes = draw(st.integers(-12 * 4, 14 * 4)) * 15
    zone = timezone(timedelta(minutes=minutes))
    return moment.replace(microsecond=0, tzinfo=zone).isoformat()


@st.composite
def identity_documents(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "type": draw(st.sampled_from(DOCUMENTS)),
        "holder_name": draw(st.none() | st.sampled_from(NAMES)),
        "issuing_country": draw(st.none() | st.sampled_from(["US", "CN", "DE"])),
        "expires_on": draw(st.none() | near_days),
    }


@st.composite
def parties(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "kind": draw(st.sampled_from(["individual", "organization"])),
        "name": draw(st.sampled_from(NAMES)),
        "country": draw(st.sampled_from(["US", "CN", "DE", "FR"])),
    }


@st.composite
def authorizations(draw: st.DrawFn) -> dict[str, Any]:
    scope = draw(st.none() | st.fixed_dictionaries({
        "rights": st.lists(st.sampled_from(NUMBERS), max_size=2),
        "platforms": st.lists(st.sampled_from(PLATFORMS), max_size=3),
    }))
    return {
        "issued_by": draw(st.sampled_from(NAMES)),
        "issued_to": draw(st.sampled_from(NAMES)),
        "issued_on": draw(near_days),
        "expires_on": draw(st.none() | near_days),
        "signed": draw(st.booleans()),
        "scope": scope,
    }


@st.composite
def ip_rights(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(["trademark", "trademark", "copyright", "patent", "patent",
                                 "trade_secret", "other"]))
    return {
        "type": kind,
        "patent_kind": draw(st.sampled_from(["invention", "utility_model", "design"]))
        if kind == "patent" else None,
        "status": draw(st.sampled_from(["registered", "registered", "registered", "pending",
                                        "expired", "invalidated", "unregistered"])),
        "office": draw(st.none() | st.sampled_from(OFFICES)),
        "designations": draw(st.lists(st.sampled_from(["CN", "EM", "US", "DE", "JP"]),
                                      max_size=3, unique=True)),
        "number": draw(st.none() | st.sampled_from(NUMBERS)),
        "owner": draw(st.none() | st.sampled_from(NAMES)),
        "filed_on": draw(st.none() | days),
        "registered_on": draw(st.none() | days),
        "expires_on": draw(st.none() | near_days),
        "evidence": draw(st.fixed_dictionaries({
            "certificate": st.booleans(),
            "extension_certificate": st.booleans(),
            "evaluation_report": st.booleans(),
            "renewal_certificate": st.booleans(),
        })),
    }


@st.composite
def listings(draw: st.DrawFn) -> list[str]:
    urls = draw(st.lists(
        st.builds(lambda scheme, host, n: f"{scheme}://{host}/item/{n}",
                  st.sampled_from(["https", "https", "http", "ftp"]),
                  st.sampled_from(HOSTS), st.integers(1, 50)),
        max_size=5))
    return list(urls)


@st.composite
def complaints(draw: st.DrawFn, platform: str | None = None) -> dict[str, Any]:
    complainant = draw(parties())
    complainant["identity_documents"] = draw(st.lists(identity_documents(), max_size=3))
    return {
        "platform": platform or draw(st.sampled_from(PLATFORMS)),
        "submitted_at": draw(submitted_at()),
        "complainant": complainant,
        "rights_holder": draw(st.none() | parties()),
        "authorization": draw(st.none() | authorizations()),
        "ip_right": draw(ip_rights()),
        "infringement": {
            "kind": draw(st.sampled_from(["counterfeit", "mark-obscuring", "piracy", "patent"])),
            "listings": draw(listings()),
        },
    }
