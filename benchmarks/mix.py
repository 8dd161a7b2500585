"""A fixed, seeded mix of realistic complaints for benchmarks, soak runs and the baseline.

Timing one hand-picked complaint says little about real traffic: an eligible agent filing fires a
different set of patterns than a foreign mark on Taobao or a Madrid registration on Tmall. The mix
spreads complaints over every platform and every rule situation in proportions a busy submission
flow might see (most complaints nearly right, a long tail of each failure), and it is the same
list on every run, so figures from two runs compare.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta, timezone
from typing import Any

SEED = 20261101
SIZE = 1000

# Relative traffic per platform.
PLATFORMS: tuple[tuple[str, int], ...] = (
    ("taobao", 22), ("tmall", 12), ("tmall.hk", 4), ("1688", 8), ("aliexpress", 20),
    ("alibaba.com", 10),
    ("amazon.com", 14), ("amazon.de", 10),
)
HOSTS = {
    "taobao": ("item.taobao.com", "shop123.taobao.com"),
    "tmall": ("detail.tmall.com", "www.tmall.com"),
    "tmall.hk": ("detail.tmall.hk",),
    "1688": ("detail.1688.com",),
    "aliexpress": ("www.aliexpress.com", "fr.aliexpress.com", "www.aliexpress.us"),
    "alibaba.com": ("www.alibaba.com", "m.alibaba.com"),
    "amazon.com": ("www.amazon.com",),
    "amazon.de": ("www.amazon.de",),
}
# Share and short links as the platforms' apps give them (none for Alibaba.com).
SHORT_HOSTS = {
    "taobao": ("m.tb.cn",), "tmall": ("m.tb.cn",), "tmall.hk": ("m.tb.cn",),
    "1688": ("qr.1688.com",), "aliexpress": ("a.aliexpress.com", "s.click.aliexpress.com"),
    "amazon.com": ("amzn.to", "a.co"), "amazon.de": ("amzn.eu",),
}
ZONES = {"taobao": 8, "tmall": 8, "tmall.hk": 8, "1688": 8, "aliexpress": 8, "alibaba.com": 8,
         "amazon.com": -8, "amazon.de": 1}
DOMESTIC = frozenset({"taobao", "tmall", "tmall.hk", "1688"})
AMAZON = frozenset({"amazon.com", "amazon.de"})

ORGANIZATIONS = (
    "Midnight Owls LLC", "Zhejiang Lanshan Cosmetics Co., Ltd.", "Nordlicht Audio GmbH",
    "Shenzhen Brightway Electronics Co., Ltd.", "Kaito Stationery K.K.", "Atelier Brume SAS",
    "Harbor & Pine Outfitters Inc.", "Chengdu Panda Toys Co., Ltd.",
)
INDIVIDUALS = ("Jane Doe", "Li Wei", "Amélie Laurent", "Kenji Watanabe", "Zoë Müller", "王芳")
AGENTS = ("Beijing Hengtai IP Law Firm", "Brandshield Agents Ltd.", "Kanzlei Roth & Partner",
          "Pacific IP Services LLC")
OFFICES_BY_COUNTRY = {"CN": "CNIPA", "US": "USPTO", "DE": "DPMA", "GB": "UKIPO", "JP": "JPO"}
ORG_DOCS = ("business_license", "business_registration_certificate",
            "certificate_of_incorporation")
PERSON_DOCS = ("passport", "drivers_license", "national_id_card")


def complaints(size: int = SIZE, seed: int = SEED) -> list[dict[str, Any]]:
    """``size`` complaints as plain JSON-ready dicts, identical for the same seed."""
    rng = random.Random(seed)
    return [_complaint(rng, n) for n in range(size)]


def _chance(rng: random.Random, p: float) -> bool:
    return rng.random() < p


def _weighted(rng: random.Random, pairs: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([k for k, _ in pairs], weights=[w for _, w in pairs])[0]


def _day(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randrange((end - start).days + 1))


def _complaint(rng: random.Random, n: int) -> dict[str, Any]:
    platform = _weighted(rng, PLATFORMS)
    day0 = _day(rng, date(2025, 1, 2), date(2026, 12, 20))
    offset = timezone(timedelta(hours=ZONES[platform]))
    submitted = datetime(day0.year, day0.month, day0.day, rng.randrange(7, 22),
                         rng.randrange(60), tzinfo=offset)

    right_type = _weighted(rng, (("trademark", 62), ("copyright", 16), ("patent", 19),
                                 ("trade_secret", 2), ("other", 1)))
    right = _right(rng, platform, right_type, day0, n)
    holder_kind = "organization" if _chance(rng, 0.8) else "individual"
    holder = rng.choice(ORGANIZATIONS if holder_kind == "organization" else INDIVIDUALS)
    right["owner"] = holder if _chance(rng, 0.96) else rng.choice(ORGANIZATIONS)

    complaint: dict[str, Any] = {
        "platform": platform,
        "submitted_at": submitted.isoformat(),
        "ip_right": right,
        "infringement": {"kind": _kind(rng, right_type),
                         "listings": _listings(rng, platform, n)},
    }
    if platform not in AMAZON and _chance(rng, 0.1):  # a filer without an IPP account
        complaint["channel"] = "online_form"
    if _chance(rng, 0.45):  # an agent files for the holder
        agent = rng.choice(AGENTS)
        complaint["complainant"] = _party(rng, "organization", agent, day0)
        complaint["rights_holder"] = {"kind": holder_kind, "name": holder,
                                      "country": rng.choice(("CN", "US", "DE", "JP"))}
        if _chance(rng, 0.9):
            complaint["authorization"] = _letter(rng, holder, agent, platform, right, day0)
    else:
        complaint["complainant"] = _party(rng, holder_kind, holder, day0)
        if _chance(rng, 0.1):  # the holder named again, spelt differently
            complaint["rights_holder"] = {"kind": holder_kind, "name": holder.upper()}
    return complaint


def _right(rng: random.Random, platform: str, right_type: str, day0: date,
           n: int) -> dict[str, Any]:
    country = _home_country(rng, platform)
    office: str | None
    designations: list[str] = []
    if right_type == "copyright":
        office = {"CN": "CPCC", "US": "USCO"}.get(country)
    else:
        office = OFFICES_BY_COUNTRY[country]
        if platform == "amazon.de" and _chance(rng, 0.4):
            office = "EUIPO"
    if right_type == "trademark" and _chance(rng, 0.15):
        office = "WIPO"
        designations = sorted(set(rng.sample(("CN", "EM", "US", "JP", "GB", "DE", "KR"),
                                             rng.randrange(1, 5))))
        if country == "CN" or _chance(rng, 0.6):  # Madrid filings usually name China here
            designations = sorted({*designations, "CN", "EM"})
    status = _weighted(rng, (("registered", 90), ("pending", 3), ("expired", 2),
                             ("invalidated", 1), ("unregistered", 4)))
    if right_type == "copyright" and _chance(rng, 0.25):
        status = "unregistered"  # a photographer's or artist's work, protected without filing
    if status == "unregistered" and _chance(rng, 0.7):
        office = None
    patent_kind = (_weighted(rng, (("invention", 4), ("utility_model", 4), ("design", 3)))
                   if right_type == "patent" else None)
    span = {"invention": 18, "utility_model": 8, "design": 8}.get(patent_kind or "", 8)
    if _chance(rng, 0.08):  # a term that ended recently, maybe still in its grace period
        span += 3
    filed = _day(rng, day0 - timedelta(days=365 * span), day0 - timedelta(days=200))
    registered = min(filed + timedelta(days=rng.randrange(150, 700)),
                     day0 - timedelta(days=rng.randrange(1, 60)))
    if _chance(rng, 0.01):
        registered = day0 + timedelta(days=rng.randrange(1, 90))  # registered after day 0
    right: dict[str, Any] = {
        "type": right_type,
        "patent_kind": patent_kind,
        "status": status,
        "office": office,
        "designations": designations,
        "number": f"{58_000_000 + n * 7919 % 1_000_000}",
        "filed_on": filed.isoformat() if _chance(rng, 0.9) else None,
        "registered_on": registered.isoformat() if status != "pending" else None,
        "expires_on": None,
        "evidence": {
            "certificate": _chance(rng, 0.92),
            "extension_certificate": office == "WIPO" and _chance(rng, 0.7),
            "evaluation_report": right_type == "patent" and _chance(rng, 0.7),
            "renewal_certificate": _chance(rng, 0.05),
            # Filers with an unregistered work mostly know to attach the statement.
            "claim_statement": office is None and _chance(rng, 0.75),
        },
    }
    if _chance(rng, 0.08):
        right["expires_on"] = _day(rng, day0 - timedelta(days=400),
                                   day0 + timedelta(days=900)).isoformat()
    return right


def _home_country(rng: random.Random, platform: str) -> str:
    if platform in DOMESTIC:
        return _weighted(rng, (("CN", 92), ("US", 6), ("JP", 2)))
    if platform == "amazon.com":
        return _weighted(rng, (("US", 85), ("CN", 10), ("GB", 5)))
    if platform == "amazon.de":
        return _weighted(rng, (("DE", 80), ("US", 15), ("CN", 5)))
    return _weighted(rng, (("CN", 40), ("US", 30), ("DE", 15), ("GB", 10), ("JP", 5)))


def _kind(rng: random.Random, right_type: str) -> str:
    fitting = {"trademark": "counterfeit", "copyright": "piracy", "patent": "patent"}
    if right_type == "trademark" and _chance(rng, 0.1):
        return "mark-obscuring"
    if right_type in fitting and _chance(rng, 0.96):
        return fitting[right_type]
    return rng.choice(("counterfeit", "mark-obscuring", "piracy", "patent"))


def _listings(rng: random.Random, platform: str, n: int) -> list[str]:
    roll = rng.random()
    count = (0 if roll < 0.02 else rng.randrange(301, 340) if roll < 0.03
             else rng.randrange(1, 13))
    urls = [f"https://{rng.choice(HOSTS[platform])}/item.htm?id={n * 1000 + i}"
            for i in range(count)]
    if urls and platform in SHORT_HOSTS and _chance(rng, 0.08):  # pasted from a share button
        urls[rng.randrange(len(urls))] = f"https://{rng.choice(SHORT_HOSTS[platform])}/h.{n:06d}"
    if urls and _chance(rng, 0.06):  # one listing filed on the wrong marketplace
        other = rng.choice([p for p in HOSTS if p != platform])
        urls[rng.randrange(len(urls))] = f"https://{HOSTS[other][0]}/dp/B0{n:07d}"
    if urls and _chance(rng, 0.01):
        urls[0] = f"https://{HOSTS[platform][0]}.evil.example/item?id={n}"
    return urls


def _party(rng: random.Random, kind: str, name: str, day0: date) -> dict[str, Any]:
    party: dict[str, Any] = {"kind": kind, "name": name,
                             "country": rng.choice(("CN", "US", "DE", "JP", "FR"))}
    documents = []
    for _ in range(0 if _chance(rng, 0.04) else rng.randrange(1, 3)):
        accepted = ORG_DOCS if kind == "organization" else PERSON_DOCS
        wrong = PERSON_DOCS if kind == "organization" else ORG_DOCS
        doc_type = rng.choice(accepted if _chance(rng, 0.95) else wrong)
        holder_name = (name if _chance(rng, 0.9) else
                       None if _chance(rng, 0.5) else rng.choice(INDIVIDUALS))
        expires = (None if _chance(rng, 0.5) else
                   _day(rng, day0 - timedelta(days=300), day0 + timedelta(days=3000)))
        documents.append({"type": doc_type, "holder_name": holder_name,
                          "issuing_country": party["country"],
                          "expires_on": expires.isoformat() if expires else None})
    party["identity_documents"] = documents
    return party


def _letter(rng: random.Random, holder: str, agent: str, platform: str,
            right: dict[str, Any], day0: date) -> dict[str, Any]:
    issued = day0 - timedelta(days=rng.randrange(1, 400))
    if _chance(rng, 0.03):
        issued = day0 + timedelta(days=rng.randrange(1, 30))
    expires = None if _chance(rng, 0.5) else issued + timedelta(days=rng.choice((180, 365, 730)))
    scope: dict[str, Any] | None = None
    if _chance(rng, 0.5):
        platforms = [platform] if _chance(rng, 0.92) else ["amazon.com"]
        rights = [right["number"]] if _chance(rng, 0.95) else ["1234567"]
        scope = {"rights": rights if _chance(rng, 0.7) else [],
                 "platforms": platforms if _chance(rng, 0.7) else []}
    return {
        "issued_by": holder if _chance(rng, 0.95) else rng.choice(ORGANIZATIONS),
        "issued_to": agent if _chance(rng, 0.95) else rng.choice(AGENTS),
        "issued_on": issued.isoformat(),
        "expires_on": expires.isoformat() if expires else None,
        "signed": _chance(rng, 0.94),
        "scope": scope,
    }
