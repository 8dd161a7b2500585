"""The service defends itself with no proxy in front: slow, oversized and crowding clients are
cut off over real sockets, and the small refusals a hostile client found are in place."""

from __future__ import annotations

import json
import re
import socket
import time
from collections.abc import Iterator
from contextlib import ExitStack, suppress

import httpx
import pytest

import eligibility
from eligibility.server import ConfigError, create_app, serve
from eligibility.server.config import settings_from_environment
from eligibility.server.transport import ConnectionLimits, guarded_protocol

from .harness import (
    as_json,
    body_of,
    complaint_variant,
    headers_of,
    raw_exchange,
    running,
    status_of,
)

KEY = "defence-test-key-0123456789"
# Short limits so that a slow client is cut off quickly; the wait is bounded by the socket's own
# timeout, far longer, so the test fails (rather than hangs) when no limit holds.
HEAD_SECONDS = 0.5
BODY_SECONDS = 0.5
LIMITS = ConnectionLimits(header_timeout=HEAD_SECONDS, body_timeout=BODY_SECONDS,
                          max_header_bytes=4_096, max_headers=20)
CONNECTIONS = 4


@pytest.fixture(scope="module")
def url(policy: eligibility.Policy) -> Iterator[str]:
    app = create_app(policy, api_keys=[KEY], access_log=False)
    with running(app, http=guarded_protocol(LIMITS), limit_concurrency=CONNECTIONS) as base:
        yield base


def _connect(url: str) -> socket.socket:
    host, port = url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=20)


def _read_all(sock: socket.socket) -> bytes:
    chunks = []
    with suppress(ConnectionResetError):
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def _problem(raw: bytes, request_id: str | None = None) -> dict[str, object]:
    """The problem document of a refusal, which says like any answer which request it is: the
    id in the header is the one the document quotes (the caller's, when the app had it)."""
    headers = headers_of(raw)
    assert headers["content-type"] == "application/problem+json"
    doc = json.loads(body_of(raw))
    assert isinstance(doc, dict)
    if request_id is None:
        assert re.fullmatch(r"[0-9a-f]{32}", headers["x-request-id"])
    else:
        assert headers["x-request-id"] == request_id
    assert headers["x-request-id"] in json.dumps(doc)
    return doc


def test_headers_sent_too_slowly_are_cut_off_with_408(url: str) -> None:
    with _connect(url) as sock:
        sock.sendall(b"POST /v1/evaluate HTTP/1.1\r\nHost: test\r\n")  # and nothing more
        started = time.monotonic()
        raw = _read_all(sock)
    assert status_of(raw) == 408
    assert _problem(raw)["type"] == "urn:eligibility:problem:request-timeout"
    assert headers_of(raw)["connection"] == "close"
    assert time.monotonic() - started < 15  # cut off by the limit, not by the socket timeout


def test_a_connection_that_sends_nothing_is_closed(url: str) -> None:
    with _connect(url) as sock:
        assert _read_all(sock) == b""  # closed by the server, before the socket's timeout


def test_a_body_sent_too_slowly_is_cut_off_with_408(url: str) -> None:
    with _connect(url) as sock:
        sock.sendall(b"POST /v1/evaluate HTTP/1.1\r\nHost: test\r\nContent-Type: "
                     b"application/json\r\nAuthorization: Bearer " + KEY.encode() +
                     b"\r\nX-Request-ID: slow-body-1\r\n"
                     b"Content-Length: 100\r\n\r\n{}")  # 2 of the 100 bytes declared
        raw = _read_all(sock)
    assert status_of(raw) == 408
    assert "did not arrive" in str(_problem(raw, "slow-body-1")["detail"])


def test_an_oversized_header_is_refused_before_it_is_read(url: str) -> None:
    with _connect(url) as sock:
        sock.sendall(b"GET /v1/rules HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer ")
        with suppress(ConnectionResetError, BrokenPipeError):
            for _ in range(64):  # 1 MiB offered; the server stops reading after 4 KiB
                sock.sendall(b"a" * 16_384)
        raw = _read_all(sock)
    assert status_of(raw) == 431
    assert "4096 bytes" in str(_problem(raw)["detail"])


def test_too_many_headers_are_refused(url: str) -> None:
    many = b"".join(b"X-Filler-%d: 1\r\n" % i for i in range(25))
    raw = raw_exchange(url, b"GET /healthz HTTP/1.1\r\nHost: test\r\n" + many + b"\r\n")
    assert status_of(raw) == 431
    assert "more than 20 headers" in str(_problem(raw)["detail"])
    fine = b"".join(b"X-Filler-%d: 1\r\n" % i for i in range(15))
    raw = raw_exchange(url, b"GET /healthz HTTP/1.1\r\nHost: test\r\nConnection: close\r\n"
                       + fine + b"\r\n")
    assert status_of(raw) == 200


def test_connections_beyond_the_bound_get_503(url: str) -> None:
    with ExitStack() as stack:
        for _ in range(CONNECTIONS):  # held open without a request
            stack.enter_context(_connect(url))
        time.sleep(0.1)
        raw = raw_exchange(url, b"GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n")
    assert status_of(raw) == 503
    # Once they close (or are cut off), the service answers again.
    deadline = time.monotonic() + 10
    while status_of(raw_exchange(url, b"GET /healthz HTTP/1.1\r\nHost: test\r\n"
                                      b"Connection: close\r\n\r\n")) != 200:
        assert time.monotonic() < deadline
        time.sleep(0.05)


def test_two_authorization_headers_are_400(url: str) -> None:
    with httpx.Client(base_url=url, timeout=10) as client:
        headers = [("Authorization", "Bearer wrong"), ("Authorization", f"Bearer {KEY}")]
        response = client.get("/v1/rules", headers=headers)
        assert response.status_code == 400
        assert "one Authorization header" in response.json()["detail"]
        assert client.get("/v1/rules", headers={"Authorization": f"Bearer {KEY}"}
                          ).status_code == 200


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_head_on_the_health_endpoints(url: str, path: str) -> None:
    with httpx.Client(base_url=url, timeout=10) as client:
        response = client.head(path)
        assert response.status_code == 200
        assert response.content == b""
        assert response.headers["content-length"] == str(len(client.get(path).content))


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_not_json(url: str, constant: str) -> None:
    body = as_json(complaint_variant(0)).replace(b'"signed": true', b'"signed": ' +
                                                 constant.encode())
    assert constant.encode() in body
    with httpx.Client(base_url=url, timeout=10) as client:
        response = client.post("/v1/evaluate", content=body, headers={
            "Content-Type": "application/json", "Authorization": f"Bearer {KEY}"})
    assert response.status_code == 400
    assert response.json()["type"] == "urn:eligibility:problem:malformed-json"
    assert constant.lstrip("-") in response.json()["detail"]


def test_echoed_paths_are_cut(url: str) -> None:
    with httpx.Client(base_url=url, timeout=10) as client:
        response = client.get("/" + "x" * 2_000, headers={"Authorization": f"Bearer {KEY}"})
    assert response.status_code == 404
    assert len(response.json()["detail"]) < 120
    assert response.json()["detail"].endswith("…")


# --- the OpenAPI document tells clients about keys ------------------------------------------


@pytest.mark.parametrize("keys", [[KEY], None], ids=["keys-on", "keys-off"])
def test_openapi_states_the_bearer_scheme_and_where_it_is_needed(
        policy: eligibility.Policy, keys: list[str] | None) -> None:
    app = create_app(policy, api_keys=keys, access_log=False)
    doc = app.openapi()
    scheme = doc["components"]["securitySchemes"]["bearer"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            open_path = path in {"/healthz", "/readyz"}
            needed = keys is not None and not open_path
            assert operation["security"] == ([{"bearer": []}] if needed else []), (path, method)
            assert ("401" in operation["responses"]) == needed, (path, method)
            assert "400" in operation["responses"]
    for path in ("/v1/evaluate", "/v1/evaluate/batch", "/v1/evaluate/everywhere"):
        statuses = set(doc["paths"][path]["post"]["responses"])
        assert {"400", "408", "413", "415", "422"} <= statuses
        assert ("401" in statuses) == (keys is not None)
    assert set(doc["paths"]["/healthz"]) == {"get", "head"}
    # Judged everywhere, a complaint may leave its platform out, and the document says so.
    body = doc["paths"]["/v1/evaluate/everywhere"]["post"]["requestBody"]["content"]
    anywhere = body["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert "platform" not in doc["components"]["schemas"][anywhere]["required"]
    assert {"type": "null"} in doc["components"]["schemas"][anywhere]["properties"]["platform"][
        "anyOf"]
    assert "platform" in doc["components"]["schemas"]["Complaint"]["required"]


# --- settings ------------------------------------------------------------------------------


def test_the_limits_are_read_from_the_environment_with_defaults() -> None:
    defaults = settings_from_environment({})
    assert (defaults.header_timeout, defaults.body_timeout, defaults.keep_alive_timeout,
            defaults.max_header_bytes, defaults.max_headers, defaults.max_connections) == (
        10.0, 30.0, 5.0, 16_384, 100, 1_000)
    env = {"ELIGIBILITY_HEADER_TIMEOUT": "2.5", "ELIGIBILITY_BODY_TIMEOUT": "7",
           "ELIGIBILITY_KEEP_ALIVE_TIMEOUT": "1", "ELIGIBILITY_MAX_HEADER_BYTES": "8192",
           "ELIGIBILITY_MAX_HEADERS": "50", "ELIGIBILITY_MAX_CONNECTIONS": "64"}
    read = settings_from_environment(env)
    assert (read.header_timeout, read.body_timeout, read.keep_alive_timeout,
            read.max_header_bytes, read.max_headers, read.max_connections) == (
        2.5, 7.0, 1.0, 8192, 50, 64)
    written: dict[str, str] = {}
    read.to_environment(written)
    assert settings_from_environment(written) == read


@pytest.mark.parametrize(("name", "value"), [
    ("ELIGIBILITY_HEADER_TIMEOUT", "0"), ("ELIGIBILITY_BODY_TIMEOUT", "soon"),
    ("ELIGIBILITY_KEEP_ALIVE_TIMEOUT", "inf"), ("ELIGIBILITY_MAX_HEADER_BYTES", "-1"),
    ("ELIGIBILITY_MAX_HEADERS", "1.5"), ("ELIGIBILITY_MAX_CONNECTIONS", "many")])
def test_a_bad_limit_is_refused_naming_it(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        settings_from_environment({name: value})


def test_serve_checks_its_limit_options_before_starting() -> None:
    with pytest.raises(ConfigError, match="header_timeout"):
        serve(header_timeout=0)
    with pytest.raises(ConfigError, match="max_connections"):
        serve(max_connections=0)
