"""The fact vocabulary: every field a rule may name, with its type.

Rules are data, so the only guard between a rule author and the engine's C core is this list.
Each engine field has one type (never a string in one fact and a number in another: the core
compares mixed types as text), dates are day numbers, strings are bounded. Report fields are
shown in a reason's facts but never reach the engine (lists of URLs, territories).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from .. import models

Kind = Literal["bool", "int", "day", "str", "report"]


@dataclass(frozen=True)
class Field:
    name: str
    kind: Kind
    optional: bool = False
    # For str fields: the allowed values, or the name of a policy-defined set ("platforms",
    # "groups", "offices", "jurisdictions", "territories") that the policy fills in at load.
    values: tuple[str, ...] | str | None = None
    doc: str = ""
    # A party's name: the engine gets it normalised (names.normalise), reasons quote it as given.
    is_name: bool = False
    # A fact of one filing on one platform (the listings, the channel) rather than of the right
    # and the parties: a rule reading one does not apply when a complaint is judged everywhere.
    per_filing: bool = False

    @property
    def key(self) -> str:
        """The property name the engine sees: flat, so nested-path lookups never apply."""
        return self.name.replace(".", "_")

    @property
    def in_engine(self) -> bool:
        return self.kind != "report"


def _lit(alias: object) -> tuple[str, ...]:
    return tuple(str(v) for v in get_args(alias))


FIELDS: tuple[Field, ...] = (
    Field("platform", "str", values="platforms", doc="the platform id"),
    Field("platform.group", "str", values="groups", doc="the platform's group"),
    Field("platform.territory", "report", doc="the territory the platform requires, if any"),
    Field("platform.listing_domains", "report",
          doc="the web domains the platform's item pages live on"),
    Field("platform.short_link_domains", "report",
          doc="the domains of the platform's share and short links"),
    Field("platform.hosts", "report",
          doc="every domain a listing may be on, listing then short-link domains (the name "
              "policies written before v2 report)"),
    Field("channel", "str", values=_lit(models.Channel), per_filing=True,
          doc="the channel the complaint is filed through"),
    Field("channel.max_listings", "int", optional=True, per_filing=True,
          doc="the most distinct listings one complaint through the channel may name"),
    Field("day0", "day", doc="the submission date in the platform's time zone"),
    Field("complainant.kind", "str", values=_lit(models.PartyKind)),
    Field("complainant.name", "str", is_name=True, doc="the filer's name, normalised"),
    Field("complainant.country", "str", optional=True),
    Field("holder.name", "str", is_name=True,
          doc="the rights holder's name, normalised (the filer's if none)"),
    Field("right.type", "str", values=_lit(models.RightType)),
    Field("right.patent_kind", "str", optional=True, values=_lit(models.PatentKind)),
    Field("right.status", "str", values=_lit(models.RightStatus)),
    Field("right.office", "str", optional=True, values="offices"),
    Field("right.office_jurisdiction", "str", optional=True, values="jurisdictions",
          doc="the jurisdiction whose office registered the right"),
    Field("right.owner", "str", optional=True, is_name=True,
          doc="the registrant's name, normalised"),
    Field("right.number", "report"),
    Field("right.filed_on", "day", optional=True),
    Field("right.registered_on", "day", optional=True),
    Field("right.term_end", "day", optional=True,
          doc="the last day of the term: expires_on, or derived from the jurisdiction's terms"),
    Field("right.grace_end", "day", optional=True,
          doc="the last day of any renewal grace period (the term end where there is none)"),
    Field("right.territories", "report", doc="every territory the right covers"),
    Field("territory.covered", "bool",
          doc="the right covers the platform's territory (true where none is required)"),
    Field("territory.via", "str", optional=True, values=("office", "designation", "treaty"),
          doc="how the platform's territory is covered: by the office itself, a designation, "
              "or a treaty protecting the right unregistered (Berne)"),
    Field("evidence.certificate", "bool"),
    Field("evidence.extension_certificate", "bool"),
    Field("evidence.evaluation_report", "bool"),
    Field("evidence.renewal_certificate", "bool"),
    Field("evidence.claim_statement", "bool"),
    Field("identity.accepted", "int", doc="documents of a kind accepted for the filer"),
    Field("identity.unexpired", "int", doc="accepted documents not expired on day 0"),
    Field("identity.unnamed", "int", doc="accepted unexpired documents stating no holder name"),
    Field("identity.matching", "int", doc="accepted unexpired documents in the filer's name"),
    Field("identity.accepted_types", "report"),
    Field("identity.holder_names", "report"),
    Field("authorization.supplied", "bool"),
    Field("authorization.issued_by", "str", optional=True, is_name=True),
    Field("authorization.issued_to", "str", optional=True, is_name=True),
    Field("authorization.signed", "bool", optional=True),
    Field("authorization.issued_on", "day", optional=True),
    Field("authorization.expires_on", "day", optional=True),
    Field("authorization.covers_right", "bool", optional=True),
    Field("authorization.covers_platform", "bool", optional=True),
    Field("authorization.scope_rights", "report"),
    Field("authorization.scope_platforms", "report"),
    Field("infringement.kind", "str", values=_lit(models.InfringementKind)),
    Field("listings.count", "int", per_filing=True, doc="distinct listing URLs"),
    Field("listings.off_platform", "int", per_filing=True,
          doc="distinct listing URLs on none of the platform's listing or short-link domains"),
    Field("listings.off_platform_urls", "report", per_filing=True),
    Field("listings.short_links", "int", per_filing=True,
          doc="distinct listing URLs on one of the platform's short-link domains"),
    Field("listings.short_link_urls", "report", per_filing=True),
    Field("window.latest", "day", optional=True,
          doc="the last day of the response window, where the platform has one"),
)

BY_NAME: dict[str, Field] = {f.name: f for f in FIELDS}
ENGINE_FIELDS: tuple[Field, ...] = tuple(f for f in FIELDS if f.in_engine)

# The largest magnitude a whole number may have, in a fact or a rule: far inside the engine core's
# 64-bit integers (it saturates beyond them) and exact as a JSON number everywhere.
MAX_INT = 2**53

# Every fact the engine sees carries this marker: durable_rules also matches rules against the
# session's own state object, and a rule such as "field does not exist" would fire on it.
MARKER_KEY = "fact"
MARKER_VALUE = "complaint"
# Properties the engine adds or needs on every fact besides the vocabulary.
RESERVED_KEYS = ("sid", "id", MARKER_KEY)
