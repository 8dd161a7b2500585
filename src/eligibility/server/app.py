"""The HTTP face of the engine: a FastAPI app around one loaded policy, and a way to serve it.

Other services call this before they file a complaint, so it answers every request with either a
verdict or a problem document that says exactly what was wrong, and never with a traceback. The
app is thin on purpose: the evaluation routes read the body under a size limit
(:mod:`.body`), hand it to :meth:`Policy.evaluate` and send back the verdict's own JSON,
so the HTTP answer is byte for byte the library's. Request ids, policy headers, API keys and the
access log live at the door (:mod:`.gateway`), which also serves the two evaluation
routes itself, past the framework's routing. Settings and their environment variables are in
:mod:`.config`, error documents in :mod:`.problems`, the OpenAPI description in
:mod:`.openapi`, and the checker page people use from a browser (``GET /``) in :mod:`.checker`.

The engine holds the GIL for the whole of an evaluation, so a thread pool cannot run two at once;
a single complaint is judged inline in the event loop, which the benchmark showed to be faster
than a hop to a worker thread. A batch can take a good fraction of a second, so it goes to a
thread, which lets the loop keep answering health checks meanwhile. Throughput across cores comes
from worker processes (``serve(workers=N)``).
"""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO, TypeVar

try:
    import uvicorn
    from fastapi import FastAPI, Query, Request
    from fastapi.responses import Response
    from starlette.concurrency import run_in_threadpool
    from starlette.exceptions import HTTPException as StarletteHTTPException
    from starlette.types import ASGIApp, Receive, Scope
except ModuleNotFoundError as exc:  # pragma: no cover - depends on how it was installed
    # Keep the missing module's name: the command line reports it.
    raise ModuleNotFoundError(f"the HTTP service needs the 'server' extra ({exc.name} is not "
                              "installed): pip install 'eligibility[server]'",
                              name=exc.name) from exc

from .. import __version__
from ..catalog import rule_entries
from ..errors import InvalidComplaint, Problem, shown
from ..jurisdiction.appeal import AppealDeadline
from ..models import Verdict, verdicts_json
from ..policy import Policy, load_policy
from .body import JSON, YAML, read_body
from .checker import HEADERS as PAGE_HEADERS
from .checker import Asset, page_assets
from .config import (
    ConfigError,
    ServiceSettings,
    check_api_keys,
    decision_log_target,
    merge_api_keys,
    positive_int,
    positive_seconds,
    read_api_keys_file,
    settings_from_environment,
)
from .decisions import STDOUT, DecisionLog
from .gateway import OPEN_PATHS, Gateway, exchange_of
from .language import negotiate
from .metrics import CONTENT_TYPE, MULTIPROC_ENV, Metrics, prepare_multiprocess_dir
from .openapi import (
    ANY_PLATFORM,
    BatchError,
    Health,
    Readiness,
    RuleCatalog,
    language_parameters,
    openapi_document,
    problem_responses,
)
from .problems import MEDIA_TYPE, HTTPProblem
from .transport import ConnectionLimits, Supervisor, guarded_protocol

FACTORY = "eligibility.server.app:app_from_environment"

__all__ = ["ConfigError", "app_from_environment", "create_app", "serve"]


# --- the app -----------------------------------------------------------------------------------


class ServiceApp(FastAPI):
    """FastAPI with the gateway wrapped around its whole stack, error handling included."""

    gateway_options: dict[str, Any]

    def build_middleware_stack(self) -> ASGIApp:
        return Gateway(super().build_middleware_stack(), **self.gateway_options)


T = TypeVar("T")


@dataclass(frozen=True)
class Evaluation:
    """The evaluation routes, written against plain ASGI so the gateway can serve them."""

    policy: Policy
    max_body: int
    max_batch: int
    offload: bool
    metrics: Metrics
    decisions: DecisionLog | None = None

    def judged(self, request_id: str, verdict: Verdict, data: Any,
               index: int | None = None, complaint: str | None = None) -> None:
        """Count a verdict and log the decision; called once per verdict, after the judgement
        and before the answer is sent, from any route that judges (``complaint``: the log's
        complaint part, when one complaint has several verdicts)."""
        self.metrics.judged(verdict)
        if self.decisions is not None:
            self.decisions.record(request_id, verdict, data, index, complaint)

    def language(self, scope: Scope) -> str:
        """The answer's language (for every route that words its answer), told to the gateway
        for the Content-Language and Vary headers."""
        code = negotiate(scope, self.policy.languages)
        exchange_of(scope).language = code
        return code

    async def one(self, scope: Scope, receive: Receive) -> bytes:
        lang = self.language(scope)
        data = await read_body(scope, receive, self.max_body)
        try:
            if self.offload:
                verdict = await run_in_threadpool(_judge, self.policy, data, lang)
            else:
                verdict = _judge(self.policy, data, lang)
        except HTTPProblem:
            self.metrics.invalid.inc()
            raise
        exchange = exchange_of(scope)
        exchange.decision = verdict.decision.value
        self.judged(exchange.request_id, verdict, data)
        return verdict.model_dump_json().encode("utf-8")

    async def everywhere(self, scope: Scope, receive: Receive) -> bytes:
        lang = self.language(scope)
        data = await read_body(scope, receive, self.max_body)
        try:
            verdicts = _judged(self.policy.evaluate_everywhere, data, lang)
        except HTTPProblem:
            self.metrics.invalid.inc()
            raise
        exchange = exchange_of(scope)
        # One complaint, one digest in the log, however many platforms judged it.
        complaint = (self.decisions.complaint_fields(data) if self.decisions is not None
                     else None)
        for verdict in verdicts.values():
            decision = verdict.decision.value
            exchange.decisions[decision] = exchange.decisions.get(decision, 0) + 1
            self.judged(exchange.request_id, verdict, data, complaint=complaint)
        exchange.invalid = 0
        return verdicts_json(verdicts).encode("utf-8")

    async def batch(self, scope: Scope, receive: Receive) -> bytes:
        lang = self.language(scope)
        data = await read_body(scope, receive, self.max_body)
        if not isinstance(data, list):
            raise HTTPProblem("invalid-complaint", "the body must be a JSON array of complaints",
                              errors=[{"path": "", "message": "expected a JSON array, got "
                                                              f"{_json_kind(data)}"}])
        if len(data) > self.max_batch:
            raise HTTPProblem("batch-too-large", f"{len(data)} complaints; at most "
                                                 f"{self.max_batch} per batch")
        exchange = exchange_of(scope)
        self.metrics.batch_size.observe(len(data))

        def judged(index: int, verdict: Verdict) -> None:
            self.judged(exchange.request_id, verdict, data[index], index)

        # A large batch takes a good part of a second: judged in a thread, it leaves the event
        # loop free to answer health checks meanwhile.
        body = await run_in_threadpool(_judge_batch, self.policy, data, exchange.decisions, lang,
                                       judged)
        exchange.invalid = len(data) - sum(exchange.decisions.values())
        if exchange.invalid:
            self.metrics.invalid.inc(exchange.invalid)
        return body


def create_app(policy: Policy, *, api_keys: Iterable[str] | None = None,
               max_body_bytes: int = 1_048_576, max_batch: int = 1_000,
               access_log: bool | TextIO = True, offload_evaluation: bool = False,
               direct_routes: bool = True, decision_log: str | Path | DecisionLog | None = None,
               decision_log_input: bool = False, metrics_public: bool = False) -> FastAPI:
    """Build the service for a loaded policy.

    ``api_keys``: when given, every request outside the health endpoints, the OpenAPI
    document and the checker page's static files needs ``Authorization: Bearer <key>``.
    ``access_log``: True sends one JSON line per request to the ``eligibility.access`` logger,
    a text stream receives the lines directly
    (cheaper; what ``serve`` does with standard output), False turns it off.

    ``decision_log``: a file path (or ``"-"``, standard output) receiving one JSON line per
    judged complaint (:mod:`.decisions`), with the complaint itself only when
    ``decision_log_input`` is set. ``GET /metrics`` needs an API key like the API, unless
    ``metrics_public`` exempts it (a scraper inside a private network).

    The last two options exist to measure design choices (docs/performance.md):
    ``offload_evaluation`` judges single complaints in a worker thread instead of the event
    loop, and ``direct_routes=False`` sends the evaluation routes through the framework's
    routing like the others. Both make the service slower.
    """
    keys = check_api_keys(api_keys, "api_keys") if api_keys is not None else None
    max_body = positive_int(max_body_bytes, "max_body_bytes")
    batch_limit = positive_int(max_batch, "max_batch")
    metrics = Metrics(version=policy.version, digest=policy.digest, platforms=policy.platforms,
                      rules=[rule.id for rule in policy.catalog])
    if decision_log is None or isinstance(decision_log, DecisionLog):
        decisions = decision_log
    else:
        decisions = DecisionLog(decision_log, version=policy.version, digest=policy.digest,
                                include_input=decision_log_input,
                                on_lost=metrics.lost_lines.inc)
    evaluation = Evaluation(policy, max_body, batch_limit, offload_evaluation, metrics,
                            decisions)
    # The key scheme is declared either way; operations require it only when keys are on.
    auth = (401,) if keys is not None else ()
    open_paths = OPEN_PATHS | {"/metrics"} if metrics_public else OPEN_PATHS

    app = ServiceApp(title="eligibility", version=__version__, docs_url=None, redoc_url=None,
                     description="Is an IP takedown complaint eligible on a marketplace, why "
                                 "not, and by when should the platform answer.")
    if decisions is not None and decisions is not decision_log:
        # A log this app opened is this app's to close when the server stops.
        app.router.on_shutdown.append(decisions.close)
    app.gateway_options = {
        "digest": policy.digest, "version": policy.version, "api_keys": keys,
        "max_body_bytes": max_body, "access_log": access_log,
        "open_paths": open_paths,
        "on_answer": metrics.answered,
        "direct": {("POST", "/v1/evaluate"): evaluation.one,
                   ("POST", "/v1/evaluate/everywhere"): evaluation.everywhere,
                   ("POST", "/v1/evaluate/batch"): evaluation.batch} if direct_routes else None,
    }
    app.state.policy = policy
    app.state.evaluation = evaluation
    app.add_exception_handler(HTTPProblem, _problem_handler)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException,
                              _http_exception_handler)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _internal_error_handler)

    rules_bodies = {code: json.dumps({
        "version": policy.version, "digest": policy.digest, "language": code,
        "rules": rule_entries(policy, code),
    }, ensure_ascii=False, separators=(",", ":")).encode("utf-8") for code in policy.languages}
    complaint_schema = policy.complaint_schema()
    schema_body = json.dumps(complaint_schema, ensure_ascii=False,
                             separators=(",", ":")).encode("utf-8")
    ready_body = json.dumps({
        "status": "ready",
        "policy": {"version": policy.version, "digest": policy.digest,
                   "rules": len(policy.catalog), "platforms": sorted(policy.platforms)},
    }, separators=(",", ":")).encode("utf-8")
    health_body = b'{"status":"ok"}'

    complaint_ref = {"$ref": "#/components/schemas/Complaint"}
    anywhere_ref = {"$ref": f"#/components/schemas/{ANY_PLATFORM}"}
    languages = language_parameters(policy.languages)

    @app.post("/v1/evaluate", summary="Judge one complaint", tags=["evaluation"],
              response_model=None,
              responses={200: {"model": Verdict, "description": "The verdict"},
                         **problem_responses(400, *auth, 408, 413, 415, 422, 500)},
              openapi_extra={"parameters": languages, "requestBody": {
                  "required": True, "content": {JSON: {"schema": complaint_ref},
                                                YAML: {"schema": complaint_ref}}}})
    async def evaluate(request: Request) -> Response:
        return Response(await evaluation.one(request.scope, request.receive), media_type=JSON)

    @app.post("/v1/evaluate/everywhere", summary="Judge one complaint on every platform",
              tags=["evaluation"], response_model=None,
              responses={200: {"model": dict[str, Verdict],
                               "description": "Platform id -> its verdict, for every platform "
                                              "of the policy; the listing rules are not "
                                              "applicable, and `platform` may be left out"},
                         **problem_responses(400, *auth, 408, 413, 415, 422, 500)},
              openapi_extra={"parameters": languages, "requestBody": {
                  "required": True, "content": {JSON: {"schema": anywhere_ref},
                                                YAML: {"schema": anywhere_ref}}}})
    async def evaluate_everywhere(request: Request) -> Response:
        return Response(await evaluation.everywhere(request.scope, request.receive),
                        media_type=JSON)

    @app.post("/v1/evaluate/batch", summary="Judge a list of complaints", tags=["evaluation"],
              response_model=None,
              responses={200: {"model": list[Verdict | BatchError],
                               "description": "One entry per complaint, in request order: its "
                                              "verdict, or every problem that kept it from one"},
                         **problem_responses(400, *auth, 408, 413, 415, 422, 500)},
              openapi_extra={"parameters": languages, "requestBody": {
                  "required": True, "content": {media: {"schema": {
                      "type": "array", "items": complaint_ref, "maxItems": batch_limit}}
                      for media in (JSON, YAML)}}})
    async def evaluate_batch(request: Request) -> Response:
        return Response(await evaluation.batch(request.scope, request.receive), media_type=JSON)

    @app.get("/v1/rules", summary="The rule catalog", tags=["policy"], response_model=None,
             responses={200: {"model": RuleCatalog, "description": "Every rule of the policy"},
                        **problem_responses(400, *auth)},
             openapi_extra={"parameters": languages})
    async def rules(request: Request) -> Response:
        return Response(rules_bodies[evaluation.language(request.scope)], media_type=JSON)

    @app.get("/v1/schema", summary="JSON Schema of a complaint", tags=["policy"],
             response_model=None,
             responses={200: {"description": "A JSON Schema (draft 2020-12) listing this "
                                             "policy's platforms and offices"},
                        **problem_responses(400, *auth)})
    async def schema() -> Response:
        return Response(schema_body, media_type=JSON)

    # GET and HEAD (a load balancer's probe) on the open health endpoints.
    health_routes = (("/healthz", "Liveness", Health, "The process answers", health_body),
                     ("/readyz", "Readiness", Readiness, "The policy is loaded and compiled",
                      ready_body))
    for path, summary, model, described, body in health_routes:
        for method in ("GET", "HEAD"):
            app.add_api_route(path, _fixed_answer(body), methods=[method], tags=["operations"],
                              summary=summary if method == "GET" else f"{summary} (no body)",
                              name=f"{path.strip('/')}_{method.lower()}", response_model=None,
                              responses={200: {"model": model, "description": described},
                                         **problem_responses(400)})

    @app.get("/v1/appeal-deadline", summary="Last day to act after a counter-notice",
             tags=["policy"], response_model=None,
             responses={200: {"model": AppealDeadline,
                              "description": "The last day to act once a seller's counter-notice "
                                             "reaches the complainant, or why there is none"},
                        **problem_responses(400, *auth, 422)},
             openapi_extra={"parameters": languages})
    async def appeal_deadline(
            request: Request,
            platform: str | None = Query(None, description="A platform id of the policy"),
            forwarded_at: str | None = Query(
                None, description="When the platform forwarded the counter-notice: ISO 8601 "
                                  "with a UTC offset (send '+' as %2B)"),
    ) -> Response:
        code = evaluation.language(request.scope)
        given = {"platform": platform, "forwarded_at": _plus_in_offset(forwarded_at)}
        words = policy.language(code)
        missing = [{"path": name, "message": words.problem(
                        Problem(name, "required query parameter", "missing"))}
                   for name, value in given.items() if not value]
        if missing:
            raise HTTPProblem("invalid-parameter", _problem_count(len(missing)), errors=missing)
        try:
            answer = policy.appeal_deadline(str(given["platform"]), str(given["forwarded_at"]),
                                            lang=code)
        except InvalidComplaint as exc:
            raise HTTPProblem("invalid-parameter", _problem_count(len(exc.problems)),
                              errors=exc.errors()) from None
        return Response(answer.model_dump_json(), media_type=JSON)

    @app.get("/metrics", summary="Prometheus metrics", tags=["operations"], response_model=None,
             responses={200: {"description": "The Prometheus text format",
                              "content": {"text/plain": {"schema": {"type": "string"}}}},
                        **problem_responses(400, *(auth if not metrics_public else ()))})
    async def prometheus_metrics() -> Response:
        return Response(metrics.render(), media_type=CONTENT_TYPE)

    texts = {code: policy.language(code) for code in policy.languages}
    for path, asset in page_assets(complaint_schema, texts).items():
        app.add_api_route(path, _page_route(asset), methods=["GET", "HEAD"],
                          include_in_schema=False)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = openapi_document(app, complaint_schema,
                                                  keys_required=keys is not None,
                                                  open_paths=open_paths)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    # Every route's path is a metrics label; any other path counts as "other".
    paths = [getattr(route, "path", "") for route in app.routes]
    metrics.expect_routes(paths, timed=[p for p in paths if p.startswith("/v1/evaluate")])
    return app


def _page_route(asset: Asset) -> Any:
    """A route answering one of the checker page's files (see :mod:`.checker`)."""
    async def page_file() -> Response:
        return Response(asset.body, media_type=asset.media_type, headers=dict(PAGE_HEADERS))
    return page_file


def _fixed_answer(body: bytes) -> Callable[[], Awaitable[Response]]:
    async def answer() -> Response:
        return Response(body, media_type=JSON)
    return answer


def _judged(judge: Callable[..., T], data: Any, lang: str) -> T:
    """``judge(data, lang=lang)``, a complaint that cannot be read answered as a 422 problem."""
    try:
        return judge(data, lang=lang)
    except InvalidComplaint as exc:
        raise HTTPProblem("invalid-complaint", _problem_count(len(exc.problems)),
                          errors=exc.errors()) from None


def _judge(policy: Policy, data: Any, lang: str) -> Verdict:
    return _judged(policy.evaluate, data, lang)


def _judge_batch(policy: Policy, items: Sequence[Any], decisions: dict[str, int],
                 lang: str, judged: Callable[[int, Verdict], None]) -> bytes:
    """The batch answer: per complaint, in order, its verdict exactly as the library writes it, or
    ``{"index", "status": 422, "errors"}`` for one that could not be read. ``judged`` hears of
    every verdict, with its index."""
    parts: list[str] = []
    for index, outcome in enumerate(policy.iter_evaluate(items, lang=lang)):
        if isinstance(outcome, InvalidComplaint):
            errors = json.dumps(outcome.errors(), ensure_ascii=False, separators=(",", ":"))
            parts.append(f'{{"index":{index},"status":422,"errors":{errors}}}')
        else:
            decision = outcome.decision.value
            decisions[decision] = decisions.get(decision, 0) + 1
            judged(index, outcome)
            parts.append(outcome.model_dump_json())  # the verdict itself, as /v1/evaluate sends it
    return ("[" + ",".join(parts) + "]").encode("utf-8")


_SPACED_OFFSET = re.compile(r" (\d{2}(:?\d{2})?)$")


def _plus_in_offset(value: str | None) -> str | None:
    """An unencoded '+' of a UTC offset arrives as a space in a query string; put it back."""
    return None if value is None else _SPACED_OFFSET.sub(r"+\1", value)


def _problem_count(n: int) -> str:
    return f"{n} problem{'s' if n != 1 else ''} found; see errors"


def _json_kind(value: Any) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean",
             int: "a number", float: "a number", type(None): "null"}
    return names.get(type(value), type(value).__name__)


async def _problem_handler(request: Request, problem: HTTPProblem) -> Response:
    return Response(problem.render(exchange_of(request.scope).request_id),
                    status_code=problem.status, media_type=MEDIA_TYPE,
                    headers={**problem.headers, **({"Connection": "close"}
                                                   if problem.close else {})})


async def _http_exception_handler(request: Request, exc: StarletteHTTPException) -> Response:
    """Routing refusals (unknown path, wrong method) as problem documents too."""
    kind = {404: "not-found", 405: "method-not-allowed"}.get(exc.status_code, "bad-request")
    path = shown(request.url.path)
    detail = {"not-found": f"no resource at {path}",
              "method-not-allowed": f"{shown(request.method)} is not allowed on {path}",
              }.get(kind, str(exc.detail))
    problem = HTTPProblem(kind, detail, headers=dict(exc.headers or {}))
    return await _problem_handler(request, problem)


async def _internal_error_handler(request: Request, exc: Exception) -> Response:
    """A failure inside a framework route; the gateway logs it with the request id."""
    return await _problem_handler(request, HTTPProblem(
        "internal-error", "the service failed while answering; quote the request id when "
                          "reporting it"))


# --- serving -----------------------------------------------------------------------------------


def app_from_environment() -> FastAPI:
    """The app a worker process builds from the ``ELIGIBILITY_*`` environment variables."""
    settings = settings_from_environment()
    return _build(load_policy(settings.rules_dir, settings.jurisdictions_dir), settings)


def _build(policy: Policy, settings: ServiceSettings) -> FastAPI:
    # The process owns its standard output: access lines go there directly, not via logging.
    app = create_app(policy, api_keys=settings.api_keys, max_body_bytes=settings.max_body_bytes,
                     max_batch=settings.max_batch,
                     access_log=sys.stdout if settings.access_log else False,
                     decision_log=settings.decision_log,
                     decision_log_input=settings.decision_log_input,
                     metrics_public=settings.metrics_public)
    decisions = app.state.evaluation.decisions
    if decisions is not None and decisions.target != STDOUT and \
            threading.current_thread() is threading.main_thread():
        # logrotate's convention: SIGHUP after moving the file away. (A worker's SIGHUP would
        # otherwise end it; the supervisor's restarts the workers, which reopen the file too.)
        signal.signal(signal.SIGHUP, lambda _signum, _frame: decisions.request_reopen())
    return app


def log_config(level: str = "info") -> dict[str, Any]:
    """uvicorn's logging (on standard error), with the service's error log beside it."""
    config: dict[str, Any] = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    config["loggers"]["eligibility.server"] = {"handlers": ["default"],
                                               "level": level.upper(), "propagate": False}
    return config


def serve(*, rules_dir: str | Path | None = None, jurisdictions_dir: str | Path | None = None,
          host: str = "127.0.0.1", port: int = 8080, workers: int = 1,
          api_keys: Iterable[str] | None = None, api_keys_file: str | Path | None = None,
          max_body_bytes: int | None = None, max_batch: int | None = None,
          access_log: bool | None = None, log_level: str = "info",
          graceful_timeout: int = 30, decision_log: str | Path | None = None,
          decision_log_input: bool | None = None, metrics_public: bool | None = None,
          header_timeout: float | None = None, body_timeout: float | None = None,
          keep_alive_timeout: float | None = None, max_header_bytes: int | None = None,
          max_headers: int | None = None, max_connections: int | None = None) -> None:
    """Run the service until SIGINT or SIGTERM, then finish in-flight requests and stop.

    Arguments left as None fall back to the ``ELIGIBILITY_*`` environment variables; API keys
    from the arguments and the environment are all accepted. Every setting is checked, and the
    policy loaded, before the port is opened, so a mistake stops the start with a ConfigError
    or PolicyError rather than a worker crashing later. After a signal the process ends with
    that signal (exit status 143 after SIGTERM), however many workers it ran.

    ``decision_log`` (a file, or ``"-"``) and ``decision_log_input``: see :func:`create_app`.
    With several workers, metrics are kept in ``PROMETHEUS_MULTIPROC_DIR`` (a fresh temporary
    folder unless that variable names one, which is emptied first) so any worker's
    ``/metrics`` shows the sum of all of them.
    """
    env = settings_from_environment()
    if not isinstance(port, int) or isinstance(port, bool) or not 0 <= port <= 65535:
        raise ConfigError(f"port: expected 0-65535, got {port!r}")
    n_workers = positive_int(workers, "workers")

    def given(value: Any, check: Callable[[Any, str], Any], name: str, default: Any) -> Any:
        return check(value, name) if value is not None else default

    settings = ServiceSettings(
        rules_dir=Path(rules_dir) if rules_dir is not None else env.rules_dir,
        jurisdictions_dir=(Path(jurisdictions_dir) if jurisdictions_dir is not None
                           else env.jurisdictions_dir),
        api_keys=merge_api_keys(
            env.api_keys,
            check_api_keys(api_keys, "api_keys") if api_keys is not None else None,
            read_api_keys_file(api_keys_file) if api_keys_file is not None else None),
        max_body_bytes=given(max_body_bytes, positive_int, "max_body_bytes", env.max_body_bytes),
        max_batch=given(max_batch, positive_int, "max_batch", env.max_batch),
        access_log=bool(access_log) if access_log is not None else env.access_log,
        decision_log=(decision_log_target(decision_log, "decision_log")
                      if decision_log is not None else env.decision_log),
        decision_log_input=(bool(decision_log_input) if decision_log_input is not None
                            else env.decision_log_input),
        metrics_public=(bool(metrics_public) if metrics_public is not None
                        else env.metrics_public),
        header_timeout=given(header_timeout, positive_seconds, "header_timeout",
                             env.header_timeout),
        body_timeout=given(body_timeout, positive_seconds, "body_timeout", env.body_timeout),
        keep_alive_timeout=given(keep_alive_timeout, positive_seconds, "keep_alive_timeout",
                                 env.keep_alive_timeout),
        max_header_bytes=given(max_header_bytes, positive_int, "max_header_bytes",
                               env.max_header_bytes),
        max_headers=given(max_headers, positive_int, "max_headers", env.max_headers),
        max_connections=given(max_connections, positive_int, "max_connections",
                              env.max_connections),
    )
    policy = load_policy(settings.rules_dir, settings.jurisdictions_dir)
    limits = ConnectionLimits(settings.header_timeout, settings.body_timeout,
                              settings.max_header_bytes, settings.max_headers)
    options: dict[str, Any] = {
        "host": host, "port": port, "log_config": log_config(log_level), "log_level": log_level,
        "access_log": False, "server_header": False,
        "timeout_graceful_shutdown": graceful_timeout,
        "http": guarded_protocol(limits), "limit_concurrency": settings.max_connections,
        "timeout_keep_alive": settings.keep_alive_timeout,
    }
    if n_workers == 1:
        if os.environ.get(MULTIPROC_ENV):  # the operator asked for files even for one process
            prepare_multiprocess_dir(os.environ[MULTIPROC_ENV])
        # uvicorn raises the signal it caught again once it has stopped: the process ends by it.
        uvicorn.run(_build(policy, settings), **options)
        return
    del policy  # each worker loads its own: uvicorn starts them as fresh interpreters
    settings.to_environment(os.environ)
    given_dir = os.environ.get(MULTIPROC_ENV)
    metrics_dir = given_dir or tempfile.mkdtemp(prefix="eligibility-metrics-")
    prepare_multiprocess_dir(metrics_dir)  # counts start from zero at every start
    os.environ[MULTIPROC_ENV] = metrics_dir
    config = uvicorn.Config(FACTORY, factory=True, workers=n_workers, **options)
    supervisor = Supervisor(config, sockets=[config.bind_socket()])
    try:
        supervisor.run()
    finally:
        if not given_dir:
            shutil.rmtree(metrics_dir, ignore_errors=True)
            os.environ.pop(MULTIPROC_ENV, None)
    if supervisor.stopped_by is not None:
        signal.signal(supervisor.stopped_by, signal.SIG_DFL)
        signal.raise_signal(supervisor.stopped_by)

