"""HTTP speed: /v1/evaluate over loopback with 1 and 2 workers, beside what the engine costs alone.

Three questions, each answered side by side rather than as an absolute figure (the machine is
shared, so absolute numbers drift with its load while ratios taken in the same run hold better):

1. What does the HTTP layer add to an evaluation? The route's own work (parse JSON, evaluate,
   serialise the verdict) is timed in process, then the same through the ASGI app without a
   socket, then ``/healthz`` over a socket: the app's overhead and the server's floor.
2. Inline or thread pool? The engine holds the GIL, so a worker thread cannot add parallelism; the
   same server is run both ways under the same load.
3. Does a second worker process pay? 1 worker against 2, under 32 concurrent connections.

The load comes from ``wrk`` when it is installed (``apt-get install wrk``), otherwise from an
asyncio client in a separate process. The requests rotate over a fixed mix of realistic
complaints (``benchmarks/mix.py``). The target of the issue: at least 1,500 requests/s with p99
under 50 ms with 32 connections on this 2-core machine. Everything listens on 127.0.0.1 only and
every run is bounded in time.

Run: ``python benchmarks/bench_http.py [--duration 10] [--connections 32] [--load wrk|python]``
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.machine import cpu_model  # noqa: E402
from benchmarks.mix import complaints  # noqa: E402

LOOPBACK = "127.0.0.1"
TARGET_RPS = 1500.0
TARGET_P99_MS = 50.0
MIX_SIZE = 200
START_TIMEOUT = 120.0


# --- in process --------------------------------------------------------------------------------


def bodies_of_mix(size: int = MIX_SIZE) -> list[bytes]:
    return [json.dumps(c, default=str).encode() for c in complaints(size)]


def _asgi_scope(method: str, path: str, body: bytes) -> dict[str, Any]:
    headers = [(b"host", b"bench"), (b"content-type", b"application/json"),
               (b"content-length", str(len(body)).encode())]
    return {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
            "method": method, "scheme": "http", "path": path, "raw_path": path.encode(),
            "query_string": b"", "root_path": "", "headers": headers,
            "client": (LOOPBACK, 50000), "server": (LOOPBACK, 8080)}


async def asgi_calls(app: Any, method: str, path: str, bodies: Sequence[bytes],
                      rounds: int) -> None:
    """``rounds`` passes over ``bodies`` through the app, with no socket involved."""
    statuses: set[int] = set()

    async def one(body: bytes) -> None:
        delivered = False

        async def receive() -> dict[str, Any]:
            nonlocal delivered
            if delivered:
                return {"type": "http.disconnect"}
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                statuses.add(message["status"])

        await app(_asgi_scope(method, path, body), receive, send)

    for _ in range(rounds):
        for body in bodies:
            await one(body)
    if statuses != {200}:
        raise RuntimeError(f"unexpected statuses from the app: {sorted(statuses)}")


def in_process(rounds: int, repeats: int = 5) -> dict[str, float]:
    """CPU microseconds per request: the route's work alone, through the app both ways, and the
    app's floor. CPU time rather than wall time, and the best of a few interleaved passes,
    because the machine is shared: waiting for a core is not the code's cost."""
    import eligibility
    from eligibility.server import create_app

    # The access log is part of the cost of a request: keep it on, as serve() writes it (straight
    # to a stream), writing nowhere.
    sink = open(os.devnull, "w")  # noqa: SIM115
    policy = eligibility.default_policy()
    bodies = bodies_of_mix()
    direct = create_app(policy, access_log=sink)
    framework = create_app(policy, access_log=sink, direct_routes=False)
    calls = rounds * len(bodies)

    def library() -> None:
        for _ in range(rounds):
            for body in bodies:
                policy.evaluate(json.loads(body)).model_dump_json()

    runs: dict[str, Callable[[], object]] = {
        "library_us": library,
        "direct_us": lambda: asyncio.run(
            asgi_calls(direct, "POST", "/v1/evaluate", bodies, rounds)),
        "framework_us": lambda: asyncio.run(
            asgi_calls(framework, "POST", "/v1/evaluate", bodies, rounds)),
        "healthz_us": lambda: asyncio.run(asgi_calls(direct, "GET", "/healthz", [b""], calls)),
    }
    return best_cpu_us(runs, repeats, calls)


def best_cpu_us(runs: dict[str, Callable[[], object]], repeats: int,
                calls: int) -> dict[str, float]:
    """The best of ``repeats`` interleaved passes of each run, in CPU microseconds per call."""
    best = dict.fromkeys(runs, float("inf"))
    for _ in range(repeats):
        for name, run in runs.items():
            start = time.process_time()
            run()
            best[name] = min(best[name], (time.process_time() - start) / calls * 1e6)
    return best


# --- servers -----------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        port: int = sock.getsockname()[1]
        return port


_SERVE = """
import sys
from eligibility.server import serve
serve(host=sys.argv[1], port=int(sys.argv[2]), workers=int(sys.argv[3]), log_level="warning")
"""

# The same server as serve(workers=1), judging in the thread pool instead of the event loop.
_SERVE_OFFLOADED = """
import sys
import uvicorn
import eligibility
from eligibility.server import create_app, log_config
app = create_app(eligibility.default_policy(), offload_evaluation=True)
uvicorn.run(app, host=sys.argv[1], port=int(sys.argv[2]), log_config=log_config("warning"),
            log_level="warning", access_log=False, server_header=False)
"""


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    url: str

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_server(workers: int, offload: bool = False,
                 python: str | Path | None = None) -> Server:
    """A server on a free loopback port; ``python``: another interpreter's installed eligibility
    (v1's, in benchmarks/versus.py) instead of this one's."""
    port = _free_port()
    code = _SERVE_OFFLOADED if offload else _SERVE
    env = {k: v for k, v in os.environ.items() if not k.startswith("ELIGIBILITY_")}
    # The access log stays on (it is part of the cost) and goes nowhere.
    if python is not None:
        env.pop("PYTHONPATH", None)
    process = subprocess.Popen([str(python or sys.executable), "-c", code, LOOPBACK, str(port),
                                str(workers)], stdout=subprocess.DEVNULL, env=env,
                               cwd=tempfile.gettempdir() if python is not None else None)
    server = Server(process, f"http://{LOOPBACK}:{port}")
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            with socket.create_connection((LOOPBACK, port), timeout=1) as sock:
                sock.sendall(b"GET /readyz HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n")
                if sock.recv(64).startswith(b"HTTP/1.1 200"):
                    break
        except OSError:
            pass
        if time.monotonic() > deadline:
            server.stop()
            raise RuntimeError("the server did not start in time")
        time.sleep(0.2)
    if workers > 1:
        time.sleep(3.0)  # let every worker finish loading, not only the first to answer
    return server


# --- load --------------------------------------------------------------------------------------


@dataclass
class Load:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int
    tool: str

    @property
    def rps(self) -> float:
        return self.requests / self.seconds


def _wrk_script(folder: Path, bodies: Sequence[bytes] | None) -> Path:
    script = folder / "load.lua"
    if bodies is None:
        script.write_text("", "utf-8")
        return script
    entries = ",\n".join("[==[" + b.decode() + "]==]" for b in bodies)
    script.write_text(
        "local bodies = {\n" + entries + "\n}\n"
        "local i = 0\n"
        "request = function()\n"
        "  i = (i % #bodies) + 1\n"
        '  return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, bodies[i])\n'
        "end\n", "utf-8")
    return script


_LATENCY = re.compile(r"^\s*(50|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s)\s*$", re.M)
_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def run_wrk(url: str, path: str, bodies: Sequence[bytes] | None, seconds: float,
            connections: int) -> Load:
    with tempfile.TemporaryDirectory() as folder:
        script = _wrk_script(Path(folder), bodies)
        out = subprocess.run(
            ["wrk", "-t2", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency",
             "--timeout", "10s", "-s", str(script), url + path],
            capture_output=True, text=True, check=True, timeout=seconds + 60).stdout
    latency = {p: float(v) * _UNIT_MS[u] for p, v, u in _LATENCY.findall(out)}
    total = re.search(r"(\d+) requests in ([\d.]+)(ms|s)", out)
    if total is None or "50" not in latency or "99" not in latency:
        raise RuntimeError(f"cannot read wrk's report:\n{out}")
    secs = float(total.group(2)) / (1000 if total.group(3) == "ms" else 1)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sock_err = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                         out)
    errors = (int(non_2xx.group(1)) if non_2xx else 0) + (
        sum(int(g) for g in sock_err.groups()) if sock_err else 0)
    return Load(int(total.group(1)), secs, latency["50"], latency["99"], errors, "wrk")


_CONTENT_LENGTH = re.compile(rb"(?i)content-length: *(\d+)")


async def _python_load(host: str, port: int, requests: Sequence[bytes], seconds: float,
                       connections: int) -> dict[str, Any]:
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds

    async def connection(offset: int) -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection(host, port)
        i = offset
        try:
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                writer.write(requests[i % len(requests)])
                i += 1
                head = await reader.readuntil(b"\r\n\r\n")
                length = _CONTENT_LENGTH.search(head)
                await reader.readexactly(int(length.group(1)) if length else 0)
                latencies.append(time.perf_counter() - started)
                if not head.startswith(b"HTTP/1.1 200"):
                    errors += 1
        finally:
            writer.close()

    start = time.perf_counter()
    await asyncio.gather(*(connection(n) for n in range(connections)))
    elapsed = time.perf_counter() - start
    latencies.sort()
    return {"requests": len(latencies), "seconds": elapsed, "errors": errors,
            "p50_ms": latencies[len(latencies) // 2] * 1000,
            "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000}


def run_python_load(url: str, path: str, bodies: Sequence[bytes] | None, seconds: float,
                    connections: int) -> Load:
    """The asyncio client, in its own process so that it does not share the server's GIL."""
    with tempfile.TemporaryDirectory() as folder:
        spec = Path(folder) / "load.json"
        spec.write_text(json.dumps({"url": url, "path": path, "seconds": seconds,
                                    "connections": connections,
                                    "bodies": [b.decode() for b in bodies or []]}), "utf-8")
        out = subprocess.run([sys.executable, __file__, "--load-worker", str(spec)],
                             capture_output=True, text=True, check=True,
                             timeout=seconds + 60).stdout
    r = json.loads(out)
    return Load(r["requests"], r["seconds"], r["p50_ms"], r["p99_ms"], r["errors"], "python")


def _load_worker(spec_file: str) -> None:
    spec = json.loads(Path(spec_file).read_text("utf-8"))
    host, port = spec["url"].removeprefix("http://").split(":")
    if spec["bodies"]:
        requests = [(f"POST {spec['path']} HTTP/1.1\r\nHost: bench\r\nContent-Type: "
                     f"application/json\r\nContent-Length: {len(b.encode())}\r\n\r\n{b}").encode()
                    for b in spec["bodies"]]
    else:
        requests = [f"GET {spec['path']} HTTP/1.1\r\nHost: bench\r\n\r\n".encode()]
    result = asyncio.run(_python_load(host, int(port), requests, spec["seconds"],
                                      spec["connections"]))
    print(json.dumps(result))


class CpuMeter:
    """Cores used by the server's processes and by the whole machine since it was created.

    The machine is shared: "machine" minus "server" minus the load generator's share is what
    other work took, which is what makes one run differ from the next.
    """

    def __init__(self, pid: int) -> None:
        import psutil

        self._psutil = psutil
        root = psutil.Process(pid)
        self._procs = [root, *root.children(recursive=True)]
        self._start = time.monotonic()
        self._server = self._server_seconds()
        self._machine = self._machine_seconds()

    def _server_seconds(self) -> float:
        total = 0.0
        for proc in self._procs:
            try:
                times = proc.cpu_times()
            except self._psutil.NoSuchProcess:
                continue
            total += times.user + times.system
        return total

    def _machine_seconds(self) -> float:
        """Busy seconds over all cores: everything but idle (loopback traffic counts as
        softirq time, not user or system)."""
        times = self._psutil.cpu_times()
        return float(sum(times) - times.idle - getattr(times, "iowait", 0.0))

    def read(self) -> tuple[float, float]:
        elapsed = time.monotonic() - self._start
        return ((self._server_seconds() - self._server) / elapsed,
                (self._machine_seconds() - self._machine) / elapsed)


# --- report ------------------------------------------------------------------------------------


def machine() -> str:
    model = cpu_model()
    loops = [name for name in ("uvloop", "httptools") if _importable(name)]
    return (f"{os.cpu_count()} cores ({model}), Python {platform.python_version()}, "
            f"uvicorn with {' + '.join(loops) or 'asyncio + h11'}, "
            f"load average {os.getloadavg()[0]:.2f} at start")


def _importable(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per measurement")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds before each")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--load", choices=("auto", "wrk", "python"), default="auto")
    parser.add_argument("--rounds", type=int, default=10,
                        help="passes over the mix for the in-process figures")
    parser.add_argument("--load-worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.load_worker:
        _load_worker(args.load_worker)
        return
    use_wrk = args.load == "wrk" or (args.load == "auto" and shutil.which("wrk") is not None)
    drive = run_wrk if use_wrk else run_python_load

    print(f"machine: {machine()}")
    cost = in_process(args.rounds)
    lib = cost["library_us"]
    print(f"in process, CPU per request (best of 5, {MIX_SIZE}-complaint mix, no socket):")
    print(f"  parse + evaluate + serialise            {lib:6.0f} us")
    print(f"  /v1/evaluate, served at the door        {cost['direct_us']:6.0f} us   "
          f"x{cost['direct_us'] / lib:.2f} of the route's own work")
    print(f"  /v1/evaluate, through FastAPI routing   {cost['framework_us']:6.0f} us   "
          f"x{cost['framework_us'] / lib:.2f}")
    print(f"  /healthz (FastAPI route)                {cost['healthz_us']:6.0f} us")

    bodies = bodies_of_mix()
    scenarios = [("/healthz, 1 worker", 1, False, "/healthz", None),
                 ("/v1/evaluate, 1 worker, thread pool", 1, True, "/v1/evaluate", bodies),
                 ("/v1/evaluate, 1 worker, inline", 1, False, "/v1/evaluate", bodies),
                 ("/v1/evaluate, 2 workers, inline", 2, False, "/v1/evaluate", bodies)]
    print(f"over loopback, {args.connections} connections, {args.duration:g} s each, "
          f"load from {'wrk' if use_wrk else 'an asyncio client'}:")
    results: dict[str, Load] = {}
    for label, workers, offload, path, payload in scenarios:
        server = start_server(workers, offload)
        try:
            drive(server.url, path, payload, args.warmup, args.connections)
            meter = CpuMeter(server.process.pid)
            load = drive(server.url, path, payload, args.duration, args.connections)
            server_cores, machine_cores = meter.read()
        finally:
            server.stop()
        results[label] = load
        print(f"  {label:38s} {load.rps:6.0f} req/s  p50 {load.p50_ms:5.1f} ms  "
              f"p99 {load.p99_ms:6.1f} ms  errors {load.errors}  "
              f"cores: server {server_cores:.2f}, machine {machine_cores:.2f}")

    one, two = results["/v1/evaluate, 1 worker, inline"], results["/v1/evaluate, 2 workers, inline"]
    pooled = results["/v1/evaluate, 1 worker, thread pool"]
    print("ratios:")
    print(f"  inline / thread pool (req/s, 1 worker)  x{one.rps / pooled.rps:.2f}")
    print(f"  2 workers / 1 worker (req/s)            x{two.rps / one.rps:.2f}")
    ok = two.rps >= TARGET_RPS and two.p99_ms < TARGET_P99_MS and two.errors == 0
    print(f"target (2 workers: >= {TARGET_RPS:.0f} req/s, p99 < {TARGET_P99_MS:.0f} ms, no "
          f"errors): {'met' if ok else 'NOT met'}")
    print(f"load average at the end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
