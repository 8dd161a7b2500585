"""``serve()`` as an operator runs it: a child process, configured from the environment,
logging JSON lines, finishing in-flight work when told to stop, with one or several workers."""

from __future__ import annotations

import json
import signal
import socket
import time
from pathlib import Path

import httpx
import pytest

import eligibility

from .harness import (
    as_json,
    body_of,
    complaint_variant,
    serving,
    status_of,
)

KEY = "process-test-key-0123456789"
# After a graceful stop the process ends by the signal it caught, with one worker or several, as
# any well-behaved daemon does (a shell reports 143); an abrupt kill would also lose the answer.
STOPPED_BY_SIGTERM = -signal.SIGTERM


@pytest.mark.parametrize("workers", [1, 2])
def test_sigterm_lets_an_in_flight_batch_finish(policy: eligibility.Policy,
                                                workers: int) -> None:
    batch = [complaint_variant(i % 300) for i in range(300)]
    body = as_json(batch)
    env = {"ELIGIBILITY_MAX_BODY_BYTES": str(len(body)), "ELIGIBILITY_MAX_BATCH": str(len(batch))}
    head = (f"POST /v1/evaluate/batch HTTP/1.1\r\nHost: test\r\n"
            f"Content-Type: application/json\r\nX-Request-ID: drain-1\r\n"
            f"Expect: 100-continue\r\nContent-Length: {len(body)}\r\n\r\n").encode()
    with serving(env=env, workers=workers) as service:
        host, port = service.url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=60) as sock:
            sock.sendall(head)
            # "100 Continue" comes when the route starts reading the body: the request is in
            # flight. Only then is the service told to stop, and only then is the body sent.
            assert sock.recv(1024).startswith(b"HTTP/1.1 100")
            service.process.send_signal(signal.SIGTERM)
            # New connections are refused at once, while this one is still being served.
            refused_after = _seconds_until_refused(host, int(port))
            sock.sendall(body)
            raw = _read_until_closed(sock)
        code, out, err = service.stop()
    assert status_of(raw) == 200
    answers = json.loads(body_of(raw))
    assert len(answers) == len(batch)
    assert answers[299] == json.loads(policy.evaluate(batch[299]).model_dump_json())
    assert refused_after < 2
    assert code == STOPPED_BY_SIGTERM, err
    assert "Finished server process" in err
    lines = [json.loads(line) for line in out.splitlines() if line.strip()]
    assert {"method": "POST", "path": "/v1/evaluate/batch", "status": 200,
            "request_id": "drain-1"}.items() <= next(
        e for e in lines if e["request_id"] == "drain-1").items()


def _seconds_until_refused(host: str, port: int) -> float:
    started = time.monotonic()
    while time.monotonic() - started < 10:
        try:
            with socket.create_connection((host, port), timeout=1):
                pass
        except ConnectionRefusedError:
            break
        time.sleep(0.02)
    return time.monotonic() - started


def _read_until_closed(sock: socket.socket) -> bytes:
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def test_two_workers_configured_from_the_environment(tmp_path: Path,
                                                     policy: eligibility.Policy) -> None:
    keys = tmp_path / "keys"
    keys.write_text(f"# service keys\n{KEY}\n", "utf-8")
    env = {"ELIGIBILITY_API_KEYS_FILE": str(keys), "ELIGIBILITY_MAX_BATCH": "2"}
    complaint = complaint_variant(4)
    with serving(env=env, workers=2) as service, httpx.Client(base_url=service.url,
                                                              timeout=30) as client:
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {KEY}"}
        assert client.post("/v1/evaluate", content=as_json(complaint),
                           headers={"Content-Type": "application/json"}).status_code == 401
        for _ in range(20):  # enough requests to reach both workers
            response = client.post("/v1/evaluate", content=as_json(complaint), headers=headers)
            assert response.status_code == 200
            assert response.content == policy.evaluate(complaint).model_dump_json().encode()
        too_many = client.post("/v1/evaluate/batch", content=as_json([complaint] * 3),
                               headers=headers)
        assert too_many.status_code == 413
        code, out, err = service.stop()
    assert code == STOPPED_BY_SIGTERM
    assert KEY not in out
    assert KEY not in err
    statuses = [json.loads(line)["status"] for line in out.splitlines() if line.strip()]
    assert statuses.count(200) >= 20
    assert 401 in statuses
    assert 413 in statuses
