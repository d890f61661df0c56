"""GET /healthz (no key: for probes) and GET /metrics (admin key: Prometheus scrapes it)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from api import health
from api.auth import AsAdmin
from api.schemas import Health, errors

router = APIRouter(tags=["operations"])


@router.get("/healthz", response_model=Health,
            responses={503: {"model": Health, "description": "A required component is broken."}})
def healthz(request: Request) -> JSONResponse:
    """Database, broker, classifier bundle (id, trained-at, classes), Qdrant index, LLM, drift.
    503 when a component is broken; `degraded` with 200 while drift suspends auto-approval
    (the service works, a person decides every document)."""
    report = health.check(request.app.state.papertrail)
    broken = any(c.status == "error" for c in report.components.values())
    return JSONResponse(report.model_dump(mode="json"), status_code=503 if broken else 200)


@router.get("/metrics", response_class=Response, responses={
    200: {"content": {"text/plain": {}}, "description": "Prometheus text format."},
    **errors(401, 403)})
def metrics(request: Request, who: AsAdmin) -> Response:
    """Per-node latency, documents by status, decisions by band and outcome, fallbacks, LLM
    rejections, queue depth, pending reviews and the oldest review's age."""
    return Response(generate_latest(request.app.state.papertrail_metrics),
                    media_type=CONTENT_TYPE_LATEST)
