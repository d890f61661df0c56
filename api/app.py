"""The HTTP API: `create_app(settings)` builds it; `papertrail serve` runs it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from agent.settings import Settings
from api.app_resources import AppResources
from api.metrics import registry_for
from api.routes import documents, ops, reviews


def create_app(settings: Settings | None = None, **probed_overrides: Any) -> FastAPI:
    """The app on these settings. `probed_overrides` (`retriever=...`, `adjudicator=...`)
    replace the parts GET /healthz probes (tests); the workers build their own."""
    settings = settings or Settings()
    state = AppResources.open(settings, **probed_overrides)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        state.close()

    app = FastAPI(
        title="Papertrail", version="0.1.0", lifespan=lifespan,
        description="Upload business documents, follow their processing, decide reviews, "
        "read each decision's lineage. Send an API key as `Authorization: Bearer KEY`.",
    )
    app.state.papertrail = state
    app.state.papertrail_metrics = registry_for(state)
    app.include_router(documents.router)
    app.include_router(reviews.router)
    app.include_router(ops.router)
    if settings.slack.enabled:
        from api.slack.bolt import build_bolt, slack_router

        bolt = build_bolt(settings.slack, state.store,
                          lambda doc_id, decision: state.enqueue_resume(doc_id, decision))
        app.include_router(slack_router(bolt))
    _error_handlers(app)
    _upload_size_guard(app, settings.max_upload_bytes)
    return app


MULTIPART_OVERHEAD = 64 * 1024


def _upload_size_guard(app: FastAPI, limit: int) -> None:
    """Refuse an oversized upload from its Content-Length, before its body is read."""

    @app.middleware("http")
    async def guard(request: Request, call_next: Any) -> Any:
        declared = request.headers.get("content-length", "")
        if (request.method == "POST" and request.url.path == "/documents"
                and declared.isdigit() and int(declared) > limit + MULTIPART_OVERHEAD):
            return JSONResponse({"error": "file_too_large", "message": (
                f"The upload is {int(declared) / 2**20:.1f} MiB; the limit is "
                f"{limit / 2**20:.1f} MiB (setting PAPERTRAIL_MAX_UPLOAD_BYTES). Split or "
                "compress it.")}, status_code=413)
        return await call_next(request)


def _error_handlers(app: FastAPI) -> None:
    @app.exception_handler(HTTPException)
    async def http_error(_: Request, exc: HTTPException) -> JSONResponse:
        body = exc.detail if isinstance(exc.detail, dict) else {
            "error": f"http_{exc.status_code}", "message": str(exc.detail)}
        return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        details = [{"loc": list(e.get("loc", ())), "msg": e.get("msg"), "type": e.get("type")}
                   for e in exc.errors()]
        first = details[0] if details else {"loc": [], "msg": "invalid"}
        where = ".".join(str(p) for p in first["loc"])
        return JSONResponse({"error": "invalid_request", "message": (
            f"{where}: {first['msg']}"), "details": details}, status_code=422)
