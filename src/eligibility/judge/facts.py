"""Complaint -> fact: everything a rule may test, flat, typed and small.

The engine gets only scalars of one type per field (dates as day numbers, names normalised,
lists reduced to counts); the lists and original spellings behind them are kept as display
values, which reasons quote. All territorial knowledge comes from the jurisdiction data and the
platform profile, never from this module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property, lru_cache
from typing import Any
from urllib.parse import urlsplit

from ..jurisdiction.calendar import BusinessCalendar, Window
from ..jurisdiction.jurisdictions import Jurisdictions
from ..models import Complaint
from ..names import normalise
from .vocabulary import FIELDS

MAX_REPORTED_URLS = 20


@dataclass(frozen=True)
class PlatformProfile:
    """What facts need to know of a platform, resolved once per loaded policy."""

    id: str
    group: str
    territory: str | None
    listing_domains: tuple[str, ...]
    short_link_domains: tuple[str, ...]
    timezone: Any  # zoneinfo.ZoneInfo
    accepted_documents: dict[str, frozenset[str]]
    business_days: tuple[int, int] | None
    calendar: BusinessCalendar | None
    # Channel -> the most listings one complaint through it may name (None: no known limit).
    max_listings: dict[str, int | None]

    # Derived once per loaded policy, not per complaint (every fact quotes them).
    @cached_property
    def domains(self) -> tuple[str, ...]:
        """Every domain a listing may be on: item pages first, then short links."""
        return tuple(dict.fromkeys((*self.listing_domains, *self.short_link_domains)))

    @cached_property
    def accepted_listed(self) -> dict[str, tuple[str, ...]]:
        """The accepted identity document types of each kind of filer, in order."""
        return {kind: tuple(sorted(types)) for kind, types in self.accepted_documents.items()}


@dataclass(frozen=True)
class Facts:
    engine: dict[str, Any]  # by engine key, only non-null scalars
    values: dict[str, Any]  # by field name, as given (original names, dates)
    day0: date
    window: Window | None

    def display(self, name: str) -> Any:
        """A field's value as a reason quotes it (JSON-ready)."""
        value = self.values[name]
        return value.isoformat() if isinstance(value, date) else value


_PLAIN_AUTHORITY = re.compile(r"[A-Za-z0-9.-]+(:[0-9]{1,5})?")


def listing_host(url: str) -> str | None:
    """The host of an http(s) URL, lower-case, without port or trailing dot; None for any other
    URL, and for an authority that parsers read differently (a backslash, user info, escapes,
    spaces: a browser may go to another host than the one urlsplit reports)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not host:
        return None
    if not _PLAIN_AUTHORITY.fullmatch(parts.netloc):
        return None
    return host.rstrip(".").lower()


def under(host: str, domains: tuple[str, ...]) -> bool:
    """True when ``host`` is one of ``domains`` or a subdomain of one."""
    return ("." + host).endswith(_dotted(domains))


@lru_cache(maxsize=64)
def _dotted(domains: tuple[str, ...]) -> tuple[str, ...]:
    # ".taobao.com" ends ".item.taobao.com" and ".taobao.com" alike, and not ".eviltaobao.com".
    return tuple("." + d for d in domains)


def on_platform(url: str, hosts: tuple[str, ...]) -> bool:
    """True when the URL is http(s) and its host is one of ``hosts`` or a subdomain of one."""
    host = listing_host(url)
    return host is not None and under(host, hosts)


@lru_cache(maxsize=64)
def _plainly_on(hosts: tuple[str, ...]) -> re.Pattern[str] | None:
    """A pattern matching only URLs that ``on_platform`` accepts, written in the plain form
    almost every listing has (``https://item.taobao.com/...``), with the host as its group 1.
    Parsing each URL in full is the costliest part of a fact; a URL this pattern misses still
    gets the full parse."""
    plain = [re.escape(h) for h in hosts if h.isascii() and h == h.lower() and h]
    if not plain:
        return None
    return re.compile(r"https?://((?:[a-z0-9-]+\.)*(?:" + "|".join(plain) + r"))\.?(?=[/?#]|\Z)",
                      re.IGNORECASE | re.ASCII)


def classify(urls: list[str], listing: tuple[str, ...],
             short: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """(the URLs on none of the domains, the URLs on a short-link domain), each in order.

    A URL whose host is under a short-link domain is a short link even where the host is also
    under a listing domain (``a.aliexpress.com`` beside ``aliexpress.com``)."""
    domains = listing + short
    plain = _plainly_on(domains)
    match = plain.match if plain is not None else None
    every, shortened = _dotted(domains), _dotted(short)
    off: list[str] = []
    shorts: list[str] = []
    for url in urls:
        found = match(url) if match is not None else None
        if found is not None:  # on the platform; a short link if its host is under one
            if shortened and ("." + found.group(1).lower()).endswith(shortened):
                shorts.append(url)
            continue
        host = listing_host(url)
        if host is None or not ("." + host).endswith(every):
            off.append(url)
        elif shortened and ("." + host).endswith(shortened):
            shorts.append(url)
    return off, shorts


def build(complaint: Complaint, profile: PlatformProfile, jurisdictions: Jurisdictions,
          submitted_at: datetime) -> Facts:
    """Compute the fact of one complaint; raises CalendarRangeError or OverflowError on dates
    the calendar cannot answer for (the caller reports them as input problems)."""
    day0 = submitted_at.astimezone(profile.timezone).date()
    window = None
    if profile.calendar is not None and profile.business_days is not None:
        first, last = profile.business_days
        window = _window(profile.calendar, day0, first, last)

    right = complaint.ip_right
    complainant = complaint.complainant
    holder = complaint.rights_holder or complainant
    office = jurisdictions.offices.get(right.office) if right.office else None
    direct, designated = jurisdictions.coverage(right)
    treaty = jurisdictions.unregistered_coverage(right)
    territories = direct | designated | treaty
    last_day, grace_end = jurisdictions.term_and_grace(right)
    if profile.territory is None:
        covered, via = True, None
    elif profile.territory in direct:
        covered, via = True, "office"
    elif profile.territory in designated:
        covered, via = True, "designation"
    elif profile.territory in treaty:
        covered, via = True, "treaty"
    else:
        covered, via = False, None

    filer = normalise(complainant.name)
    accepted_types = profile.accepted_documents.get(complainant.kind, frozenset())
    accepted = [d for d in complainant.identity_documents if d.type in accepted_types]
    current = [d for d in accepted if d.expires_on is None or d.expires_on >= day0]
    unnamed = sum(1 for d in current if d.holder_name is None)
    matching = sum(1 for d in current
                   if d.holder_name is not None and normalise(d.holder_name) == filer)

    letter = complaint.authorization
    scope = letter.scope if letter else None
    if letter is None:
        covers_right = covers_platform = None
    else:
        wanted = {_number(n) for n in scope.rights} if scope else set()
        covers_right = not wanted or (right.number is not None and _number(right.number) in wanted)
        covers_platform = not scope or not scope.platforms or profile.id in scope.platforms

    listings = list(dict.fromkeys(complaint.infringement.listings))
    off, shorts = classify(listings, profile.listing_domains, profile.short_link_domains)

    values: dict[str, Any] = {
        "platform": profile.id,
        "platform.group": profile.group,
        "platform.territory": profile.territory,
        "platform.listing_domains": list(profile.listing_domains),
        "platform.short_link_domains": list(profile.short_link_domains),
        "platform.hosts": list(profile.domains),
        "channel": complaint.channel,
        "channel.max_listings": profile.max_listings.get(complaint.channel),
        "day0": day0,
        "complainant.kind": complainant.kind,
        "complainant.name": complainant.name,
        "complainant.country": complainant.country,
        "holder.name": holder.name,
        "right.type": right.type,
        "right.patent_kind": right.patent_kind,
        "right.status": right.status,
        "right.office": right.office,
        "right.office_jurisdiction": office.jurisdiction if office else None,
        "right.owner": right.owner,
        "right.number": right.number,
        "right.filed_on": right.filed_on,
        "right.registered_on": right.registered_on,
        "right.term_end": last_day,
        "right.grace_end": grace_end,
        "right.territories": sorted(territories),
        "territory.covered": covered,
        "territory.via": via,
        "evidence.certificate": right.evidence.certificate,
        "evidence.extension_certificate": right.evidence.extension_certificate,
        "evidence.evaluation_report": right.evidence.evaluation_report,
        "evidence.renewal_certificate": right.evidence.renewal_certificate,
        "evidence.claim_statement": right.evidence.claim_statement,
        "identity.accepted": len(accepted),
        "identity.unexpired": len(current),
        "identity.unnamed": unnamed,
        "identity.matching": matching,
        "identity.accepted_types": list(profile.accepted_listed.get(complainant.kind, ())),
        "identity.holder_names": sorted({d.holder_name for d in current
                                         if d.holder_name is not None}),
        "authorization.supplied": letter is not None,
        "authorization.issued_by": letter.issued_by if letter else None,
        "authorization.issued_to": letter.issued_to if letter else None,
        "authorization.signed": letter.signed if letter else None,
        "authorization.issued_on": letter.issued_on if letter else None,
        "authorization.expires_on": letter.expires_on if letter else None,
        "authorization.covers_right": covers_right,
        "authorization.covers_platform": covers_platform,
        "authorization.scope_rights": sorted(set(scope.rights)) if scope else [],
        "authorization.scope_platforms": sorted(set(scope.platforms)) if scope else [],
        "infringement.kind": complaint.infringement.kind,
        "listings.count": len(listings),
        "listings.off_platform": len(off),
        "listings.off_platform_urls": sorted(off)[:MAX_REPORTED_URLS],
        "listings.short_links": len(shorts),
        "listings.short_link_urls": sorted(shorts)[:MAX_REPORTED_URLS],
        "window.latest": window.latest if window else None,
    }
    engine = {key: value for name, key in _PLAIN if (value := values[name]) is not None}
    engine.update({key: value.toordinal() for name, key in _DAYS
                   if (value := values[name]) is not None})
    engine.update({key: normalise(value) for name, key in _NAMES
                   if (value := values[name]) is not None})
    return Facts(engine=engine, values=values, day0=day0, window=window)


# The engine's fields by how a value becomes the engine's: as it is, as a day number, or as a
# normalised name. Three comprehensions over these cost less than one loop deciding per field.
_PLAIN = tuple((f.name, f.key) for f in FIELDS
               if f.in_engine and f.kind != "day" and not f.is_name)
_DAYS = tuple((f.name, f.key) for f in FIELDS if f.in_engine and f.kind == "day")
_NAMES = tuple((f.name, f.key) for f in FIELDS if f.in_engine and f.is_name)


# A due window depends on the submission day alone, and submission days repeat across
# complaints, so windows are kept rather than walked again.
@lru_cache(maxsize=4096)
def _window(calendar: BusinessCalendar, day0: date, first: int, last: int) -> Window:
    return calendar.window(day0, first, last)


def _number(number: str) -> str:
    return "".join(number.split()).casefold()
