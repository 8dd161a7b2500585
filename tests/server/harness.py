"""Running the HTTP service for tests: on a free loopback port, in a thread or a child process.

Tests talk to it over real sockets, so what they check is what a caller on the network gets:
uvicorn's parsing, the gateway, the routes and the bytes on the wire.
"""

from __future__ import annotations

import copy
import functools
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI

from eligibility.load.yaml import load_yaml

LOOPBACK = "127.0.0.1"
START_TIMEOUT = 60.0
BASE_COMPLAINT = Path(__file__).resolve().parents[1] / "fixtures" / "complaints" / \
    "eligible-taobao-agent.yaml"


@contextmanager
def running(app: FastAPI, **options: Any) -> Iterator[str]:
    """Serve ``app`` from a thread on a free loopback port; yield its base URL. ``options`` are
    more uvicorn settings (``http``, ``limit_concurrency``, ...)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind((LOOPBACK, 0))
    port = sock.getsockname()[1]
    # log_config=None: leave the test process's logging alone (caplog reads the access log).
    settings: dict[str, Any] = {"lifespan": "off", **options}
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, access_log=False, **settings))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.01)
    try:
        yield f"http://{LOOPBACK}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class ServiceProcess:
    """``eligibility.server.serve`` running in a child process."""

    process: subprocess.Popen[str]
    url: str

    def stop(self, timeout: float = 30) -> tuple[int, str, str]:
        """SIGTERM, wait, and return (exit code, stdout, stderr)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            out, err = self.process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            out, err = self.process.communicate()
        return self.process.returncode, out, err


@contextmanager
def serving(*, env: Mapping[str, str] | None = None, **serve_args: Any) -> Iterator[ServiceProcess]:
    """Start ``serve(**serve_args)`` in a child process and wait until it answers."""
    port = free_port()
    args = {"host": LOOPBACK, "port": port, **serve_args}
    code = ("import json, sys\nfrom eligibility.server import serve\n"
            "serve(**json.loads(sys.argv[1]))\n")
    child_env = {k: v for k, v in os.environ.items() if not k.startswith("ELIGIBILITY_")}
    child_env.update(env or {})
    process = subprocess.Popen([sys.executable, "-c", code, json.dumps(args)], env=child_env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    service = ServiceProcess(process, f"http://{LOOPBACK}:{port}")
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None:
                _, err = process.communicate()
                raise RuntimeError(f"the service exited with {process.returncode}: {err}")
            with suppress(httpx.TransportError):
                if httpx.get(service.url + "/healthz", timeout=2).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError("the service did not start in time")
            time.sleep(0.1)
        yield service
    finally:
        if process.poll() is None:
            service.stop()


def raw_exchange(url: str, request: bytes, *, then: list[bytes] | None = None,
                 timeout: float = 10) -> bytes:
    """Send raw bytes (and later pieces), then read until the server closes or goes quiet."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        sock.sendall(request)
        for piece in then or []:
            sock.sendall(piece)
        chunks = []
        with suppress(TimeoutError, ConnectionResetError):
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
        return b"".join(chunks)


def status_of(raw: bytes) -> int:
    return int(raw.split(b" ", 2)[1])


def headers_of(raw: bytes) -> dict[str, str]:
    head = raw.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")[1:]
    return {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in head)}


def body_of(raw: bytes) -> bytes:
    return raw.split(b"\r\n\r\n", 1)[1]


@functools.cache
def _base_complaint() -> dict[str, Any]:
    data = load_yaml(BASE_COMPLAINT.read_text("utf-8"))
    assert isinstance(data, dict)
    return data


def complaint_variant(i: int) -> dict[str, Any]:
    """A different complaint for every ``i``: its own day 0, and varied outcomes."""
    c = copy.deepcopy(_base_complaint())
    day = date(2026, 3, 2) + timedelta(days=i)
    c["submitted_at"] = f"{day.isoformat()}T10:00:00+08:00"
    c["platform"] = ("taobao", "tmall", "1688")[i % 3]
    c["infringement"]["listings"] = [f"https://item.{c['platform']}.com/item.htm?id={i}"]
    if i % 4 == 1:
        c["ip_right"]["evidence"]["certificate"] = False
    if i % 5 == 2:
        c["ip_right"]["office"] = "USPTO"
    if i % 7 == 3:
        c["authorization"]["signed"] = False
    return c


def as_json(data: Any) -> bytes:
    """A complaint dict (possibly holding dates from YAML) as a request body."""
    return json.dumps(data, default=str).encode("utf-8")


JSON_HEADERS = {"Content-Type": "application/json"}
PROBLEM = "application/problem+json"


def post(client: httpx.Client, path: str, data: Any,
         headers: dict[str, str] | None = None) -> httpx.Response:
    return client.post(path, content=as_json(data), headers={**JSON_HEADERS, **(headers or {})})


def assert_problem(response: httpx.Response, status: int, kind: str) -> dict[str, Any]:
    """The response is the problem document of that kind, with the request's id."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    doc: dict[str, Any] = response.json()
    assert doc["type"] == f"urn:eligibility:problem:{kind}"
    assert doc["status"] == status
    assert doc["title"]
    assert doc["detail"]
    assert doc["request_id"] == response.headers["x-request-id"]
    return doc
