"""API keys over real HTTP: every /v1/ request needs one when keys are configured."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

import eligibility
from eligibility.server import create_app

from .harness import JSON_HEADERS, as_json, raw_exchange, running, status_of

KEYS = ("k3y-one_AAAAAAAAAAAAAAAA", "second.key/with+chars==")


@pytest.fixture(scope="module")
def url(policy: eligibility.Policy) -> Iterator[str]:
    with running(create_app(policy, api_keys=KEYS)) as base:
        yield base


def _evaluate(client: httpx.Client, complaint: dict[str, Any],
              authorization: str | None) -> httpx.Response:
    headers = dict(JSON_HEADERS)
    if authorization is not None:
        headers["Authorization"] = authorization
    return client.post("/v1/evaluate", content=as_json(complaint), headers=headers)


@pytest.mark.parametrize("authorization", [
    None, "", "Bearer", "Bearer wrong-key", f"Basic {KEYS[0]}", KEYS[0],
    f"Bearer {KEYS[0]}x", f"Bearer {KEYS[0][:-1]}", f"Bearer {KEYS[0]} {KEYS[1]}",
])
def test_missing_or_wrong_key_is_401(client: httpx.Client, complaint: dict[str, Any],
                                     authorization: str | None) -> None:
    response = _evaluate(client, complaint, authorization)
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["type"] == "urn:eligibility:problem:unauthorized"
    assert "decision" not in response.text


@pytest.mark.parametrize("authorization", [f"Bearer {KEYS[0]}", f"bearer {KEYS[1]}",
                                           f"BEARER  {KEYS[1]}"])
def test_any_configured_key_is_accepted(client: httpx.Client, complaint: dict[str, Any],
                                        policy: eligibility.Policy, authorization: str) -> None:
    response = _evaluate(client, complaint, authorization)
    assert response.status_code == 200
    assert response.json()["decision"] == policy.evaluate(complaint).decision


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/v1/rules"), ("GET", "/v1/schema"), ("POST", "/v1/evaluate/batch"),
    ("GET", "/v1/unknown"), ("GET", "/elsewhere"),
])
def test_every_other_path_is_closed_without_a_key(client: httpx.Client, method: str,
                                                  path: str) -> None:
    response = client.request(method, path, content=b"[]", headers=JSON_HEADERS)
    assert response.status_code == 401
    keyed = client.request(method, path, content=b"[]",
                           headers={**JSON_HEADERS, "Authorization": f"Bearer {KEYS[0]}"})
    assert keyed.status_code != 401


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/openapi.json"])
def test_health_and_api_description_stay_open(client: httpx.Client, path: str) -> None:
    assert client.get(path).status_code == 200


def test_a_refused_request_is_refused_before_its_body_is_judged(
        client: httpx.Client, url: str) -> None:
    # Even an oversized or malformed body gets 401 first: strangers learn nothing else.
    response = client.post("/v1/evaluate", content=b"{", headers=JSON_HEADERS)
    assert response.status_code == 401
    assert response.headers["connection"] == "close"
    raw = raw_exchange(url, b"POST /v1/evaluate HTTP/1.1\r\nHost: t\r\nContent-Type: "
                            b"application/json\r\nContent-Length: 999999999\r\n\r\n")
    assert status_of(raw) == 401  # answered at once, and the connection closed


def test_keys_never_reach_the_logs(client: httpx.Client, complaint: dict[str, Any],
                                   caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    _evaluate(client, complaint, f"Bearer {KEYS[0]}")
    _evaluate(client, complaint, f"Bearer {KEYS[1]}-guess")
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "eligibility.access" in {r.name for r in caplog.records}
    assert KEYS[0] not in logged
    assert KEYS[1] not in logged


def test_without_keys_no_header_is_needed(policy: eligibility.Policy,
                                          complaint: dict[str, Any]) -> None:
    with running(create_app(policy)) as base, httpx.Client(base_url=base) as c:
        assert _evaluate(c, complaint, None).status_code == 200
        assert _evaluate(c, complaint, "Bearer anything").status_code == 200
