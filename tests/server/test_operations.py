"""Operating the service, over real HTTP: the decision log (rotation, a full disk, a file it
cannot open), Prometheus metrics (one and two workers, API keys) and the appeal deadline."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

import eligibility
from eligibility.cli import cli
from eligibility.load.yaml import load_yaml
from eligibility.server import ConfigError, create_app, decisions
from eligibility.server.config import (
    ENV_DECISION_LOG,
    ENV_DECISION_LOG_INPUT,
    ENV_METRICS_PUBLIC,
    ServiceSettings,
    settings_from_environment,
)

from ..conftest import EXAMPLES
from .harness import as_json, complaint_variant, running, serving

KEY = "operations-test-key-0123456789"
HEADERS = {"Content-Type": "application/json"}


def _lines(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def _canonical_sha(data: Any) -> str:
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _sample(metrics_text: str, name: str, **labels: str) -> float:
    """The value of one series in a Prometheus text exposition (0 when absent)."""
    for line in metrics_text.splitlines():
        if line.startswith("#"):
            continue
        match = re.fullmatch(r"([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)", line)
        if not match or match.group(1) != name:
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', match.group(3) or ""))
        if all(found.get(k) == v for k, v in labels.items()):
            return float(match.group(4))
    return 0.0


@pytest.fixture
def client_for() -> Iterator[Any]:
    """Start a service on a thread for the given app; yield a client factory."""
    stack: list[Any] = []

    def start(app: Any) -> httpx.Client:
        context = running(app)
        url = context.__enter__()
        stack.append(context)
        client = httpx.Client(base_url=url, timeout=30)
        stack.append(client)
        return client

    yield start
    for item in reversed(stack):
        item.__exit__(None, None, None)


# --- the decision log --------------------------------------------------------------------------


def test_one_line_per_judged_complaint_and_none_for_invalid_ones(
        policy: eligibility.Policy, tmp_path: Path, client_for: Any) -> None:
    log = tmp_path / "decisions.jsonl"
    client = client_for(create_app(policy, decision_log=log, access_log=False))
    one = complaint_variant(2)
    response = client.post("/v1/evaluate", content=as_json(one),
                           headers={**HEADERS, "X-Request-ID": "single-1"})
    assert response.status_code == 200
    assert client.post("/v1/evaluate", content=b'{"platform": "taobao"}',
                       headers=HEADERS).status_code == 422
    batch = [complaint_variant(3), {"platform": "nowhere"}, complaint_variant(4)]
    assert client.post("/v1/evaluate/batch", content=as_json(batch),
                       headers={**HEADERS, "X-Request-ID": "batch-1"}).status_code == 200
    lines = _lines(log)
    assert len(lines) == 3  # the single complaint and two batch items; no invalid one
    first = lines[0]
    verdict = response.json()
    assert list(first) == ["time", "request_id", "policy", "platform", "decision", "rules",
                           "complaint_sha256"]
    assert first["request_id"] == "single-1"
    assert first["policy"] == {"version": policy.version, "digest": policy.digest}
    assert first["platform"] == verdict["platform"]
    assert first["decision"] == verdict["decision"]
    assert first["rules"] == [r["rule"] for r in verdict["reasons"]]
    assert first["complaint_sha256"] == _canonical_sha(json.loads(as_json(one)))
    assert [(e["request_id"], e["index"]) for e in lines[1:]] == [("batch-1", 0), ("batch-1", 2)]
    assert lines[2]["complaint_sha256"] == _canonical_sha(json.loads(as_json(batch[2])))
    assert all("complaint" not in e for e in lines)


def test_everywhere_logs_and_counts_each_platforms_verdict(
        policy: eligibility.Policy, tmp_path: Path, client_for: Any) -> None:
    log = tmp_path / "decisions.jsonl"
    client = client_for(create_app(policy, decision_log=log, access_log=False))
    complaint = json.loads(as_json(complaint_variant(2)))
    response = client.post("/v1/evaluate/everywhere", content=json.dumps(complaint),
                           headers={**HEADERS, "X-Request-ID": "everywhere-1"})
    assert response.status_code == 200
    verdicts = response.json()
    lines = _lines(log)
    assert [e["platform"] for e in lines] == list(verdicts)
    assert {(e["request_id"], e["complaint_sha256"]) for e in lines} == {
        ("everywhere-1", _canonical_sha(complaint))}
    assert [e["decision"] for e in lines] == [v["decision"] for v in verdicts.values()]
    text = client.get("/metrics").text
    assert sum(_sample(text, "eligibility_evaluations_total", platform=p,
                       decision=v["decision"]) for p, v in verdicts.items()) == len(verdicts)


def test_a_yaml_complaint_is_logged_as_its_json_twin(policy: eligibility.Policy, tmp_path: Path,
                                                     client_for: Any) -> None:
    """Dates in YAML are dates, not text: the log fingerprints the complaint as the JSON a caller
    would have sent, so the same complaint has one fingerprint whichever way it came."""
    log = tmp_path / "decisions.jsonl"
    client = client_for(create_app(policy, decision_log=log, access_log=False))
    text = (EXAMPLES / "law-firm-chinese-brand-tmall.yaml").read_text("utf-8")
    assert "issued_on: 2026-01-10" in text  # an unquoted date
    response = client.post("/v1/evaluate", content=text.encode("utf-8"),
                           headers={"Content-Type": "application/yaml"})
    assert response.status_code == 200, response.text
    twin = json.loads(json.dumps(load_yaml(text), default=str))
    assert client.post("/v1/evaluate", content=json.dumps(twin),
                       headers=HEADERS).content == response.content
    first, second = _lines(log)
    assert first["complaint_sha256"] == second["complaint_sha256"] == _canonical_sha(twin)


def test_the_complaint_itself_only_when_asked(policy: eligibility.Policy, tmp_path: Path,
                                              client_for: Any) -> None:
    log = tmp_path / "decisions.jsonl"
    client = client_for(create_app(policy, decision_log=log, decision_log_input=True,
                                   access_log=False))
    body = as_json(complaint_variant(5))
    assert client.post("/v1/evaluate", content=body, headers=HEADERS).status_code == 200
    [line] = _lines(log)
    assert line["complaint"] == json.loads(body)


def test_a_rotated_file_is_reopened_when_the_path_names_another_file(
        policy: eligibility.Policy, tmp_path: Path, client_for: Any,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(decisions, "CHECK_INTERVAL", 0.0)  # look at the path on every line
    log = tmp_path / "decisions.jsonl"
    client = client_for(create_app(policy, decision_log=log, access_log=False))
    body = as_json(complaint_variant(1))
    assert client.post("/v1/evaluate", content=body, headers=HEADERS).status_code == 200
    log.rename(tmp_path / "decisions.jsonl.1")  # what logrotate does
    assert client.post("/v1/evaluate", content=body, headers=HEADERS).status_code == 200
    assert len(_lines(tmp_path / "decisions.jsonl.1")) == 1
    assert len(_lines(log)) == 1


def test_sighup_reopens_the_file_in_a_running_service(tmp_path: Path) -> None:
    log = tmp_path / "decisions.jsonl"
    body = as_json(complaint_variant(1))
    with serving(decision_log=str(log), access_log=False) as service, \
            httpx.Client(base_url=service.url, timeout=30) as client:
        assert client.post("/v1/evaluate", content=body, headers=HEADERS).status_code == 200
        log.rename(tmp_path / "decisions.jsonl.1")
        service.process.send_signal(signal.SIGHUP)
        time.sleep(0.2)  # let the signal arrive; the check below does not depend on timing
        assert client.post("/v1/evaluate", content=body, headers=HEADERS).status_code == 200
        assert client.get("/healthz").status_code == 200  # SIGHUP did not stop the service
    assert len(_lines(tmp_path / "decisions.jsonl.1")) == 1
    assert len(_lines(log)) == 1


def test_a_full_disk_loses_lines_never_requests(policy: eligibility.Policy,
                                                client_for: Any) -> None:
    client = client_for(create_app(policy, decision_log="/dev/full", access_log=False))
    body = as_json(complaint_variant(1))
    for _ in range(3):
        assert client.post("/v1/evaluate", content=body, headers=HEADERS).status_code == 200
    text = client.get("/metrics").text
    assert _sample(text, "eligibility_decision_log_lost_lines_total") == 3


def test_a_log_that_cannot_be_written_loses_lines_never_requests(
        policy: eligibility.Policy, tmp_path: Path, client_for: Any,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(decisions, "CHECK_INTERVAL", 0.0)
    log = tmp_path / "decisions.jsonl"
    client = client_for(create_app(policy, decision_log=log, access_log=False))
    body = as_json(complaint_variant(1))
    assert client.post("/v1/evaluate", content=body, headers=HEADERS).status_code == 200
    # Rotated away, and what now stands at the path cannot be opened for writing.
    log.rename(tmp_path / "old.jsonl")
    log.mkdir()
    for _ in range(2):
        assert client.post("/v1/evaluate", content=body, headers=HEADERS).status_code == 200
    assert _sample(client.get("/metrics").text, "eligibility_decision_log_lost_lines_total") == 2
    log.rmdir()  # writable again: lines come back
    assert client.post("/v1/evaluate", content=body, headers=HEADERS).status_code == 200
    assert len(_lines(log)) == 1


@pytest.fixture
def read_only_file(tmp_path: Path) -> Iterator[Path]:
    """A file nobody may write to, root included: read-only by its mode, and, where the tests
    run as root (who ignores modes), immutable by its file attribute."""
    path = tmp_path / "decisions.jsonl"
    path.write_text("", "utf-8")
    path.chmod(0o444)
    immutable = os.geteuid() == 0
    if immutable:
        done = subprocess.run(["chattr", "+i", str(path)], capture_output=True, check=False)
        if done.returncode != 0:
            pytest.skip(f"running as root, and chattr +i is refused here: {done.stderr!r}")
    try:
        yield path
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(path)], check=False)


def test_a_read_only_file_loses_lines_never_requests(policy: eligibility.Policy,
                                                     read_only_file: Path,
                                                     client_for: Any) -> None:
    with pytest.raises(PermissionError):
        read_only_file.open("a").close()  # the premise: the file cannot be written
    client = client_for(create_app(policy, decision_log=read_only_file, access_log=False))
    body = as_json(complaint_variant(1))
    assert client.post("/v1/evaluate", content=body, headers=HEADERS).status_code == 200
    assert _sample(client.get("/metrics").text, "eligibility_decision_log_lost_lines_total") == 1
    assert read_only_file.read_text("utf-8") == ""


# --- metrics -----------------------------------------------------------------------------------


def test_metrics_count_decisions_rules_requests_and_batches(policy: eligibility.Policy,
                                                           client_for: Any) -> None:
    client = client_for(create_app(policy, access_log=False))
    complaints = [complaint_variant(i) for i in range(6)]
    verdicts = [policy.evaluate(c) for c in complaints]
    for c in complaints[:3]:
        assert client.post("/v1/evaluate", content=as_json(c), headers=HEADERS).status_code == 200
    assert client.post("/v1/evaluate/batch", content=as_json([*complaints[3:], {}]),
                       headers=HEADERS).status_code == 200
    assert client.post("/v1/evaluate", content=b"{}", headers=HEADERS).status_code == 422
    # A request is counted just after its answer is sent: the scrape waits for the last one.
    for _ in range(100):
        response = client.get("/metrics")
        if _sample(response.text, "eligibility_requests_total", route="/v1/evaluate",
                   status="422") == 1:
            break
        time.sleep(0.05)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    for verdict in verdicts:
        expected = sum(1 for v in verdicts if (v.platform, v.decision) ==
                       (verdict.platform, verdict.decision))
        assert _sample(text, "eligibility_evaluations_total", platform=verdict.platform,
                       decision=verdict.decision.value) == expected
    failures: dict[str, int] = {}
    for verdict in verdicts:
        for reason in verdict.reasons:
            failures[reason.rule] = failures.get(reason.rule, 0) + 1
    assert failures
    for rule, count in failures.items():
        assert _sample(text, "eligibility_rule_failures_total", rule=rule) == count
    assert _sample(text, "eligibility_requests_total", route="/v1/evaluate", status="200") == 3
    assert _sample(text, "eligibility_requests_total", route="/v1/evaluate", status="422") == 1
    assert _sample(text, "eligibility_request_duration_seconds_count",
                   route="/v1/evaluate") == 4
    assert _sample(text, "eligibility_invalid_complaints_total") == 2
    assert _sample(text, "eligibility_batch_size_count") == 1
    assert _sample(text, "eligibility_batch_size_sum") == 4
    assert _sample(text, "eligibility_policy_info", version=policy.version,
                   digest=policy.digest) == 1


def test_every_platform_decision_and_rule_starts_at_zero(policy: eligibility.Policy,
                                                        client_for: Any) -> None:
    text = client_for(create_app(policy, access_log=False)).get("/metrics").text
    series = {line.split(" ")[0] for line in text.splitlines() if not line.startswith("#")}
    for platform in policy.platforms:
        for decision in eligibility.Decision:
            assert (f'eligibility_evaluations_total{{decision="{decision.value}",'
                    f'platform="{platform}"}}') in series
    for rule in policy.catalog:
        assert f'eligibility_rule_failures_total{{rule="{rule.id}"}}' in series
    assert 'eligibility_request_duration_seconds_count{route="/v1/evaluate"}' in series


def test_metrics_need_the_api_key_unless_made_public(policy: eligibility.Policy,
                                                     client_for: Any) -> None:
    private = client_for(create_app(policy, api_keys=[KEY], access_log=False))
    assert private.get("/metrics").status_code == 401
    assert private.get("/metrics", headers={"Authorization": f"Bearer {KEY}"}).status_code == 200
    public = client_for(create_app(policy, api_keys=[KEY], access_log=False,
                                   metrics_public=True))
    assert public.get("/metrics").status_code == 200
    assert public.post("/v1/evaluate", content=b"{}", headers=HEADERS).status_code == 401


def test_two_workers_report_the_sum_of_both(tmp_path: Path,
                                             policy: eligibility.Policy) -> None:
    env = {"ELIGIBILITY_METRICS_PUBLIC": "on", "ELIGIBILITY_ACCESS_LOG": "off",
           "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics")}
    (tmp_path / "metrics").mkdir()
    (tmp_path / "metrics" / "counter_999999.db").write_bytes(b"stale")  # emptied at start
    body = as_json(complaint_variant(4))
    verdict = policy.evaluate(complaint_variant(4))
    with serving(env=env, workers=2) as service, \
            httpx.Client(base_url=service.url, timeout=30) as client:
        for _ in range(40):
            # A fresh connection each time, so the kernel spreads them over both workers.
            response = httpx.post(service.url + "/v1/evaluate", content=body, headers=HEADERS,
                                  timeout=30)
            assert response.status_code == 200
        for _ in range(6):
            text = httpx.get(service.url + "/metrics", timeout=30).text
            # Counted before each answer was sent (a request's own count and duration come
            # after it): whichever worker answers the scrape, it counts both.
            total = _sample(text, "eligibility_evaluations_total", platform=verdict.platform,
                            decision=verdict.decision.value)
            assert total == 40
        assert client.get("/healthz").status_code == 200
        files = {p.name for p in (tmp_path / "metrics").iterdir()}
    assert "counter_999999.db" not in files
    # One file per worker process: the values a scrape adds up.
    assert len({name for name in files if name.startswith("counter_")}) == 2


# --- the appeal deadline -----------------------------------------------------------------------


def test_appeal_deadline_answers_what_the_library_does(policy: eligibility.Policy,
                                                       client_for: Any) -> None:
    client = client_for(create_app(policy, access_log=False))
    when = "2026-03-02T10:00:00+08:00"
    response = client.get("/v1/appeal-deadline", params={"platform": "taobao",
                                                         "forwarded_at": when})
    assert response.status_code == 200
    assert response.content == policy.appeal_deadline("taobao", when).model_dump_json().encode()
    # An unencoded '+' arrives as a space; the offset is still understood.
    raw = client.get(f"/v1/appeal-deadline?platform=taobao&forwarded_at={when}")
    assert raw.status_code == 200
    assert raw.json() == response.json()


@pytest.mark.parametrize(("query", "header", "expected"), [
    ("", None, "en"), ("&lang=zh-CN", None, "zh-CN"), ("", "zh-CN,en;q=0.5", "zh-CN"),
    ("&lang=en", "zh-CN", "en"),
])
def test_appeal_deadline_words_its_reason_in_the_language_asked(
        policy: eligibility.Policy, client_for: Any, query: str, header: str | None,
        expected: str) -> None:
    client = client_for(create_app(policy, access_log=False))
    when = "2026-03-02T10:00:00%2B08:00"
    response = client.get(f"/v1/appeal-deadline?platform=amazon.com&forwarded_at={when}{query}",
                          headers={"Accept-Language": header} if header else {})
    assert response.status_code == 200
    assert response.headers["content-language"] == expected
    assert response.headers["vary"] == "Accept-Language"
    answer = policy.appeal_deadline("amazon.com", "2026-03-02T10:00:00+08:00", lang=expected)
    assert response.content == answer.model_dump_json().encode()
    assert ("亚马逊" in response.json()["reason"]) is (expected == "zh-CN")


def test_appeal_deadline_problems_are_worded_in_the_language_asked(
        policy: eligibility.Policy, client_for: Any) -> None:
    client = client_for(create_app(policy, access_log=False))
    response = client.get("/v1/appeal-deadline", params={
        "platform": "nowhere", "forwarded_at": "2026-03-02T10:00:00", "lang": "zh-CN"})
    assert response.status_code == 422
    assert response.headers["content-language"] == "zh-CN"
    messages = {e["path"]: e["message"] for e in response.json()["errors"]}
    assert messages["platform"].startswith("未知平台 'nowhere'；可用平台：1688, ")
    assert messages["forwarded_at"] == "该日期时间缺少 UTC 时差；请补上，例如 +08:00。"
    bare = client.get("/v1/appeal-deadline", params={"lang": "zh-CN"})
    assert [e["message"] for e in bare.json()["errors"]] == ["缺少必填字段。"] * 2
    assert bare.headers["vary"] == "Accept-Language"
    unknown = client.get("/v1/appeal-deadline", params={
        "platform": "taobao", "forwarded_at": "2026-03-02T10:00:00+08:00", "lang": "fr"})
    assert unknown.status_code == 400
    assert "en, zh-CN" in unknown.json()["detail"]


@pytest.mark.parametrize(("params", "paths"), [
    ({"platform": "nowhere", "forwarded_at": "2026-03-02T10:00:00+08:00"}, ["platform"]),
    ({"platform": "taobao", "forwarded_at": "2026-03-02T10:00:00"}, ["forwarded_at"]),
    ({"platform": "taobao", "forwarded_at": "yesterday"}, ["forwarded_at"]),
    ({}, ["platform", "forwarded_at"]),
])
def test_appeal_deadline_refuses_a_bad_platform_or_time(
        policy: eligibility.Policy, client_for: Any, params: dict[str, str],
        paths: list[str]) -> None:
    client = client_for(create_app(policy, access_log=False))
    response = client.get("/v1/appeal-deadline", params=params)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    doc = response.json()
    assert doc["type"] == "urn:eligibility:problem:invalid-parameter"
    assert [e["path"] for e in doc["errors"]] == paths


def test_the_new_routes_are_in_the_openapi_document(policy: eligibility.Policy,
                                                    client_for: Any) -> None:
    doc = client_for(create_app(policy, access_log=False)).get("/openapi.json").json()
    appeal = doc["paths"]["/v1/appeal-deadline"]["get"]
    assert {p["name"] for p in appeal["parameters"]} == {"platform", "forwarded_at", "lang",
                                                         "Accept-Language"}
    assert "422" in appeal["responses"]
    assert "/metrics" in doc["paths"]


# --- settings ----------------------------------------------------------------------------------


def test_the_operations_settings_survive_the_trip_through_the_environment(
        tmp_path: Path) -> None:
    settings = ServiceSettings(decision_log=str(tmp_path / "d.jsonl"), decision_log_input=True,
                               metrics_public=True)
    env: dict[str, str] = {}
    settings.to_environment(env)
    assert settings_from_environment(env) == settings
    ServiceSettings().to_environment(env)
    assert ENV_DECISION_LOG not in env
    assert settings_from_environment(env) == ServiceSettings()


@pytest.mark.parametrize(("value", "named"), [
    ({ENV_DECISION_LOG: " "}, ENV_DECISION_LOG),
    ({ENV_DECISION_LOG: "/"}, ENV_DECISION_LOG),  # a folder
    ({ENV_DECISION_LOG_INPUT: "perhaps"}, ENV_DECISION_LOG_INPUT),
    ({ENV_METRICS_PUBLIC: "2"}, ENV_METRICS_PUBLIC),
])
def test_bad_operations_settings_name_the_variable(value: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigError, match=named):
        settings_from_environment(value)


def test_the_command_line_passes_the_operations_options(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[dict[str, Any]] = []
    fake = types.ModuleType("eligibility.server")
    fake.serve = lambda **kwargs: calls.append(kwargs)  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "eligibility.server", fake)
    monkeypatch.setattr(eligibility, "server", fake, raising=False)
    runner = CliRunner()
    result = runner.invoke(cli, ["serve", "--decision-log", "-", "--decision-log-input",
                                 "--metrics-public"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert calls[0]["decision_log"] == "-"
    assert calls[0]["decision_log_input"] is True
    assert calls[0]["metrics_public"] is True


def _open_on(path: Path) -> int:
    """How many of this process's file descriptors point at ``path``."""
    found = 0
    for fd in Path("/proc/self/fd").iterdir():
        with contextlib.suppress(OSError):  # a descriptor closed while listing
            found += os.readlink(fd) == str(path)
    return found


def test_a_log_the_app_opened_is_closed_when_the_server_stops(policy: eligibility.Policy,
                                                              tmp_path: Path) -> None:
    log = tmp_path / "decisions.jsonl"
    app = create_app(policy, decision_log=log, access_log=False)
    with running(app, lifespan="on") as base:  # as `serve` runs it: startup and shutdown
        assert httpx.post(base + "/v1/evaluate", content=as_json(complaint_variant(1)),
                          headers=HEADERS).status_code == 200
        assert _open_on(log) == 1
    assert _open_on(log) == 0
    assert len(_lines(log)) == 1
