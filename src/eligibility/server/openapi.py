"""The OpenAPI description of the service, for client generators and for people.

The routes send pre-serialised JSON (the verdict's own bytes), so FastAPI cannot infer their
responses: the models here exist only to describe them. The complaint's schema is the policy's
own (its platforms and offices listed), moved from its local ``$defs`` into the document's
components, and every error response is declared as ``application/problem+json``.
"""

from __future__ import annotations

import copy
from collections.abc import Collection
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, Field

from .body import JSON
from .gateway import OPEN_PATHS
from .problems import KINDS, MEDIA_TYPE, TYPE_PREFIX


class FieldProblem(BaseModel):
    path: str = Field(description="Dotted path of the field, e.g. ip_right.office; '' for the "
                                  "whole body. In a batch entry, relative to that complaint.")
    message: str


class ProblemDocument(BaseModel):
    type: str = Field(description=f"{TYPE_PREFIX}<kind>; one of: " + ", ".join(KINDS))
    title: str
    status: int
    detail: str
    request_id: str
    errors: list[FieldProblem] | None = Field(
        default=None,
        description="Every field problem (invalid-complaint and invalid-parameter only)")


class BatchError(BaseModel):
    """A batch entry for a complaint that could not be read (the others are verdicts)."""

    index: int = Field(description="Position of the complaint in the request")
    status: int = Field(422, description="Always 422: the complaint is invalid")
    errors: list[FieldProblem]


class RuleEntry(BaseModel):
    id: str
    title: str
    severity: str
    platforms: list[str]
    applies_to: list[str]
    source: str
    file: str


class RuleCatalog(BaseModel):
    version: str
    digest: str
    language: str = Field(description="The language of the titles")
    rules: list[RuleEntry]


class Health(BaseModel):
    status: str


class PolicySummary(BaseModel):
    version: str
    digest: str
    rules: int
    platforms: list[str]


class Readiness(BaseModel):
    status: str
    policy: PolicySummary


def language_parameters(languages: tuple[str, ...]) -> list[dict[str, Any]]:
    """The two ways to choose the answer's language; the answer says it in Content-Language."""
    return [
        {"name": "lang", "in": "query", "required": False,
         "description": "The language of messages, remediations and titles; wins over "
                        "Accept-Language. An unknown one is 400.",
         "schema": {"type": "string", "enum": list(languages), "default": languages[0]}},
        {"name": "Accept-Language", "in": "header", "required": False,
         "description": "Preferred languages (RFC 9110); the best one the policy has is used, "
                        f"else {languages[0]}.",
         "schema": {"type": "string"}},
    ]


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses`` entries of a route for the error statuses it can answer."""
    described = dict(reversed(list(KINDS.values())))  # the first kind listed per status
    return {status: {"model": ProblemDocument, "description": described[status]}
            for status in statuses}



BEARER = "bearer"
ANY_PLATFORM = "ComplaintAnyPlatform"  # the body of /v1/evaluate/everywhere


def openapi_document(app: FastAPI, complaint_schema: dict[str, Any], *,
                     keys_required: bool = False,
                     open_paths: Collection[str] = OPEN_PATHS) -> dict[str, Any]:
    """FastAPI's document, plus the policy's complaint schema, problem+json error bodies and the
    key scheme: declared always, required by the operations outside ``open_paths`` when this
    service runs with keys, so generated clients and API testers learn how to authenticate."""
    doc = get_openapi(title=app.title, version=app.version, description=app.description,
                      routes=app.routes)
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    complaint = copy.deepcopy(complaint_schema)
    definitions = complaint.pop("$defs", {})
    renamed = {name: (name if name not in schemas else f"Complaint{name}")
               for name in definitions}

    def relink(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return {**node, "$ref": "#/components/schemas/" + renamed[ref[len("#/$defs/"):]]}
            return {k: relink(v) for k, v in node.items()}
        if isinstance(node, list):
            return [relink(v) for v in node]
        return node

    for name, definition in definitions.items():
        schemas[renamed[name]] = relink(definition)
    schemas["Complaint"] = relink(complaint)
    anywhere = copy.deepcopy(schemas["Complaint"])
    anywhere["required"] = [name for name in anywhere.get("required", []) if name != "platform"]
    anywhere["properties"]["platform"] = {"anyOf": [anywhere["properties"]["platform"],
                                                    {"type": "null"}],
                                          "description": "Left out or null: any platform"}
    anywhere["title"] = ANY_PLATFORM
    anywhere["description"] = "A complaint to judge on every platform: `platform` may be left out"
    schemas[ANY_PLATFORM] = anywhere
    doc["components"]["securitySchemes"] = {BEARER: {
        "type": "http", "scheme": "bearer",
        "description": "Authorization: Bearer <key>, with a key the operator configured. "
                       + ("This service requires it outside the health endpoints and this "
                          "document." if keys_required else "This service runs without keys.")}}
    for path, path_item in doc.get("paths", {}).items():
        for operation in path_item.values():
            operation["security"] = ([{BEARER: []}] if keys_required and path not in open_paths
                                     else [])
            for status, response in operation.get("responses", {}).items():
                content = response.get("content", {})
                if str(status).startswith(("4", "5")) and JSON in content:
                    content[MEDIA_TYPE] = content.pop(JSON)
    return doc
