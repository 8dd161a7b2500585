"""Languages and judging everywhere over HTTP: ``?lang=`` wins over ``Accept-Language``, the
answer says ``Content-Language``, and the bodies are the library's own bytes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

import eligibility
from eligibility.server import create_app
from eligibility.server.language import best_match

from .harness import assert_problem, complaint_variant, post, running


@pytest.fixture(scope="module")
def url(policy: eligibility.Policy) -> Iterator[str]:
    with running(create_app(policy, access_log=False)) as base:
        yield base


@pytest.mark.parametrize(("query", "header", "expected"), [
    ("", None, "en"),
    ("?lang=zh-CN", None, "zh-CN"),
    ("?lang=zh-cn", None, "zh-CN"),
    ("", "zh-CN,zh;q=0.9,en;q=0.8", "zh-CN"),
    ("", "fr-FR, zh;q=0.5", "zh-CN"),
    ("", "fr, de;q=0.9", "en"),
    ("?lang=en", "zh-CN", "en"),
])
def test_the_language_is_chosen_and_said(client: httpx.Client, policy: eligibility.Policy,
                                         query: str, header: str | None,
                                         expected: str) -> None:
    complaint = complaint_variant(2)
    headers = {"Accept-Language": header} if header else {}
    response = post(client, "/v1/evaluate" + query, complaint, headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-language"] == expected
    assert response.headers["vary"] == "Accept-Language"
    assert response.content == policy.evaluate(complaint, lang=expected).model_dump_json().encode()


def test_an_unknown_lang_is_a_bad_request(client: httpx.Client) -> None:
    doc = assert_problem(post(client, "/v1/evaluate?lang=fr", complaint_variant(0)), 400,
                         "bad-request")
    assert "en, zh-CN" in doc["detail"]


def test_batches_and_rules_follow_the_language(client: httpx.Client,
                                               policy: eligibility.Policy) -> None:
    items = [complaint_variant(i) for i in range(4)]
    response = post(client, "/v1/evaluate/batch?lang=zh-CN", items)
    assert response.headers["content-language"] == "zh-CN"
    assert response.json() == [json.loads(v.model_dump_json())
                               for v in policy.evaluate_many(items, lang="zh-CN")]
    rules = client.get("/v1/rules", headers={"Accept-Language": "zh"})
    assert rules.headers["content-language"] == "zh-CN"
    titles = {r["id"]: r["title"] for r in rules.json()["rules"]}
    assert titles == {r.id: r.texts["zh-CN"].title for r in policy.catalog}


def test_everywhere_answers_every_platform(client: httpx.Client,
                                           policy: eligibility.Policy) -> None:
    complaint: dict[str, Any] = complaint_variant(0)
    del complaint["platform"]
    response = post(client, "/v1/evaluate/everywhere?lang=zh-CN", complaint)
    assert response.status_code == 200, response.text
    assert response.headers["content-language"] == "zh-CN"
    body = response.json()
    assert list(body) == list(policy.platforms)
    expected = policy.evaluate_everywhere(complaint, lang="zh-CN")
    assert body == {p: json.loads(v.model_dump_json()) for p, v in expected.items()}
    for platform, verdict in body.items():
        assert verdict["platform"] == platform


def test_everywhere_refuses_an_invalid_complaint_with_its_fields(client: httpx.Client) -> None:
    complaint = complaint_variant(0)
    complaint["complainant"] = {"kind": "robot"}
    doc = assert_problem(post(client, "/v1/evaluate/everywhere", complaint), 422,
                         "invalid-complaint")
    assert {e["path"] for e in doc["errors"]} >= {"complainant.kind", "complainant.name"}


@pytest.mark.parametrize(("header", "expected"), [
    ("zh-Hans-CN", "zh-CN"), ("*", "en"), ("zh;q=0, en", "en"), ("zh;q=abc, en;q=0.1", "en"),
    ("EN-gb", "en"), (",,,", "en"),
])
def test_accept_language_matching(header: str, expected: str) -> None:
    assert best_match(header, ("en", "zh-CN")) == expected


def test_field_problems_come_in_the_language_asked(client: httpx.Client) -> None:
    complaint = complaint_variant(0)
    complaint["ip_right"]["office"] = "NOPE"
    english = assert_problem(post(client, "/v1/evaluate", complaint), 422, "invalid-complaint")
    answer = post(client, "/v1/evaluate?lang=zh-CN", complaint)
    assert answer.headers["content-language"] == "zh-CN"  # its field problems are worded so
    chinese = assert_problem(answer, 422, "invalid-complaint")
    assert [e["path"] for e in english["errors"]] == [e["path"] for e in chinese["errors"]]
    assert english["errors"][0]["message"].startswith("unknown office 'NOPE'")
    assert chinese["errors"][0]["message"].startswith("未知主管机构 'NOPE'")
    batch = post(client, "/v1/evaluate/batch?lang=zh-CN", [complaint]).json()
    assert batch[0]["errors"][0]["message"] == chinese["errors"][0]["message"]


def test_only_answers_chosen_by_language_vary_by_it(client: httpx.Client) -> None:
    assert client.get("/v1/rules").headers["vary"] == "Accept-Language"
    for path in ("/healthz", "/v1/schema"):
        assert "vary" not in client.get(path).headers, path
