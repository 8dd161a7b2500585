"""The formats of the rule files, rules/platforms.yaml and rules/policy.yaml.

Each is a strict model (unknown keys refused, see :class:`~eligibility.models.Spec`) checking only
what one file can tell on its own; what needs several files at once (a rule naming a platform, a
platform naming a calendar) is checked by the loader. Jurisdiction files have their formats beside
the code that answers questions from them, in :mod:`eligibility.jurisdiction`.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from pydantic import Field, StringConstraints, field_validator, model_validator

from ..models import DEFAULT_CHANNEL, Channel, PartyKind, Severity, Spec, Text, spec_error

RULE_ID = r"^[a-z][a-z0-9]*(\.[a-z0-9]+(-[a-z0-9]+)*)+$"
PLATFORMS_FILE = "platforms.yaml"
META_FILE = "policy.yaml"
LANGUAGE_FOLDER = "lang"  # rules/lang/<code>.yaml: a policy's texts in one language
LANGUAGE_CODE = r"^[a-z]{2,3}(-[A-Z][a-z]{3})?(-[A-Z]{2})?$"  # en, zh-CN, zh-Hant-TW

DocumentTypeCode = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,63}$")]


class RuleSpec(Spec):
    id: str
    title: Text
    applies_to: list[str] = Field(min_length=1)
    severity: Severity
    when: Any
    applies_if: Any = None
    message: Text
    remediation: Text
    source: Text
    report: list[str] = Field(default_factory=list)
    effective_from: date | None = None
    effective_until: date | None = None

    @field_validator("id")
    @classmethod
    def _stable_id(cls, value: str) -> str:
        if not re.fullmatch(RULE_ID, value):
            raise ValueError("a rule id is lower-case words joined by dots and hyphens, "
                             "e.g. right.not-in-force")
        return value


CONDITION_NAME = r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$"


class RulesFile(Spec):
    rules: list[Any] = Field(default_factory=list)
    # Named conditions, usable by every rule of the policy as {condition: NAME}; a definition may
    # use those defined before it (in file order, then in order within the file).
    conditions: dict[Annotated[str, StringConstraints(pattern=CONDITION_NAME)], Any] = Field(
        default_factory=dict)

    @model_validator(mode="after")
    def _not_empty(self) -> RulesFile:
        if not self.rules and not self.conditions:
            raise spec_error("a rule file holds rules, named conditions or both")
        return self


class ChannelSpec(Spec):
    # The most distinct listings one complaint filed through this channel may name; None: no
    # limit the policy knows of.
    max_listings: int | None = Field(default=None, ge=1, le=1_000_000)
    source: Text | None = None

    @model_validator(mode="after")
    def _cited(self) -> ChannelSpec:
        if self.max_listings is not None and self.source is None:
            raise spec_error("max_listings needs a source")
        return self


def _default_channels() -> dict[Channel, ChannelSpec]:
    return {DEFAULT_CHANNEL: ChannelSpec()}


class GroupSpec(Spec):
    title: str
    # The identity document types accepted for each kind of filer. These are the only document
    # types a complaint may name: adding one is a data change.
    identity_documents: dict[PartyKind, list[DocumentTypeCode]] = Field(default_factory=dict)
    identity_source: str | None = None
    # The channels a complaint can be filed through on the group's platforms; a complaint naming
    # another is invalid input. The contract's default channel must be among them. A group that
    # names none (every group of a policy written before v2) takes that one, with no cap.
    channels: dict[Channel, ChannelSpec] = Field(default_factory=_default_channels, min_length=1)


class ResponseSpec(Spec):
    business_days: tuple[int, int]
    calendar: str


class PlatformSpec(Spec):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9.-]*$")
    name: str
    group: str
    territory: str | None = None
    # Where the platform's item pages live, and the domains of its share and short links; a
    # subdomain of either counts as well, and a short-link domain wins where both match.
    listing_domains: list[str] = Field(min_length=1)
    short_link_domains: list[str] = Field(default_factory=list)
    timezone: str
    response: ResponseSpec | None = None
    # Where the platform, its domains and its complaint channel are stated.
    source: Text | None = None

    @model_validator(mode="before")
    @classmethod
    def _former_name(cls, data: Any) -> Any:
        # `hosts` is what policies written before v2 call listing_domains; reading it keeps them
        # loadable, so that `eligibility diff` can compare a v1 policy with its successor.
        if isinstance(data, dict) and "hosts" in data:
            if "listing_domains" in data:
                raise spec_error("hosts is the former name of listing_domains; give only one")
            data = {("listing_domains" if k == "hosts" else k): v for k, v in data.items()}
        return data


class PlatformsFile(Spec):
    groups: dict[str, GroupSpec] = Field(min_length=1)
    platforms: list[PlatformSpec] = Field(min_length=1)

    def document_types(self) -> frozenset[str]:
        """Every identity document type some group accepts."""
        return frozenset(t for g in self.groups.values()
                         for types in g.identity_documents.values() for t in types)


class MetaFile(Spec):
    name: str
    version: Text
    # The languages verdicts can be worded in; the first is the one the rule files are written
    # in. Each has its file in rules/lang/.
    languages: list[Annotated[str, StringConstraints(pattern=LANGUAGE_CODE)]] = Field(
        default_factory=lambda: ["en"], min_length=1)



class RuleTextsSpec(Spec):
    title: Text
    message: Text
    remediation: Text


class LanguageFile(Spec):
    """rules/lang/<code>.yaml. The source language's file holds only ``interface`` (its rule,
    platform and group texts are the rule files' own); every other language translates all."""

    language: Annotated[str, StringConstraints(pattern=LANGUAGE_CODE)]
    name: Text
    platforms: dict[str, Text] = Field(default_factory=dict)
    groups: dict[str, Text] = Field(default_factory=dict)
    rules: dict[str, RuleTextsSpec] = Field(default_factory=dict)
    # Texts of the faces (the command line's readable output): key -> text with {fields}.
    interface: dict[str, Text] = Field(default_factory=dict)
    # Input problems (models.PROBLEM_CODES) worded in this language, with their {params}.
    problems: dict[str, Text] = Field(default_factory=dict)
