"""The door every request passes: request id, policy headers, API keys, size limit, access log.

It is one plain ASGI middleware, wrapped around the whole framework stack, because it sits on the
path of every request and the evaluation it guards takes only a few hundred microseconds: each
framework layer costs a measurable share of that. Doing these jobs at the door also means they
hold for every route, including ones that do not exist: an unknown path still needs a key, and an
oversized body is refused from its Content-Length before a byte of it is read. An exception that
escapes a handler becomes a 500 problem document carrying the request id, never a bare traceback.

The evaluation routes are also *served* here ("direct" routes): the framework's routing,
dependency solving and request objects cost about as much as a small evaluation, and these routes
need none of it. The framework still declares the same routes, for the OpenAPI document and for
any request the door does not recognise (a mounted sub-path, a wrong method).
"""

from __future__ import annotations

import hmac
import json
import logging
import re
import secrets
import time
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TextIO

from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .checker import PAGE_PATHS
from .problems import MEDIA_TYPE, HTTPProblem

EXCHANGE_KEY = "eligibility.exchange"
OPEN_PATHS = frozenset({"/healthz", "/readyz", "/openapi.json"})
# The checker page's static files: readable without a key, so that a person can load the form
# and type the key into it. Only reading them is open; nothing else on those paths is.
OPEN_READS = PAGE_PATHS

# A caller's request id is echoed only when it is short and plain: it lands in logs and headers.
_REQUEST_ID = re.compile(rb"[A-Za-z0-9._:@/+=-]{1,128}")
_BEARER = re.compile(rb"[Bb][Ee][Aa][Rr][Ee][Rr] +(\S+) *")
# Status logged when the client went away before an answer could be sent (nginx's convention).
CLIENT_CLOSED = 499

DirectRoute = Callable[[Scope, Receive], Awaitable[bytes]]
"""Reads the request from ``receive`` and returns a 200 JSON body, or raises HTTPProblem."""

access_logger = logging.getLogger("eligibility.access")
error_logger = logging.getLogger("eligibility.server")


@dataclass
class Exchange:
    """What a handler tells the access log about the request it answered."""

    request_id: str
    decision: str | None = None
    language: str | None = None  # sent as Content-Language when set
    decisions: dict[str, int] = field(default_factory=dict)
    invalid: int | None = None


def exchange_of(scope: Scope) -> Exchange:
    exchange = scope.get(EXCHANGE_KEY)
    if not isinstance(exchange, Exchange):  # only when a handler runs outside the gateway
        exchange = Exchange(secrets.token_hex(16))
        scope[EXCHANGE_KEY] = exchange
    return exchange


class Gateway:
    """ASGI middleware; see the module docstring for what it enforces."""

    def __init__(self, app: ASGIApp, *, digest: str, version: str,
                 api_keys: Sequence[str] | None, max_body_bytes: int,
                 access_log: bool | TextIO = True,
                 direct: Mapping[tuple[str, str], DirectRoute] | None = None,
                 open_paths: Collection[str] = OPEN_PATHS,
                 on_answer: Callable[[str, int, float], None] | None = None) -> None:
        self.app = app
        self._open_paths = frozenset(open_paths)
        self._on_answer = on_answer
        self._direct = dict(direct or {})
        self._keys = tuple(k.encode("ascii") for k in api_keys) if api_keys else None
        self._max_body = max_body_bytes
        self._emit: Callable[[str], None] | None
        if access_log is True:
            self._emit = log_access
        elif access_log is False:
            self._emit = None
        else:
            self._emit = StreamAccessLog(access_log)
        self._fixed = [(b"x-policy-digest", digest.encode("latin-1")),
                       (b"x-policy-version", version.encode("latin-1"))]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        given_id = authorization = length = None
        chunked = twice = False
        for name, value in scope["headers"]:
            if name == b"x-request-id":
                given_id = value
            elif name == b"authorization":
                twice = authorization is not None
                authorization = value
            elif name == b"content-length":
                length = value
            elif name == b"transfer-encoding":
                chunked = True
        if given_id is not None and _REQUEST_ID.fullmatch(given_id):
            request_id = given_id.decode("ascii")
        else:
            request_id = secrets.token_hex(16)
        exchange = Exchange(request_id)
        scope[EXCHANGE_KEY] = exchange
        extra = [(b"x-request-id", request_id.encode("ascii")), *self._fixed]
        status = CLIENT_CLOSED
        response_started = response_complete = False

        async def send_with_headers(message: Message) -> None:
            nonlocal status, response_started, response_complete
            if message["type"] == "http.response.start":
                status = message["status"]
                response_started = True
                headers = [*message.get("headers", ()), *extra]
                if exchange.language is not None:
                    # The route chose its words by Accept-Language: a shared cache must too.
                    headers.append((b"vary", b"Accept-Language"))
                    if status < 400 or status == 422:
                        headers.append((b"content-language",
                                        exchange.language.encode("ascii")))
                message = {**message, "headers": headers}
            elif message["type"] == "http.response.body" and not message.get("more_body"):
                response_complete = True
            await send(message)

        try:
            refusal = self._refusal(scope["method"], scope["path"], authorization, length,
                                    chunked, twice)
            direct = self._direct.get((scope["method"], scope["path"]))
            if refusal is not None:
                await send_problem(send_with_headers, refusal, request_id)
            elif direct is not None:
                await send_json(send_with_headers, await direct(scope, receive))
            else:
                await self.app(scope, receive, send_with_headers)
        except HTTPProblem as problem:
            if not response_started:
                await send_problem(send_with_headers, problem, request_id)
        except ClientDisconnect:
            pass
        except Exception:
            error_logger.exception("unhandled error answering request %s", request_id)
            if not response_started:
                await send_problem(send_with_headers, HTTPProblem(
                    "internal-error", "the service failed while answering; quote the request id "
                    "when reporting it"), request_id)
            elif not response_complete:
                raise  # half an answer was sent: let the server drop the connection
        finally:
            if self._on_answer is not None:
                self._on_answer(scope["path"], status, time.perf_counter() - started)
            if self._emit is not None:
                self._emit(access_line(scope, status, started, exchange))

    def _refusal(self, method: str, path: str, authorization: bytes | None,
                 length: bytes | None, chunked: bool, twice: bool) -> HTTPProblem | None:
        if twice:
            # Which of two keys counts would be a guess, and proxies differ in which they keep.
            return HTTPProblem("bad-request", "send one Authorization header, not several",
                               close=True)
        open_path = path in self._open_paths or (path in OPEN_READS
                                                  and method in ("GET", "HEAD"))
        if self._keys is not None and not open_path and not self._authorized(authorization):
            # A stranger's body is not read, not even to discard it: the connection closes.
            has_body = chunked or (length is not None and length.strip(b"0") != b"")
            return HTTPProblem("unauthorized", "send 'Authorization: Bearer <key>' with a key "
                               "this service accepts", headers={"WWW-Authenticate": "Bearer"},
                               close=has_body)
        if length is not None:
            if not length.isdigit():
                return HTTPProblem("bad-request", "Content-Length is not a number", close=True)
            if int(length) > self._max_body:
                return HTTPProblem("body-too-large", f"the body is {int(length)} bytes; the limit "
                                   f"is {self._max_body} bytes", close=True)
        return None

    def _authorized(self, header: bytes | None) -> bool:
        assert self._keys is not None
        match = _BEARER.fullmatch(header) if header is not None else None
        token = match.group(1) if match else b""
        # Compare against every key, whatever matches, so timing says nothing about which did.
        granted = False
        for key in self._keys:
            granted |= hmac.compare_digest(token, key)
        return granted


async def send_json(send: Send, body: bytes) -> None:
    await send({
        "type": "http.response.start",
        "status": 200,
        "headers": [(b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode())],
    })
    await send({"type": "http.response.body", "body": body})


async def send_problem(send: Send, problem: HTTPProblem, request_id: str) -> None:
    body = problem.render(request_id)
    await send({
        "type": "http.response.start",
        "status": problem.status,
        "headers": [(b"content-type", MEDIA_TYPE.encode()),
                    (b"content-length", str(len(body)).encode()), *problem.header_list()],
    })
    await send({"type": "http.response.body", "body": body})


def access_line(scope: Scope, status: int, started: float, exchange: Exchange) -> str:
    """One JSON object per request. Headers are never logged: they may carry an API key.

    Written by hand rather than with ``json.dumps`` of a dict, which cost as much again on the
    path of every request; only the path is free text and needs escaping (the request id was
    checked at the door, the method and the decision are plain words).
    """
    now = datetime.now(timezone.utc).isoformat(timespec="milliseconds")
    duration = (time.perf_counter() - started) * 1000
    decision = "null" if exchange.decision is None else f'"{exchange.decision}"'
    line = (f'{{"time":"{now}","method":{json.dumps(scope["method"])},'
            f'"path":{json.dumps(scope["path"], ensure_ascii=False)},"status":{status},'
            f'"duration_ms":{duration:.3f},"request_id":"{exchange.request_id}",'
            f'"decision":{decision}')
    if exchange.invalid is not None:
        counts = ",".join(f'"{k}":{v}' for k, v in sorted(exchange.decisions.items()))
        line += f',"decisions":{{{counts}}},"invalid":{exchange.invalid}'
    return line + "}"


def log_access(line: str) -> None:
    """Hand the line to the ``eligibility.access`` logger, skipping the caller lookup that
    ``Logger.info`` makes on every call (the caller is always this function)."""
    if access_logger.isEnabledFor(logging.INFO):
        access_logger.handle(access_logger.makeRecord(access_logger.name, logging.INFO, __file__,
                                                      0, line, (), None))


class StreamAccessLog:
    """Access lines written straight to a stream, one write and flush per line.

    The logging module spends about as long building a record as the rest of the HTTP layer
    spends on a request; a server process that owns its standard output does not need it. Each
    line is flushed at once so that a quiet service still logs promptly, and lines from several
    workers sharing a pipe do not interleave (a write this short is atomic). A failing stream
    (a closed pipe) loses log lines, never requests.
    """

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def __call__(self, line: str) -> None:
        try:
            self._stream.write(line + "\n")
            self._stream.flush()
        except (OSError, ValueError):
            pass
