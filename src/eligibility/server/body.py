"""Reading a request body as JSON without ever holding more of it than the limit allows.

A declared Content-Length over the limit is refused at the door before any of the body is read;
this reader catches the rest: a chunked body (no length given) or one that runs past the length it
claimed. It reads straight from the ASGI ``receive`` channel so that the evaluation routes can be
served without the framework's request objects, and it tells the three ways a body can be wrong
apart: not declared as JSON (415), too long (413), not parseable (400). An object with the same
key twice is refused too, as the command line refuses it: keeping one of the two values silently
could judge a complaint other than the one its author meant.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import ClientDisconnect
from starlette.types import Receive, Scope

from ..load.yaml import unique_keys
from .problems import HTTPProblem

JSON = "application/json"


def header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            text: str = value.decode("latin-1")
            return text
    return None


def is_json_media(content_type: str | None) -> bool:
    """``application/json`` or any ``application/*+json``, in UTF-8 (RFC 8259 allows no other).

    A body sent with no Content-Type at all (a bare ``curl --data``, ``requests.post(data=…)``) is
    read as JSON: only a body declared as something else is refused.
    """
    if content_type is None:
        return True
    media, _, params = content_type.partition(";")
    media = media.strip().lower()
    if media != JSON and not (media.startswith("application/") and media.endswith("+json")):
        return False
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() not in (
                "utf-8", "utf8"):
            return False
    return True


async def read_json(scope: Scope, receive: Receive, limit: int) -> Any:
    """The body, parsed; HTTPProblem when it is not JSON, too long, or not declared as JSON."""
    if not is_json_media(header(scope, b"content-type")):
        raise HTTPProblem("unsupported-media-type", "send the body as 'Content-Type: "
                                                    "application/json' (UTF-8)",
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
        raise HTTPProblem("malformed-json", "the body is empty")
    try:
        # Decoded first: json.loads would also guess UTF-16 or UTF-32 from bytes, and the
        # service speaks UTF-8 only.
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise HTTPProblem("malformed-json", f"the body is not UTF-8: {exc}") from None
    try:
        return json.loads(text, object_pairs_hook=unique_keys)
    except RecursionError:
        raise HTTPProblem("malformed-json", "the JSON is nested too deeply") from None
    except ValueError as exc:  # JSONDecodeError, bad UTF-8, an integer too long to convert
        raise HTTPProblem("malformed-json", f"not valid JSON: {exc}") from None
