"""The complaint that comes in and the verdict that goes out, as CONTRACT.md names them.

Input is strict on purpose: a misspelt field, a naive timestamp or an unknown code would
otherwise be read as "absent" and could turn a bad complaint into a confident verdict. Codes that
depend on the loaded policy (platforms, offices, identity document types) are checked against it
through the validation context, so one pass reports every problem at once.

The base of the policy's own file formats (:class:`Spec`) lives here too: every layer above reads
some of those files, and this is the one module they all may import.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from enum import Enum
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    StrictBool,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
)
from pydantic_core import PydanticCustomError

from .errors import Problem, cut, shown
from .names import normalise

MAX_NAME = 256
MAX_CODE = 64
MAX_URL = 4096
MAX_LISTINGS = 10_000
MAX_DOCUMENTS = 50
MAX_SCOPE = 1_000
MAX_DESIGNATIONS = 300

# The input's one source of truth: every check below that JSON Schema can state is stated in the
# published schema by the same words (patterns, lengths, enums; see Policy.complaint_schema), and
# the patterns are run by Python's `re` on both sides. What a schema cannot state is said in the
# `description` of the field it concerns (docs/interpretation.md, "Input leniencies").
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
DATETIME_PATTERN = (r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
                    r"(\.[0-9]{1,6})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$")
# No space, tab or line break at either end: " CNIPA" is not a code the policy knows, and a
# registration number or address is compared as written.
TRIMMED_PATTERN = r"^\S(.*\S)?$"
COUNTRY_PATTERN = r"^[A-Z]{2}$"
POLICY_CODES = "x-policy-codes"
"""Schema keyword marking a string whose values the loaded policy lists (platforms, offices,
identity document types); Policy.complaint_schema replaces it with the policy's enum."""

_DATE = re.compile(DATE_PATTERN)
_DATETIME = re.compile(DATETIME_PATTERN)
_NAIVE = "the date and time has no UTC offset; add one, e.g. +08:00"
_DATETIME_HELP = ("expected an ISO 8601 date and time in RFC 3339 form, with seconds and a "
                  "UTC offset, e.g. 2026-03-02T10:00:00+08:00")


# Every kind of input problem and the values its message quotes: pydantic's own kinds that a
# complaint can meet, then this module's. A language of the policy other than the rule files'
# words each of them (rules/lang/<code>.yaml, `problems:`), and the loader checks that it does.
PROBLEM_CODES: dict[str, tuple[str, ...]] = {
    "missing": (),
    "extra_forbidden": (),
    "string_type": (),
    "string_too_short": ("min_length",),
    "string_too_long": ("max_length",),
    "string_pattern_mismatch": ("pattern",),
    "literal_error": ("expected",),
    "bool_type": (),
    "int_type": (),
    "list_type": (),
    "too_short": ("min_length", "actual_length"),
    "too_long": ("max_length", "actual_length"),
    "model_type": (),
    "model_attributes_type": (),
    "dict_type": (),
    "not_a_mapping": ("kind",),
    "too_deep": (),
    "date_with_time": (),
    "date_format": (),
    "date_invalid": ("error",),
    "datetime_format": (),
    "datetime_type": ("kind",),
    "datetime_invalid": ("error",),
    "datetime_naive": (),
    "cannot_be_judged": ("error",),
    "number_not_text": (),
    "name_without_letters": (),
    "unknown_platform": ("values", "known"),
    "unknown_office": ("values", "known"),
    "unknown_document_type": ("values", "known"),
    "channel_not_taken": ("platform", "channel", "taken"),
}


def invalid(code: str, template: str, **params: object) -> PydanticCustomError:
    """An input problem of a kind of :data:`PROBLEM_CODES`, worded in English by ``template``
    (its ``{names}`` filled from ``params``); any other language words it from the code."""
    return PydanticCustomError(code, template, {k: str(v) for k, v in params.items()})


def _iso_date(value: Any) -> Any:
    if isinstance(value, datetime):
        raise invalid("date_with_time", "expected a date (YYYY-MM-DD), not a date and time")
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        if not _DATE.fullmatch(value):  # as the "date" format checks it: no final line break
            raise invalid("date_format", "expected an ISO 8601 date, YYYY-MM-DD")
        try:
            return date.fromisoformat(value)
        except ValueError as exc:
            raise invalid("date_invalid", "not a calendar date: {error}", error=exc) from None
    raise invalid("date_format", "expected an ISO 8601 date, YYYY-MM-DD")


def parse_aware_datetime(value: Any) -> datetime:
    """A moment with its UTC offset: an aware datetime, or RFC 3339 text such as
    2026-03-02T10:00:00+08:00 (``Z`` for UTC). Day 0 depends on the offset, so none is guessed.

    Text must be RFC 3339 exactly (what the published schema says): looser ISO 8601 forms
    (``20260302T100000Z``, no seconds, ``+0800``, a space for the ``T``) are refused rather than
    read by one parser's rules and not another's. A YAML timestamp arrives as a datetime.
    """
    if isinstance(value, str):
        if not _DATETIME.search(value):
            try:  # only to say what is missing, when Python can read it
                loose: datetime | None = datetime.fromisoformat(value)
            except ValueError:
                loose = None
            if loose is not None and loose.tzinfo is None:
                raise invalid("datetime_naive", _NAIVE)
            raise invalid("datetime_format", _DATETIME_HELP)
        # The pattern's `$` lets one final line break through, as RFC 3339 checkers do.
        text = value.rstrip("\n")
        text = text[:-1] + "+00:00" if text.endswith("Z") else text
        try:
            value = datetime.fromisoformat(text)
        except ValueError as exc:
            raise invalid("datetime_invalid", "not a calendar date and time: {error}",
                          error=exc) from None
    if not isinstance(value, datetime):
        raise invalid("datetime_type", _DATETIME_HELP + ", got {kind}", kind=type(value).__name__)
    if value.tzinfo is None or value.utcoffset() is None:
        raise invalid("datetime_naive", _NAIVE)
    return value


def platform_id(value: Any) -> Any:
    """A platform id as written: an unquoted 1688 (a number in YAML or JSON) is "1688"."""
    # YAML reads an unquoted 1688 as a number; as a platform id it can only mean "1688". JSON
    # Schema counts 1688.0 as the same number, so it is read the same way.
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def _text_number(value: Any) -> Any:
    # A registration number written without quotes arrives as a number: converting it back could
    # change it (leading zeros, YAML's octal), so it is refused with a way to fix it.
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise invalid("number_not_text",
                      "a registration number is text: write it in quotes, e.g. \"58231907\"")
    return value


def _none_as_empty(value: Any) -> Any:
    return [] if value is None else value


def _or_null(schema: dict[str, Any]) -> None:
    """Publish the ``null`` a list (or the evidence) also accepts: YAML's empty ``key:``."""
    kept = {key: schema.pop(key) for key in ("title", "default", "description") if key in schema}
    inner = dict(schema)
    schema.clear()
    schema.update(anyOf=[inner, {"type": "null"}], **kept)


NULL_AS_EMPTY = "null is read as an empty list (YAML writes an empty `key:` so)"

IsoDate = Annotated[date, BeforeValidator(_iso_date), WithJsonSchema(
    {"type": "string", "format": "date", "pattern": DATE_PATTERN,
     "description": "YYYY-MM-DD, a real calendar date"})]
AwareDateTime = Annotated[datetime, BeforeValidator(parse_aware_datetime), WithJsonSchema(
    {"type": "string", "format": "date-time", "pattern": DATETIME_PATTERN,
     "description": "RFC 3339 with seconds and a UTC offset, a real calendar moment"})]


_ASCII_ALNUM = re.compile(r"[A-Za-z0-9]")


def _named(value: str) -> str:
    # Names are compared after normalisation (names.py), which drops punctuation: a name with no
    # letter or digit left ("-", "\u3002", a control or zero-width character) would "match" any
    # other such name. Spaces around a name are dropped: they never change a comparison.
    # An ASCII letter or digit stays a letter or digit through normalisation (NFKC and case
    # folding keep it one, only punctuation is dropped), so most names need no more than a
    # search for one; the others are normalised and looked through.
    if _ASCII_ALNUM.search(value) is None and not any(ch.isalnum()
                                                      for ch in normalise(value)):
        raise invalid("name_without_letters", "a name needs at least one letter or digit")
    return value.strip()


Name = Annotated[str, StringConstraints(strict=True, min_length=1, max_length=MAX_NAME),
                 AfterValidator(_named), Field(description=(
                     "Needs at least one Unicode letter or digit (checked by the service: a "
                     "schema pattern cannot name Unicode classes portably); spaces around it "
                     "are dropped"))]
Code = Annotated[str, StringConstraints(strict=True, min_length=1, max_length=MAX_CODE,
                                        pattern=TRIMMED_PATTERN)]
Country = Annotated[str, StringConstraints(strict=True, pattern=COUNTRY_PATTERN)]
Url = Annotated[str, StringConstraints(strict=True, min_length=1, max_length=MAX_URL,
                                       pattern=TRIMMED_PATTERN)]
RegistrationNumber = Annotated[Code, BeforeValidator(_text_number)]


def _codes(kind: str) -> Any:
    return Field(json_schema_extra={POLICY_CODES: kind})


# Their values are the policy's: the enum (in the schema and the validator alike) bounds them.
PlatformId = Annotated[str, Strict(), BeforeValidator(platform_id), _codes("platforms")]
OfficeCode = Annotated[str, Strict(), _codes("offices")]
DocumentType = Annotated[str, Strict(), _codes("document_types")]

PartyKind = Literal["individual", "organization"]
RightType = Literal["trademark", "copyright", "patent", "trade_secret", "other"]
PatentKind = Literal["invention", "utility_model", "design"]
RightStatus = Literal["registered", "pending", "expired", "invalidated", "unregistered"]
InfringementKind = Literal["counterfeit", "mark-obscuring", "piracy", "patent"]
# How a complaint reaches the platform: from an IPP account, or IPP's online form for filers
# without one. Which platforms take which channel is the policy's (rules/platforms.yaml).
Channel = Literal["ipp_account", "online_form"]
DEFAULT_CHANNEL: Channel = "ipp_account"


def _context_set(info: ValidationInfo, key: str) -> frozenset[str] | None:
    context = info.context
    if isinstance(context, dict):
        known = context.get(key)
        if isinstance(known, frozenset):
            return known
    return None


def _unknown(code: str, what: str, values: Iterable[str],
             known: frozenset[str]) -> PydanticCustomError:
    return invalid(code, f"unknown {what} {{values}}; known: {{known}}",
                   values=", ".join(shown(v) for v in values), known=", ".join(sorted(known)))


def _known(value: str, info: ValidationInfo, key: str, code: str, what: str) -> str:
    """``value`` when it is one of the policy's codes of that kind (or no policy is given)."""
    known = _context_set(info, key)
    if known is not None and value not in known:
        raise _unknown(code, what, [value], known)
    return value


class _Input(BaseModel):
    # Python's `re` runs the patterns, as it does for the schema's judge (jsonschema): the same
    # pattern then means the same thing on both sides.
    model_config = ConfigDict(extra="forbid", frozen=True, revalidate_instances="always",
                              regex_engine="python-re")


class IdentityDocument(_Input):
    # The types are the policy's (rules/platforms.yaml): a new one is a data change.
    type: DocumentType
    holder_name: Name | None = None
    issuing_country: Country | None = None
    expires_on: IsoDate | None = None

    @field_validator("type")
    @classmethod
    def _known_type(cls, value: str, info: ValidationInfo) -> str:
        return _known(value, info, "document_types", "unknown_document_type",
                      "identity document type")


class Party(_Input):
    kind: PartyKind
    name: Name
    country: Country | None = None


class Complainant(Party):
    identity_documents: Annotated[list[IdentityDocument], BeforeValidator(_none_as_empty)] = (
        Field(default_factory=list, max_length=MAX_DOCUMENTS, description=NULL_AS_EMPTY,
              json_schema_extra=_or_null))


class Scope(_Input):
    rights: Annotated[list[RegistrationNumber], BeforeValidator(_none_as_empty)] = Field(
        default_factory=list, max_length=MAX_SCOPE, description=NULL_AS_EMPTY,
        json_schema_extra=_or_null)
    platforms: Annotated[list[PlatformId], BeforeValidator(_none_as_empty)] = Field(
        default_factory=list, max_length=MAX_SCOPE, description=NULL_AS_EMPTY,
        json_schema_extra=_or_null)

    @field_validator("platforms")
    @classmethod
    def _known_platforms(cls, value: list[str], info: ValidationInfo) -> list[str]:
        known = _context_set(info, "platforms")
        if known is not None:
            unknown = sorted({p for p in value if p not in known})
            if unknown:
                raise _unknown("unknown_platform", "platform(s)", unknown, known)
        return value


class Authorization(_Input):
    issued_by: Name
    issued_to: Name
    issued_on: IsoDate
    expires_on: IsoDate | None = None
    # Not stated means not shown to be signed: the unsigned rule asks for it (fixable).
    signed: StrictBool = False
    scope: Scope | None = None


class Evidence(_Input):
    certificate: StrictBool = False
    extension_certificate: StrictBool = False
    evaluation_report: StrictBool = False
    renewal_certificate: StrictBool = False
    # A completed Copyright Claim Statement: what an unregistered copyright offers instead of a
    # certificate.
    claim_statement: StrictBool = False


class IPRight(_Input):
    type: RightType
    patent_kind: PatentKind | None = None
    status: RightStatus
    office: OfficeCode | None = None
    designations: Annotated[
        list[Annotated[str, StringConstraints(strict=True, pattern=COUNTRY_PATTERN)]],
        BeforeValidator(_none_as_empty),
    ] = Field(default_factory=list, max_length=MAX_DESIGNATIONS, description=NULL_AS_EMPTY,
              json_schema_extra=_or_null)
    number: RegistrationNumber | None = None
    owner: Name | None = None
    filed_on: IsoDate | None = None
    registered_on: IsoDate | None = None
    expires_on: IsoDate | None = None
    evidence: Annotated[Evidence, BeforeValidator(lambda v: {} if v is None else v)] = Field(
        default_factory=Evidence, description="null is read as no evidence stated",
        json_schema_extra=_or_null)

    @field_validator("office")
    @classmethod
    def _known_office(cls, value: str | None, info: ValidationInfo) -> str | None:
        return None if value is None else _known(value, info, "offices", "unknown_office",
                                                 "office")


class Infringement(_Input):
    kind: InfringementKind
    listings: Annotated[list[Url], BeforeValidator(_none_as_empty)] = Field(
        default_factory=list, max_length=MAX_LISTINGS, description=NULL_AS_EMPTY,
        json_schema_extra=_or_null)


class Complaint(_Input):
    """A takedown complaint as a filer would submit it (CONTRACT.md, "The complaint")."""

    platform: PlatformId
    submitted_at: Annotated[AwareDateTime | None, Field(description=(
        "RFC 3339 with a UTC offset; its year must be one the platform's holiday calendar "
        "covers (checked by the service when judging: the range depends on the calendar)"))] = None
    complainant: Complainant
    rights_holder: Party | None = None
    authorization: Authorization | None = None
    ip_right: IPRight
    infringement: Infringement
    channel: Channel = DEFAULT_CHANNEL

    @field_validator("platform")
    @classmethod
    def _known_platform(cls, value: str, info: ValidationInfo) -> str:
        return _known(value, info, "platforms", "unknown_platform", "platform")

    @field_validator("channel")
    @classmethod
    def _channel_of_platform(cls, value: str, info: ValidationInfo) -> str:
        # Validated after the platform (declared before it): a platform that failed its own
        # check is not in info.data, and its problem is already reported.
        context = info.context
        by_platform = context.get("channels") if isinstance(context, dict) else None
        platform = info.data.get("platform")
        if isinstance(by_platform, dict) and platform in by_platform:
            taken = by_platform[platform]
            if value not in taken:
                raise invalid("channel_not_taken", "platform {platform} takes no complaint "
                              "through {channel}; it takes: {taken}", platform=platform,
                              channel=shown(value), taken=", ".join(sorted(taken)))
        return value


def problem_at(path: str, error: ValueError) -> Problem:
    """A value's problem outside a model (a query parameter, an argument), with its kind and
    the values its message quotes when it is one of :data:`PROBLEM_CODES`."""
    if not isinstance(error, PydanticCustomError):
        return Problem(path, str(error))
    quoted = error.context or {}
    params = tuple((key, cut(str(quoted[key]))) for key in PROBLEM_CODES.get(error.type, ())
                   if key in quoted)
    return Problem(path, error.message(), error.type, params)


def problems_of(exc: ValidationError) -> list[Problem]:
    """A validation error as the input problems a caller is shown, each with its dotted path."""
    problems = []
    for err in exc.errors(include_url=False):
        # An unknown key is part of its path: as submitted, it could be of any length.
        path = ".".join(cut(str(part)) for part in err["loc"])
        message = err["msg"]
        if err["type"] == "extra_forbidden":
            message = "unknown field"
        elif message.startswith("Value error, "):
            message = message[len("Value error, "):]
        params = tuple((key, cut(str(value))) for key, value in err.get("ctx", {}).items()
                       if key in PROBLEM_CODES.get(err["type"], ()))
        problems.append(Problem(path, message, err["type"], params))
    return problems


def check_now(now: datetime | str | None) -> datetime | None:
    """A caller's `now`: a timezone-aware datetime or ISO 8601 text with an offset, or None."""
    if now is None:
        return None
    if isinstance(now, str):
        try:
            return parse_aware_datetime(now)
        except ValueError as exc:
            raise ValueError(f"now: {exc}") from None
    if not isinstance(now, datetime) or now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be a timezone-aware datetime")
    return now


# --- policy files ------------------------------------------------------------------------------


class Spec(BaseModel):
    """Base of every policy file format: an unknown key is a mistake; a read file never changes."""

    model_config = ConfigDict(extra="forbid", frozen=True)


# A text a policy file must not leave empty (a title, a source, a name).
Text = Annotated[str, StringConstraints(min_length=1)]


def spec_error(message: str) -> PydanticCustomError:
    """A validation error whose text is shown as is (no template braces interpreted)."""
    return PydanticCustomError("policy_data", "{message}", {"message": message})


# --- the verdict -------------------------------------------------------------------------------


class Decision(str, Enum):
    ELIGIBLE = "eligible"
    INCOMPLETE = "incomplete"
    INELIGIBLE = "ineligible"

    def __str__(self) -> str:
        return self.value


Severity = Literal["blocking", "missing", "warning"]
CheckStatus = Literal["passed", "failed", "not_applicable"]


class OutputModel(BaseModel):
    model_config = ConfigDict(frozen=True)


class Reason(OutputModel):
    """A failed rule (or a warning): what, why, how to fix it, and the facts behind it."""

    rule: str
    severity: Severity
    message: str
    remediation: str
    source: str
    facts: dict[str, Any]


class Check(OutputModel):
    rule: str
    status: CheckStatus


class DueWindow(OutputModel):
    """The days by which the platform should answer, counted in business days after day 0."""

    earliest: date
    latest: date
    business_days: tuple[int, int]
    calendar: str
    timezone: str
    provisional: bool


class PolicyRef(OutputModel):
    version: str
    digest: str


class Verdict(OutputModel):
    decision: Decision
    platform: str
    reasons: list[Reason]
    checks: list[Check]
    due: DueWindow | None
    day0: date
    policy: PolicyRef


_Built = TypeVar("_Built", bound=OutputModel)
_set = object.__setattr__


def built(cls: type[_Built], values: dict[str, Any]) -> _Built:
    """An output model made of values this package computed itself, every field given.

    This is what ``model_construct`` ends up doing for these models (no aliases, defaults,
    extras or private attributes), without its per-field bookkeeping, which cost more than the
    rest of building a verdict. ``check_plain`` below keeps that premise true.
    """
    model = cls.__new__(cls)
    _set(model, "__dict__", values)
    _set(model, "__pydantic_fields_set__", set(values))
    _set(model, "__pydantic_extra__", None)
    _set(model, "__pydantic_private__", None)
    return model


def check_plain(*models: type[OutputModel]) -> None:
    for model in models:
        for name, info in model.model_fields.items():
            if info.alias or info.validation_alias or not info.is_required():
                raise TypeError(f"{model.__name__}.{name}: built() needs plain required fields")
        if model.__private_attributes__ or model.model_config.get("extra") == "allow" or (
                model.__pydantic_post_init__):
            raise TypeError(f"{model.__name__}: built() needs a model without extras or hooks")


check_plain(Reason, DueWindow, PolicyRef, Verdict)


def verdicts_json(verdicts: Mapping[str, Verdict]) -> str:
    """``{platform: verdict}`` as one JSON object, each verdict its own bytes
    (``model_dump_json``), so that it reads exactly like a verdict judged alone."""
    return "{" + ",".join(f"{json.dumps(platform)}:{verdict.model_dump_json()}"
                          for platform, verdict in verdicts.items()) + "}"
