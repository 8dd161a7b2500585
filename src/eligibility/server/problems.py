"""Error answers of the HTTP service, as RFC 9457 problem documents.

Callers written in any language must be able to tell "fix your complaint" from "fix your
request" from "our fault" without parsing prose, so every refusal has a stable ``type`` (a URN
that never changes meaning), the HTTP status, a human ``detail``, the request id to quote in a
support ticket, and, for an invalid complaint, every field problem with its path.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

MEDIA_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:eligibility:problem:"

# slug -> (status, title). The slugs are part of the service's contract.
KINDS: Mapping[str, tuple[int, str]] = {
    "malformed-json": (400, "The request body is not valid JSON"),
    "malformed-yaml": (400, "The request body is not valid YAML"),
    "bad-request": (400, "The request is malformed"),
    "unauthorized": (401, "A valid API key is required"),
    "not-found": (404, "No such resource"),
    "method-not-allowed": (405, "Method not allowed on this resource"),
    "request-timeout": (408, "The request was not received in time"),
    "body-too-large": (413, "The request body is too large"),
    "batch-too-large": (413, "The batch holds too many complaints"),
    "unsupported-media-type": (415, "The request body must be JSON or YAML"),
    "headers-too-large": (431, "The request's headers are too large or too many"),
    "invalid-complaint": (422, "The complaint is invalid"),
    "invalid-parameter": (422, "A query parameter is invalid"),
    "internal-error": (500, "The service failed to answer"),
}


@dataclass(eq=False)  # exceptions compare and hash by identity
class HTTPProblem(Exception):
    """A refusal raised anywhere in a request; the service renders it as a problem document."""

    kind: str
    detail: str
    errors: Sequence[Mapping[str, str]] | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    close: bool = False  # the rest of the body was not read: the connection cannot be reused

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown problem kind {self.kind!r}")
        super().__init__(self.detail)

    @property
    def status(self) -> int:
        return KINDS[self.kind][0]

    def render(self, request_id: str) -> bytes:
        return render(self.kind, self.detail, request_id, self.errors)

    def header_list(self) -> list[tuple[bytes, bytes]]:
        headers = [(k.lower().encode("latin-1"), v.encode("latin-1"))
                   for k, v in self.headers.items()]
        if self.close:
            headers.append((b"connection", b"close"))
        return headers


def render(kind: str, detail: str, request_id: str,
           errors: Sequence[Mapping[str, str]] | None = None) -> bytes:
    """The problem document of one refusal, as UTF-8 JSON."""
    status, title = KINDS[kind]
    doc: dict[str, object] = {
        "type": TYPE_PREFIX + kind,
        "title": title,
        "status": status,
        "detail": detail,
        "request_id": request_id,
    }
    if errors is not None:
        doc["errors"] = [{"path": e["path"], "message": e["message"]} for e in errors]
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
