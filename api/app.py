"""The HTTP API: `create_app(settings)` builds it; `papertrail serve` runs it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from agent.settings import Settings
from api.app_resources import AppResources
from api.errors import install_error_handlers
from api.guard import RequestGuard
from api.metrics import registry_for
from api.routes import documents, drift, ops, pages, reviews
from api.ui import routes as ui
from api.ui.web import HERE as UI_DIR


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
    app.include_router(drift.router)
    app.include_router(pages.router)
    app.include_router(ui.router)
    app.mount("/ui/static", StaticFiles(directory=UI_DIR / "static"), name="ui-static")
    if settings.slack.enabled:
        from api.slack.bolt import build_bolt, slack_router

        bolt = build_bolt(settings.slack, state.store,
                          lambda doc_id, decision: state.enqueue_resume(doc_id, decision))
        app.include_router(slack_router(bolt))
    install_error_handlers(app)
    app.add_middleware(RequestGuard, settings=settings)
    return app
