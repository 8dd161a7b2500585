"""Below the app: what one connection may cost, and how the worker processes stop.

The service must hold up with no proxy in front of it. uvicorn's httptools protocol reads a
request's headers for as long as a client cares to send them, of any size and number (a 50 MB
header was read in full before the 401; 100,000 headers were accepted), and never times out a
request that is still arriving. h11 would bound the header block's size, but not its count or
the time it takes, and parses more slowly; so the httptools protocol is kept and given the
missing limits here, where the bytes arrive: a deadline from a request's first byte to its last
header and another from there to the body's end (408), and a cap on the header block's bytes and
on its count (431), refused before the request reaches the app.

Several workers are supervised by uvicorn's ``Multiprocess``, which on SIGTERM kept the shared
listening socket open (new connections queued and hung) and then returned normally (exit 0).
:class:`Supervisor` closes the socket the moment the signal arrives, so new connections are
refused at once, while the workers finish what they hold; ``serve`` then ends with the signal.
"""

from __future__ import annotations

import asyncio
import functools
import secrets
import signal
from collections.abc import Callable
from dataclasses import dataclass
from types import FrameType
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.supervisors.multiprocess import Multiprocess

from .gateway import EXCHANGE_KEY, Exchange
from .problems import KINDS, MEDIA_TYPE, render


@dataclass(frozen=True)
class ConnectionLimits:
    """What one request's head may cost before the app sees it."""

    header_timeout: float
    body_timeout: float
    max_header_bytes: int
    max_headers: int


class _Refused(Exception):
    """Raised from a parser callback: the head broke a limit (httptools then stops parsing)."""


class GuardedProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a deadline and size limits on each request's head."""

    def __init__(self, *args: Any, limits: ConnectionLimits, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._limits = limits
        self._head_timer: asyncio.TimerHandle | None = None
        self._body_timer: asyncio.TimerHandle | None = None
        self._head_bytes = 0  # of the request line and headers the parser has handed over
        self._head_count = 0
        self._in_head = False
        self._received = 0  # bytes received since the request began, while in its head
        self._refusal: tuple[str, str] | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()  # a connection that never sends a byte is cut off too

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        self._body_done()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        # httptools keeps a header it has not seen the end of to itself: what is still arriving
        # is counted here, as it arrives, so a header without end is never read in full.
        if self._in_head and not self.transport.is_closing():
            self._received += len(data)
            if self._received > self._limits.max_header_bytes:
                self._answer("headers-too-large", self._too_large())

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._head_bytes = self._head_count = self._received = 0
        self._in_head = True
        if self._head_timer is None:
            self._arm()

    def on_url(self, url: bytes) -> None:
        self._count(len(url), 0)
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        # httptools may hand one header over in pieces; only a name starts a new one.
        self._count(len(name) + len(value) + 4, 1 if name else 0)
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._in_head = False
        self._disarm()
        super().on_headers_complete()
        if self._has_body():
            # One timer per request with a body, here rather than around the app's reads (an
            # asyncio timeout there cost more than half as much again as reading the body).
            self._body_timer = self.loop.call_later(self._limits.body_timeout,
                                                    self._body_too_slow)

    def on_message_complete(self) -> None:
        self._body_done()
        super().on_message_complete()

    def send_400_response(self, msg: str) -> None:
        """uvicorn answers any parser failure with 400; a broken limit gets its own status."""
        if self._refusal is None:
            super().send_400_response(msg)
            return
        kind, detail = self._refusal
        self._answer(kind, detail)

    def _count(self, size: int, headers: int) -> None:
        self._head_bytes += size
        self._head_count += headers
        limits = self._limits
        if self._head_count > limits.max_headers:
            self._refusal = ("headers-too-large", f"more than {limits.max_headers} headers")
        elif self._head_bytes > limits.max_header_bytes:
            self._refusal = ("headers-too-large", self._too_large())
        if self._refusal is not None:
            raise _Refused

    def _has_body(self) -> bool:
        for name, value in self.headers:
            if name == b"transfer-encoding" or (name == b"content-length"
                                                and value.strip(b"0 ") != b""):
                return True
        return False

    def _body_done(self) -> None:
        self._body_timer = _cancelled(self._body_timer)

    def _body_too_slow(self) -> None:
        self._body_timer = None
        # Answered without reading the body, only the connection is left to close; otherwise the
        # app, waiting for the rest of the body, sees the client gone and stops there.
        # The request reached the app, which gave it its id (the caller's own, when usable):
        # the refusal quotes the same one, so the caller can find it in the access log.
        exchange = self.scope.get(EXCHANGE_KEY) if self.cycle is not None else None
        self._cut_off(self.cycle is None or not self.cycle.response_started,
                      f"the body did not arrive within {self._limits.body_timeout:g} seconds",
                      exchange.request_id if isinstance(exchange, Exchange) else None)

    def _too_large(self) -> str:
        return f"the request line and headers exceed {self._limits.max_header_bytes} bytes"

    def _arm(self) -> None:
        self._head_timer = self.loop.call_later(self._limits.header_timeout, self._too_slow)

    def _disarm(self) -> None:
        self._head_timer = _cancelled(self._head_timer)

    def _too_slow(self) -> None:
        self._head_timer = None
        # A connection that has asked nothing has nobody to answer.
        self._cut_off(self._in_head, "the request's headers did not arrive within "
                                     f"{self._limits.header_timeout:g} seconds")

    def _cut_off(self, answer: bool, detail: str, request_id: str | None = None) -> None:
        if self.transport.is_closing():
            return
        if answer:
            self._answer("request-timeout", detail, request_id)
        else:
            self.transport.close()

    def _answer(self, kind: str, detail: str, request_id: str | None = None) -> None:
        """A problem document, then the connection closes: the rest of the request is unread.

        Like every answer of the service it carries a request id: the one the app gave the
        request when it got that far, else a new one (the head, where a caller's X-Request-ID
        would be, was not read in full).
        """
        request_id = request_id or secrets.token_hex(16)
        body = render(kind, detail, request_id)
        status = KINDS[kind][0]
        head = (f"HTTP/1.1 {status} {KINDS[kind][1]}\r\ncontent-type: {MEDIA_TYPE}\r\n"
                f"content-length: {len(body)}\r\nx-request-id: {request_id}\r\n"
                "connection: close\r\n\r\n")
        self.transport.write(head.encode("latin-1") + body)
        self.transport.close()


def _cancelled(timer: asyncio.TimerHandle | None) -> asyncio.TimerHandle | None:
    """What a timer's slot holds once it is cancelled: nothing."""
    if timer is not None:
        timer.cancel()
    return None


def guarded_protocol(limits: ConnectionLimits) -> Callable[..., GuardedProtocol]:
    """The protocol factory uvicorn takes as ``http``; picklable, so workers receive it too."""
    return functools.partial(GuardedProtocol, limits=limits)


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Supervisor(Multiprocess):
    """uvicorn's worker supervisor, refusing new connections as soon as it is told to stop."""

    stopped_by: int | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for sig in STOP_SIGNALS:
            signal.signal(sig, self._stop)

    def _stop(self, sig: int, frame: FrameType | None) -> None:
        if self.stopped_by is None:
            self.stopped_by = sig
            for sock in self.sockets:  # the workers close their copies as they shut down
                sock.close()
        self.signal_queue.append(sig)
