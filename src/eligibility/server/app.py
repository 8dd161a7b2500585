"""The HTTP face of the engine: a FastAPI app around one loaded policy, and a way to serve it.

Other services call this before they file a complaint, so it answers every request with either a
verdict or a problem document that says exactly what was wrong, and never with a traceback. The
app is thin on purpose: the evaluation routes read the body under a size limit
(:mod:`.body`), hand it to :meth:`Policy.evaluate` and send back the verdict's own JSON,
so the HTTP answer is byte for byte the library's. Request ids, policy headers, API keys and the
access log live at the door (:mod:`.gateway`), which also serves the two evaluation
routes itself, past the framework's routing. Settings and their environment variables are in
:mod:`.config`, error documents in :mod:`.problems`, the OpenAPI description in
:mod:`.openapi`.

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
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

try:
    import uvicorn
    from fastapi import FastAPI, Request
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
from ..errors import InvalidComplaint
from ..models import Verdict
from ..policy import Policy, load_policy
from .body import JSON, read_json
from .config import (
    ConfigError,
    ServiceSettings,
    check_api_keys,
    merge_api_keys,
    positive_int,
    read_api_keys_file,
    settings_from_environment,
)
from .gateway import Gateway, exchange_of
from .language import negotiate
from .openapi import (
    BatchError,
    Health,
    Readiness,
    RuleCatalog,
    language_parameters,
    openapi_document,
    problem_responses,
)
from .problems import MEDIA_TYPE, HTTPProblem

FACTORY = "eligibility.server.app:app_from_environment"

__all__ = ["ConfigError", "app_from_environment", "create_app", "serve"]


# --- the app -----------------------------------------------------------------------------------


class ServiceApp(FastAPI):
    """FastAPI with the gateway wrapped around its whole stack, error handling included."""

    gateway_options: dict[str, Any]

    def build_middleware_stack(self) -> ASGIApp:
        return Gateway(super().build_middleware_stack(), **self.gateway_options)


@dataclass(frozen=True)
class Evaluation:
    """The evaluation routes, written against plain ASGI so the gateway can serve them."""

    policy: Policy
    max_body: int
    max_batch: int
    offload: bool

    def language(self, scope: Scope) -> str:
        """The answer's language, told to the gateway for the Content-Language header."""
        code = negotiate(scope, self.policy.languages)
        exchange_of(scope).language = code
        return code

    async def one(self, scope: Scope, receive: Receive) -> bytes:
        lang = self.language(scope)
        data = await read_json(scope, receive, self.max_body)
        if self.offload:
            verdict = await run_in_threadpool(_judge, self.policy, data, lang)
        else:
            verdict = _judge(self.policy, data, lang)
        exchange_of(scope).decision = verdict.decision.value
        return verdict.model_dump_json().encode("utf-8")

    async def everywhere(self, scope: Scope, receive: Receive) -> bytes:
        lang = self.language(scope)
        data = await read_json(scope, receive, self.max_body)
        try:
            verdicts = self.policy.evaluate_everywhere(data, lang=lang)
        except InvalidComplaint as exc:
            raise HTTPProblem("invalid-complaint", _problem_count(len(exc.problems)),
                              errors=exc.errors()) from None
        exchange = exchange_of(scope)
        for verdict in verdicts.values():
            decision = verdict.decision.value
            exchange.decisions[decision] = exchange.decisions.get(decision, 0) + 1
        exchange.invalid = 0
        joined = ",".join(f"{json.dumps(platform)}:{verdict.model_dump_json()}"
                          for platform, verdict in verdicts.items())
        return ("{" + joined + "}").encode("utf-8")

    async def batch(self, scope: Scope, receive: Receive) -> bytes:
        lang = self.language(scope)
        data = await read_json(scope, receive, self.max_body)
        if not isinstance(data, list):
            raise HTTPProblem("invalid-complaint", "the body must be a JSON array of complaints",
                              errors=[{"path": "", "message": "expected a JSON array, got "
                                                              f"{_json_kind(data)}"}])
        if len(data) > self.max_batch:
            raise HTTPProblem("batch-too-large", f"{len(data)} complaints; at most "
                                                 f"{self.max_batch} per batch")
        exchange = exchange_of(scope)
        # A large batch takes a good part of a second: judged in a thread, it leaves the event
        # loop free to answer health checks meanwhile.
        body = await run_in_threadpool(_judge_batch, self.policy, data, exchange.decisions, lang)
        exchange.invalid = len(data) - sum(exchange.decisions.values())
        return body


def create_app(policy: Policy, *, api_keys: Iterable[str] | None = None,
               max_body_bytes: int = 1_048_576, max_batch: int = 1_000,
               access_log: bool | TextIO = True, offload_evaluation: bool = False,
               direct_routes: bool = True) -> FastAPI:
    """Build the service for a loaded policy.

    ``api_keys``: when given, every request outside the health endpoints and the OpenAPI
    document needs ``Authorization: Bearer <key>``. ``access_log``: True sends one JSON line per
    request to the ``eligibility.access`` logger, a text stream receives the lines directly
    (cheaper; what ``serve`` does with standard output), False turns it off.

    The last two options exist to measure design choices (docs/performance.md):
    ``offload_evaluation`` judges single complaints in a worker thread instead of the event
    loop, and ``direct_routes=False`` sends the evaluation routes through the framework's
    routing like the others. Both make the service slower.
    """
    keys = check_api_keys(api_keys, "api_keys") if api_keys is not None else None
    max_body = positive_int(max_body_bytes, "max_body_bytes")
    batch_limit = positive_int(max_batch, "max_batch")
    evaluation = Evaluation(policy, max_body, batch_limit, offload_evaluation)

    app = ServiceApp(title="eligibility", version=__version__, docs_url=None, redoc_url=None,
                     description="Is an IP takedown complaint eligible on a marketplace, why "
                                 "not, and by when should the platform answer.")
    app.gateway_options = {
        "digest": policy.digest, "version": policy.version, "api_keys": keys,
        "max_body_bytes": max_body, "access_log": access_log,
        "direct": {("POST", "/v1/evaluate"): evaluation.one,
                   ("POST", "/v1/evaluate/everywhere"): evaluation.everywhere,
                   ("POST", "/v1/evaluate/batch"): evaluation.batch} if direct_routes else None,
    }
    app.state.policy = policy
    app.add_exception_handler(HTTPProblem, _problem_handler)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException,
                              _http_exception_handler)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _internal_error_handler)

    rules_bodies = {code: json.dumps({
        "version": policy.version, "digest": policy.digest, "language": code,
        "rules": [{"id": r.id, "title": r.texts[code].title, "severity": r.severity,
                   "platforms": list(r.platforms), "applies_to": list(r.applies_to),
                   "source": r.source, "file": r.file} for r in policy.catalog],
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
    languages = language_parameters(policy.languages)

    @app.post("/v1/evaluate", summary="Judge one complaint", tags=["evaluation"],
              response_model=None,
              responses={200: {"model": Verdict, "description": "The verdict"},
                         **problem_responses(400, 401, 413, 415, 422, 500)},
              openapi_extra={"parameters": languages, "requestBody": {
                  "required": True, "content": {JSON: {"schema": complaint_ref}}}})
    async def evaluate(request: Request) -> Response:
        return Response(await evaluation.one(request.scope, request.receive), media_type=JSON)

    @app.post("/v1/evaluate/everywhere", summary="Judge one complaint on every platform",
              tags=["evaluation"], response_model=None,
              responses={200: {"model": dict[str, Verdict],
                               "description": "Platform id -> its verdict, for every platform "
                                              "of the policy; the listing rules are not "
                                              "applicable, and `platform` may be left out"},
                         **problem_responses(400, 401, 413, 415, 422, 500)},
              openapi_extra={"parameters": languages, "requestBody": {
                  "required": True, "content": {JSON: {"schema": complaint_ref}}}})
    async def evaluate_everywhere(request: Request) -> Response:
        return Response(await evaluation.everywhere(request.scope, request.receive),
                        media_type=JSON)

    @app.post("/v1/evaluate/batch", summary="Judge a list of complaints", tags=["evaluation"],
              response_model=None,
              responses={200: {"model": list[Verdict | BatchError],
                               "description": "One entry per complaint, in request order: its "
                                              "verdict, or every problem that kept it from one"},
                         **problem_responses(400, 401, 413, 415, 422, 500)},
              openapi_extra={"parameters": languages, "requestBody": {
                  "required": True, "content": {JSON: {"schema": {
                      "type": "array", "items": complaint_ref, "maxItems": batch_limit}}}}})
    async def evaluate_batch(request: Request) -> Response:
        return Response(await evaluation.batch(request.scope, request.receive), media_type=JSON)

    @app.get("/v1/rules", summary="The rule catalog", tags=["policy"], response_model=None,
             responses={200: {"model": RuleCatalog, "description": "Every rule of the policy"},
                        **problem_responses(400, 401)},
             openapi_extra={"parameters": languages})
    async def rules(request: Request) -> Response:
        code = negotiate(request.scope, policy.languages)
        exchange_of(request.scope).language = code
        return Response(rules_bodies[code], media_type=JSON)

    @app.get("/v1/schema", summary="JSON Schema of a complaint", tags=["policy"],
             response_model=None,
             responses={200: {"description": "A JSON Schema (draft 2020-12) listing this "
                                             "policy's platforms and offices"},
                        **problem_responses(401)})
    async def schema() -> Response:
        return Response(schema_body, media_type=JSON)

    @app.get("/healthz", summary="Liveness", tags=["operations"], response_model=None,
             responses={200: {"model": Health, "description": "The process answers"}})
    async def healthz() -> Response:
        return Response(health_body, media_type=JSON)

    @app.get("/readyz", summary="Readiness", tags=["operations"], response_model=None,
             responses={200: {"model": Readiness,
                              "description": "The policy is loaded and compiled"}})
    async def readyz() -> Response:
        return Response(ready_body, media_type=JSON)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = openapi_document(app, complaint_schema)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


def _judge(policy: Policy, data: Any, lang: str) -> Verdict:
    try:
        return policy.evaluate(data, lang=lang)
    except InvalidComplaint as exc:
        raise HTTPProblem("invalid-complaint", _problem_count(len(exc.problems)),
                          errors=exc.errors()) from None


def _judge_batch(policy: Policy, items: Sequence[Any], decisions: dict[str, int],
                 lang: str) -> bytes:
    """The batch answer: per complaint, in order, its verdict exactly as the library writes it, or
    ``{"index", "status": 422, "errors"}`` for one that could not be read."""
    parts: list[str] = []
    for index, outcome in enumerate(policy.iter_evaluate(items, lang=lang)):
        if isinstance(outcome, InvalidComplaint):
            errors = json.dumps(outcome.errors(), ensure_ascii=False, separators=(",", ":"))
            parts.append(f'{{"index":{index},"status":422,"errors":{errors}}}')
        else:
            decision = outcome.decision.value
            decisions[decision] = decisions.get(decision, 0) + 1
            parts.append(outcome.model_dump_json())  # the verdict itself, as /v1/evaluate sends it
    return ("[" + ",".join(parts) + "]").encode("utf-8")


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
    detail = {"not-found": f"no resource at {request.url.path}",
              "method-not-allowed": f"{request.method} is not allowed on {request.url.path}",
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
    return create_app(policy, api_keys=settings.api_keys, max_body_bytes=settings.max_body_bytes,
                      max_batch=settings.max_batch,
                      access_log=sys.stdout if settings.access_log else False)


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
          graceful_timeout: int = 30) -> None:
    """Run the service until SIGINT or SIGTERM, then finish in-flight requests and stop.

    Arguments left as None fall back to the ``ELIGIBILITY_*`` environment variables; API keys
    from the arguments and the environment are all accepted. Every setting is checked, and the
    policy loaded, before the port is opened, so a mistake stops the start with a ConfigError
    or PolicyError rather than a worker crashing later.
    """
    env = settings_from_environment()
    if not isinstance(port, int) or isinstance(port, bool) or not 0 <= port <= 65535:
        raise ConfigError(f"port: expected 0-65535, got {port!r}")
    n_workers = positive_int(workers, "workers")
    settings = ServiceSettings(
        rules_dir=Path(rules_dir) if rules_dir is not None else env.rules_dir,
        jurisdictions_dir=(Path(jurisdictions_dir) if jurisdictions_dir is not None
                           else env.jurisdictions_dir),
        api_keys=merge_api_keys(
            env.api_keys,
            check_api_keys(api_keys, "api_keys") if api_keys is not None else None,
            read_api_keys_file(api_keys_file) if api_keys_file is not None else None),
        max_body_bytes=(positive_int(max_body_bytes, "max_body_bytes")
                        if max_body_bytes is not None else env.max_body_bytes),
        max_batch=(positive_int(max_batch, "max_batch") if max_batch is not None
                   else env.max_batch),
        access_log=bool(access_log) if access_log is not None else env.access_log,
    )
    policy = load_policy(settings.rules_dir, settings.jurisdictions_dir)
    options: dict[str, Any] = {
        "host": host, "port": port, "log_config": log_config(log_level), "log_level": log_level,
        "access_log": False, "server_header": False,
        "timeout_graceful_shutdown": graceful_timeout,
    }
    if n_workers == 1:
        uvicorn.run(_build(policy, settings), **options)
        return
    del policy  # each worker loads its own: uvicorn starts them as fresh interpreters
    settings.to_environment(os.environ)
    uvicorn.run(FACTORY, factory=True, workers=n_workers, **options)

