"""Reading a request body (JSON, or YAML) without ever holding more of it than the limit allows.

A declared Content-Length over the limit is refused at the door before any of the body is read;
this reader catches the rest: a chunked body (no length given) or one that runs past the length it
claimed. It reads straight from the ASGI ``receive`` channel so that the evaluation routes can be
served without the framework's request objects, and it tells the three ways a body can be wrong
apart: not declared as JSON (415), too long (413), not parseable (400). An object with the same
key twice is refused too, as the command line refuses it: keeping one of the two values silently
could judge a complaint other than the one its author meant.

A body declared as YAML (``application/yaml``) is read with the same safe reader the command line
uses, so that a complaint file can be sent as it is written, and so that the checker page can
send what a person pasted without a YAML parser of its own: the service's reading is the only one.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from starlette.requests import ClientDisconnect
from starlette.types import Receive, Scope

from ..load.yaml import YAMLError, load_yaml, strict_json
from .problems import HTTPProblem

JSON = "application/json"
YAML = "application/yaml"
# RFC 9512 registered application/yaml; the others are what older tools still send.
YAML_TYPES = frozenset({YAML, "application/x-yaml", "text/yaml", "text/x-yaml"})


def header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            text: str = value.decode("latin-1")
            return text
    return None


def body_format(content_type: str | None) -> str | None:
    """``"json"`` for ``application/json`` or any ``application/*+json``, ``"yaml"`` for YAML,
    in UTF-8 (RFC 8259 allows no other for JSON); None for anything else.

    A body sent with no Content-Type at all (a bare ``curl --data``, ``requests.post(data=…)``) is
    read as JSON: only a body declared as something else is refused.
    """
    if content_type is None:
        return "json"
    media, _, params = content_type.partition(";")
    media = media.strip().lower()
    if media == JSON or (media.startswith("application/") and media.endswith("+json")):
        kind = "json"
    elif media in YAML_TYPES:
        kind = "yaml"
    else:
        return None
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() not in (
                "utf-8", "utf8"):
            return None
    return kind


async def read_body(scope: Scope, receive: Receive, limit: int) -> Any:
    """The body, parsed as JSON or YAML as declared; HTTPProblem when it cannot be parsed, is too
    long, or is declared as something else."""
    kind = body_format(header(scope, b"content-type"))
    if kind is None:
        raise HTTPProblem("unsupported-media-type", "send the body as 'Content-Type: "
                                                    "application/json' or 'application/yaml' "
                                                    "(UTF-8)",
                          close=True)  # the body is left unread
    body = bytearray()
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnect()
        body += message.get("body", b"")
        if len(body) > limit:
            raise HTTPProblem("body-too-large", f"the body exceeds the limit of {limit} bytes",
                              close=True)
        if not message.get("more_body", False):
            break
    if not body.strip():
        raise HTTPProblem(f"malformed-{kind}", "the body is empty")
    try:
        # Decoded first: json.loads would also guess UTF-16 or UTF-32 from bytes, and the
        # service speaks UTF-8 only.
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise HTTPProblem(f"malformed-{kind}", f"the body is not UTF-8: {exc}") from None
    if kind == "yaml":
        try:
            data = load_yaml(text)
        except YAMLError as exc:
            raise HTTPProblem("malformed-yaml", f"not valid YAML: {exc}") from None
        return json_ready(data, budget=len(body))
    try:
        return strict_json(text)  # NaN and Infinity are not JSON either
    except RecursionError:
        raise HTTPProblem("malformed-json", "the JSON is nested too deeply") from None
    except ValueError as exc:  # JSONDecodeError, bad UTF-8, an integer too long to convert
        raise HTTPProblem("malformed-json", f"not valid JSON: {exc}") from None


def json_ready(data: Any, budget: int) -> Any:
    """A parsed YAML body as the JSON a caller could have sent instead: dates and times as ISO
    8601 text, mappings keyed by text only.

    So a complaint is the same data whichever way it came, and what is made of it afterwards
    (the decision log's canonical JSON and fingerprint) works on both. YAML values JSON has no
    form for (``!!binary``, ``!!set``) are refused. ``budget`` bounds the values walked: a
    document without aliases holds fewer values than it has bytes, so more means aliases
    repeating a part over and over (a "billion laughs"), refused before it is expanded.
    """
    walked = 0

    def convert(value: Any) -> Any:
        nonlocal walked
        walked += 1
        if walked > budget:
            raise HTTPProblem("malformed-yaml", "the document holds more values than its size "
                                                "allows: aliases (*name) repeat too much of it")
        if isinstance(value, dict):
            out = {}
            for key, item in value.items():
                if not isinstance(key, str):
                    raise HTTPProblem("malformed-yaml", f"a mapping key must be text, not "
                                                        f"{type(key).__name__} {str(key)[:40]!r}")
                out[key] = convert(item)
            return out
        if isinstance(value, list):
            return [convert(item) for item in value]
        if isinstance(value, date):  # datetime is a date too
            return value.isoformat()
        if value is None or isinstance(value, (str, bool, int, float)):
            return value
        raise HTTPProblem("malformed-yaml", f"a {type(value).__name__} value cannot be part of a "
                                            "complaint")

    try:
        return convert(data)
    except RecursionError:
        raise HTTPProblem("malformed-yaml", "the document is nested too deeply") from None
