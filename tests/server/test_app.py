"""The HTTP service over real HTTP: every endpoint, every refusal, headers and the access log."""

from __future__ import annotations

import io
import json
import logging
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

import eligibility
from eligibility.load.yaml import load_yaml
from eligibility.server import create_app
from eligibility.server.body import json_ready

from ..conftest import EXAMPLES
from .harness import (
    JSON_HEADERS,
    PROBLEM,
    as_json,
    assert_problem,
    body_of,
    complaint_variant,
    headers_of,
    post,
    raw_exchange,
    running,
    status_of,
)


@pytest.fixture(scope="module", params=[True, False], ids=["direct", "framework"])
def direct(request: pytest.FixtureRequest) -> bool:
    """Both ways to reach the evaluation routes: served at the door, or through FastAPI."""
    value: bool = request.param
    return value


@pytest.fixture(scope="module")
def url(policy: eligibility.Policy, direct: bool) -> Iterator[str]:
    with running(create_app(policy, direct_routes=direct)) as base:
        yield base


# --- evaluation --------------------------------------------------------------------------------


@pytest.mark.parametrize("i", [0, 1, 2, 3, 10])
def test_evaluate_answers_the_librarys_verdict_byte_for_byte(
        client: httpx.Client, policy: eligibility.Policy, i: int) -> None:
    complaint = complaint_variant(i)
    response = post(client, "/v1/evaluate", complaint)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.content == policy.evaluate(complaint).model_dump_json().encode()


def test_the_variants_cover_every_decision(policy: eligibility.Policy) -> None:
    decisions = {policy.evaluate(complaint_variant(i)).decision for i in range(12)}
    assert decisions == set(eligibility.Decision)


def test_every_response_names_the_policy(client: httpx.Client, policy: eligibility.Policy,
                                         complaint: dict[str, Any]) -> None:
    for response in (post(client, "/v1/evaluate", complaint), client.get("/healthz"),
                     client.get("/nowhere"), post(client, "/v1/evaluate", {})):
        assert response.headers["x-policy-digest"] == policy.digest
        assert response.headers["x-policy-version"] == policy.version


def test_request_id_is_echoed_or_generated(client: httpx.Client) -> None:
    given = client.get("/healthz", headers={"X-Request-ID": "caller-42.a:b"})
    assert given.headers["x-request-id"] == "caller-42.a:b"
    made = [client.get("/healthz").headers["x-request-id"] for _ in range(2)]
    assert all(re.fullmatch(r"[0-9a-f]{32}", r) for r in made)
    assert made[0] != made[1]
    unsafe = client.get("/healthz", headers={"X-Request-ID": "a b\tc" + "x" * 200})
    assert re.fullmatch(r"[0-9a-f]{32}", unsafe.headers["x-request-id"])


def test_invalid_complaint_lists_every_problem_with_its_path(
        client: httpx.Client, policy: eligibility.Policy, complaint: dict[str, Any]) -> None:
    complaint["ip_right"]["office"] = "NOPE"
    complaint["complainant"]["colour"] = "blue"
    complaint["submitted_at"] = "2026-03-02T10:00:00"
    response = post(client, "/v1/evaluate", complaint)
    doc = assert_problem(response, 422, "invalid-complaint")
    with pytest.raises(eligibility.InvalidComplaint) as expected:
        policy.evaluate(complaint)
    assert doc["errors"] == expected.value.errors()
    paths = {e["path"] for e in doc["errors"]}
    assert {"ip_right.office", "complainant.colour", "submitted_at"} <= paths


@pytest.mark.parametrize("body", [b"[]", b"42", b'"taobao"', b"null"])
def test_a_body_that_is_not_an_object_is_an_invalid_complaint(client: httpx.Client,
                                                              body: bytes) -> None:
    response = client.post("/v1/evaluate", content=body, headers=JSON_HEADERS)
    doc = assert_problem(response, 422, "invalid-complaint")
    assert doc["errors"][0]["path"] == ""


@pytest.mark.parametrize("body", [
    b"{", b"", b"   ", b'{"platform": taobao}', b"\xff\xfe{}", b"[" * 100_000 + b"]" * 100_000,
    b"1" * 5000, b'{"a": 1} trailing', b'{"platform": "taobao", "platform": "tmall"}',
])
def test_malformed_json_is_400(client: httpx.Client, body: bytes) -> None:
    assert_problem(client.post("/v1/evaluate", content=body, headers=JSON_HEADERS),
                   400, "malformed-json")


def test_a_body_without_content_type_is_read_as_json(client: httpx.Client,
                                                     policy: eligibility.Policy,
                                                     complaint: dict[str, Any]) -> None:
    request = client.build_request("POST", "/v1/evaluate", content=as_json(complaint))
    assert "content-type" not in request.headers
    response = client.send(request)
    assert response.status_code == 200
    assert response.content == policy.evaluate(complaint).model_dump_json().encode()


def test_a_duplicate_key_is_named(client: httpx.Client, complaint: dict[str, Any]) -> None:
    body = as_json(complaint).replace(b'"owner":', b'"owner": "Someone Else", "owner":', 1)
    doc = assert_problem(client.post("/v1/evaluate", content=body, headers=JSON_HEADERS),
                         400, "malformed-json")
    assert "'owner'" in doc["detail"]


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded",
                                          "application/json; charset=latin-1", "application/xml"])
def test_a_body_that_is_not_declared_json_is_415(client: httpx.Client, content_type: str | None,
                                                 complaint: dict[str, Any]) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    response = client.post("/v1/evaluate", content=as_json(complaint), headers=headers)
    assert_problem(response, 415, "unsupported-media-type")
    assert response.headers["connection"] == "close"  # the body was never read


@pytest.mark.parametrize("content_type", ["application/json; charset=utf-8",
                                          "Application/JSON", "application/problem+json"])
def test_json_media_type_variants_are_accepted(client: httpx.Client, content_type: str,
                                               complaint: dict[str, Any]) -> None:
    response = client.post("/v1/evaluate", content=as_json(complaint),
                           headers={"Content-Type": content_type})
    assert response.status_code == 200


# --- YAML bodies (what the checker page sends when a person pastes YAML) -------------------------


YAML_EXAMPLES = sorted((EXAMPLES).glob("*.yaml"))


@pytest.mark.parametrize("path", YAML_EXAMPLES[:4], ids=lambda p: p.stem)
@pytest.mark.parametrize("content_type", ["application/yaml", "application/x-yaml",
                                          "text/yaml; charset=utf-8"])
def test_a_yaml_body_is_judged_as_the_command_line_reads_it(
        client: httpx.Client, policy: eligibility.Policy, path: Path, content_type: str) -> None:
    text = path.read_text("utf-8")
    response = client.post("/v1/evaluate", content=text.encode("utf-8"),
                           headers={"Content-Type": content_type})
    assert response.status_code == 200, response.text
    assert response.content == policy.evaluate(load_yaml(text)).model_dump_json().encode()


def test_yaml_bodies_on_the_batch_and_everywhere_routes(client: httpx.Client,
                                                       policy: eligibility.Policy) -> None:
    text = YAML_EXAMPLES[0].read_text("utf-8")
    batch = "- " + text.replace("\n", "\n  ").rstrip() + "\n- {platform: taobao}\n"
    response = client.post("/v1/evaluate/batch", content=batch.encode("utf-8"),
                           headers={"Content-Type": "application/yaml"})
    assert response.status_code == 200, response.text
    first, second = response.json()
    assert first == json.loads(policy.evaluate(load_yaml(text)).model_dump_json())
    assert second["status"] == 422
    response = client.post("/v1/evaluate/everywhere", content=text.encode("utf-8"),
                           headers={"Content-Type": "application/yaml"})
    assert response.status_code == 200, response.text
    assert set(response.json()) == set(policy.platforms)


@pytest.mark.parametrize(("body", "said"), [
    (b"platform: [taobao", "line"),
    (b"platform: taobao\nplatform: tmall\n", "duplicate key 'platform'"),
    (b"   ", "empty"),
    (b"platform: \xff\n", "UTF-8"),
])
def test_malformed_yaml_is_400_saying_where(client: httpx.Client, body: bytes, said: str) -> None:
    doc = assert_problem(client.post("/v1/evaluate", content=body,
                                     headers={"Content-Type": "application/yaml"}),
                         400, "malformed-yaml")
    assert said in doc["detail"]


@pytest.mark.parametrize(("body", "said"), [
    (b"a: &a [x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\n"
     b"c: &c [*b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c]\n",
     "aliases"),
    (b"platform: taobao\n1688: x\n", "key must be text"),
    (b"platform: !!binary dGFvYmFv\n", "bytes value"),
])
def test_yaml_that_json_could_not_say_is_refused(client: httpx.Client, body: bytes,
                                                 said: str) -> None:
    doc = assert_problem(client.post("/v1/evaluate", content=body,
                                     headers={"Content-Type": "application/yaml"}),
                         400, "malformed-yaml")
    assert said in doc["detail"]


def test_yaml_dates_become_the_text_a_json_caller_sends() -> None:
    text = "platform: taobao\nsubmitted_at: 2026-03-02T10:00:00+08:00\nday: 2026-01-10\n" \
           "list: [a, 1, true, null]\n"
    assert json_ready(load_yaml(text), budget=len(text)) == {
        "platform": "taobao", "submitted_at": "2026-03-02T10:00:00+08:00", "day": "2026-01-10",
        "list": ["a", 1, True, None]}


def test_a_yaml_body_with_field_problems_is_422_like_json(client: httpx.Client) -> None:
    doc = assert_problem(client.post("/v1/evaluate", content=b"platform: taobao\n",
                                     headers={"Content-Type": "application/yaml"}),
                         422, "invalid-complaint")
    assert {e["path"] for e in doc["errors"]} >= {"complainant", "ip_right", "infringement"}


# --- batches -----------------------------------------------------------------------------------


def test_batch_keeps_order_and_answers_each_item(client: httpx.Client,
                                                 policy: eligibility.Policy) -> None:
    items: list[Any] = [complaint_variant(i) for i in range(6)]
    items.insert(2, {"platform": "taobao"})
    items.insert(5, "not a complaint")
    response = post(client, "/v1/evaluate/batch", items)
    assert response.status_code == 200
    answers = response.json()
    assert len(answers) == len(items)
    assert answers[0]["decision"] == policy.evaluate(items[0]).decision
    expected = [_batch_entry(policy, index, item) for index, item in enumerate(items)]
    assert answers == expected
    assert "errors" in answers[2]
    assert "errors" in answers[5]


def _batch_entry(policy: eligibility.Policy, index: int, item: Any) -> dict[str, Any]:
    try:
        verdict = policy.evaluate(item)
    except eligibility.InvalidComplaint as exc:
        return {"index": index, "status": 422, "errors": exc.errors()}
    result: dict[str, Any] = json.loads(verdict.model_dump_json())
    return result


def test_empty_batch_is_an_empty_list(client: httpx.Client) -> None:
    response = post(client, "/v1/evaluate/batch", [])
    assert response.status_code == 200
    assert response.json() == []


def test_batch_body_must_be_an_array(client: httpx.Client, complaint: dict[str, Any]) -> None:
    doc = assert_problem(post(client, "/v1/evaluate/batch", complaint), 422, "invalid-complaint")
    assert doc["errors"] == [{"path": "", "message": "expected a JSON array, got an object"}]


def test_batch_over_the_count_is_413(policy: eligibility.Policy, direct: bool) -> None:
    app = create_app(policy, max_batch=3, direct_routes=direct)
    with running(app) as base, httpx.Client(base_url=base) as c:
        assert post(c, "/v1/evaluate/batch", [{}] * 3).status_code == 200
        doc = assert_problem(post(c, "/v1/evaluate/batch", [{}] * 4), 413, "batch-too-large")
        assert "3" in doc["detail"]


# --- body size ---------------------------------------------------------------------------------


def _headers_only(length: int, path: str = "/v1/evaluate") -> bytes:
    return (f"POST {path} HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
            f"Content-Length: {length}\r\n\r\n").encode()


def test_declared_length_over_the_default_limit_is_refused_before_the_body(url: str) -> None:
    raw = raw_exchange(url, _headers_only(1_048_577))  # no body is ever sent
    assert status_of(raw) == 413
    headers = headers_of(raw)
    assert headers["content-type"] == PROBLEM
    assert headers["connection"] == "close"
    assert json.loads(body_of(raw))["type"] == "urn:eligibility:problem:body-too-large"


def test_a_body_at_the_limit_is_read(client: httpx.Client, complaint: dict[str, Any],
                                     policy: eligibility.Policy) -> None:
    body = as_json(complaint)
    body += b" " * (1_048_576 - len(body))
    response = client.post("/v1/evaluate", content=body, headers=JSON_HEADERS)
    assert response.status_code == 200
    assert response.json()["decision"] == policy.evaluate(complaint).decision


def test_chunked_body_is_counted_while_it_streams(policy: eligibility.Policy,
                                                  direct: bool) -> None:
    limit = 64 * 1024
    chunk = b" " * 16 * 1024
    framed = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
    head = (b"POST /v1/evaluate HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n")
    with running(create_app(policy, max_body_bytes=limit, direct_routes=direct)) as base:
        # Five chunks pass the limit; the final zero-length chunk is never sent, so only a
        # server that counts as it reads can answer.
        raw = raw_exchange(base, head, then=[framed] * 5)
        assert status_of(raw) == 413
        assert headers_of(raw)["connection"] == "close"
        closing = head.replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n")
        under = raw_exchange(base, closing, then=[framed, b"0\r\n\r\n"])
        assert status_of(under) == 400  # whitespace only: read whole, then found empty


def test_batch_body_limit_applies_too(policy: eligibility.Policy) -> None:
    with running(create_app(policy, max_body_bytes=1000)) as base:
        raw = raw_exchange(base, _headers_only(1001, "/v1/evaluate/batch"))
        assert status_of(raw) == 413


# --- the other endpoints -----------------------------------------------------------------------


def test_rules_lists_the_catalog(client: httpx.Client, policy: eligibility.Policy) -> None:
    response = client.get("/v1/rules")
    assert response.status_code == 200
    doc = response.json()
    assert doc["digest"] == policy.digest
    assert doc["version"] == policy.version
    assert [r["id"] for r in doc["rules"]] == [r.id for r in policy.catalog]
    first = policy.catalog[0]
    assert doc["rules"][0] == {"id": first.id, "title": first.title, "severity": first.severity,
                               "platforms": list(first.platforms),
                               "applies_to": list(first.applies_to), "source": first.source,
                               "file": first.file}


def test_schema_is_the_policys_complaint_schema(client: httpx.Client,
                                                policy: eligibility.Policy) -> None:
    response = client.get("/v1/schema")
    assert response.status_code == 200
    assert response.json() == policy.complaint_schema()


def test_health_and_readiness(client: httpx.Client, policy: eligibility.Policy) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "policy": {
        "version": policy.version, "digest": policy.digest, "rules": len(policy.catalog),
        "platforms": sorted(policy.platforms)}}


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def test_openapi_describes_every_route_and_resolves(client: httpx.Client,
                                                    policy: eligibility.Policy) -> None:
    doc = client.get("/openapi.json").json()
    assert set(doc["paths"]) == {"/v1/evaluate", "/v1/evaluate/batch",
                                 "/v1/evaluate/everywhere", "/v1/rules", "/v1/schema",
                                 "/healthz", "/readyz", "/v1/appeal-deadline", "/metrics"}
    schemas = doc["components"]["schemas"]
    refs = set(_refs(doc))
    assert refs
    assert all(r.startswith("#/components/schemas/") and r.rsplit("/", 1)[1] in schemas
               for r in refs), refs
    body = doc["paths"]["/v1/evaluate"]["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"] == {"$ref": "#/components/schemas/Complaint"}
    # Every platform id, and the all-digit one also as a number (YAML's unquoted 1688).
    assert schemas["Complaint"]["properties"]["platform"]["enum"] == [
        *sorted(policy.platforms), 1688]
    errors = doc["paths"]["/v1/evaluate"]["post"]["responses"]["422"]["content"]
    assert list(errors) == [PROBLEM]


def test_unknown_path_and_wrong_method_are_problems(client: httpx.Client) -> None:
    assert_problem(client.get("/v1/nothing"), 404, "not-found")
    response = client.get("/v1/evaluate")
    assert_problem(response, 405, "method-not-allowed")
    assert response.headers["allow"] == "POST"


# --- failures and the access log ---------------------------------------------------------------


def test_an_internal_error_is_a_500_problem_never_a_verdict(
        policy: eligibility.Policy, complaint: dict[str, Any], direct: bool,
        monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args: Any, **_kw: Any) -> eligibility.Verdict:
        raise RuntimeError("the engine broke")

    with running(create_app(policy, access_log=False, direct_routes=direct)) as base, \
            httpx.Client(base_url=base) as c:
        monkeypatch.setattr(policy, "evaluate", broken)
        for path, body in (("/v1/evaluate", complaint), ("/v1/evaluate/batch", [complaint])):
            response = c.post(path, content=as_json(body),
                              headers={**JSON_HEADERS, "X-Request-ID": "trace-7"})
            doc = assert_problem(response, 500, "internal-error")
            assert doc["request_id"] == "trace-7"
            assert "engine broke" not in response.text
            assert "decision" not in response.text


def test_access_log_is_one_json_line_per_request(client: httpx.Client,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="eligibility.access")
    ok = post(client, "/v1/evaluate", complaint_variant(0), headers={"X-Request-ID": "log-1"})
    bad = post(client, "/v1/evaluate", {}, headers={"X-Request-ID": "log-2"})
    batch = post(client, "/v1/evaluate/batch", [complaint_variant(0), {}, complaint_variant(2)],
                 headers={"X-Request-ID": "log-3"})
    odd = client.get('/v1/"quoted"\\back/%C3%A9t%C3%A9', headers={"X-Request-ID": "log-4"})
    assert (ok.status_code, bad.status_code, batch.status_code, odd.status_code) == (
        200, 422, 200, 404)
    def entries_now() -> list[dict[str, Any]]:
        return [json.loads(r.getMessage()) for r in caplog.records
                if r.name == "eligibility.access"]

    # A line is written once the response has gone out, so the last may trail the client a bit.
    deadline = time.monotonic() + 5
    while len(entries_now()) < 4 and time.monotonic() < deadline:
        time.sleep(0.01)
    entries = entries_now()
    by_id = {e["request_id"]: e for e in entries}
    assert len(entries) == 4
    assert by_id["log-4"]["path"] == '/v1/"quoted"\\back/\u00e9t\u00e9'
    assert by_id["log-4"]["status"] == 404
    assert by_id["log-1"]["decision"] == ok.json()["decision"]
    assert by_id["log-1"]["method"] == "POST"
    assert by_id["log-1"]["path"] == "/v1/evaluate"
    assert by_id["log-1"]["status"] == 200
    assert by_id["log-1"]["duration_ms"] > 0
    assert by_id["log-2"]["status"] == 422
    assert by_id["log-2"]["decision"] is None
    decisions = [a["decision"] for a in batch.json() if "decision" in a]
    assert by_id["log-3"]["invalid"] == 1
    assert sum(by_id["log-3"]["decisions"].values()) == len(decisions) == 2


def test_access_log_can_go_straight_to_a_stream(policy: eligibility.Policy,
                                                caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="eligibility.access")
    stream = io.StringIO()
    with running(create_app(policy, access_log=stream)) as base, httpx.Client(base_url=base) as c:
        c.get("/healthz", headers={"X-Request-ID": "s-1"})
        post(c, "/v1/evaluate", complaint_variant(0), headers={"X-Request-ID": "s-2"})
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [(e["request_id"], e["status"]) for e in lines] == [("s-1", 200), ("s-2", 200)]
    assert lines[1]["decision"] == policy.evaluate(complaint_variant(0)).decision
    assert not [r for r in caplog.records if r.name == "eligibility.access"]


def test_access_log_off(policy: eligibility.Policy, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="eligibility.access")
    with running(create_app(policy, access_log=False)) as base, httpx.Client(base_url=base) as c:
        assert c.get("/healthz").status_code == 200
    assert not [r for r in caplog.records if r.name == "eligibility.access"]


def test_a_body_in_another_unicode_encoding_is_malformed(client: httpx.Client,
                                                         complaint: dict[str, Any]) -> None:
    body = as_json(complaint).decode("utf-8").encode("utf-16")
    response = client.post("/v1/evaluate", content=body, headers=JSON_HEADERS)
    doc = assert_problem(response, 400, "malformed-json")
    assert "not UTF-8" in doc["detail"]
