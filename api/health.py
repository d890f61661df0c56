"""GET /healthz: each component's state. Parts not configured are reported, not failed.

The classifier is reported from the active bundle's verified manifest (no model is loaded in
the API process); the index and the LLM are probed as the workers build them.
"""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import text

from api import drift_status
from api.app_resources import AppResources
from api.schemas import ComponentHealth, Health
from api.worker import queue_depth

REQUIRED = ("database", "broker", "classifier")  # the rest may be not_configured


def _probe(part: Any, name: str) -> ComponentHealth:
    """A part may offer `health() -> dict` (raising when unreachable); otherwise its lineage."""
    if part is None:
        return ComponentHealth(status="not_configured",
                               detail={"note": f"no {name} configured"})
    try:
        if hasattr(part, "health"):
            return ComponentHealth(status="ok", detail=dict(part.health() or {}))
        if isinstance(getattr(part, "base_url", None), str):
            return _probe_openai_compatible(part.base_url)
        info = part.lineage() if hasattr(part, "lineage") else {}
        return ComponentHealth(status="unknown", detail={
            "note": "configured; this part offers no reachability probe", **info})
    except Exception as exc:  # shown, not raised: the point of a health check
        return ComponentHealth(status="error", detail={"error": f"{type(exc).__name__}: {exc}"})


def _probe_openai_compatible(base_url: str) -> ComponentHealth:
    """An OpenAI-compatible endpoint is reachable when GET {base_url}/models answers."""
    url = base_url.rstrip("/") + "/models"
    response = httpx.get(url, timeout=3)
    if response.status_code >= 500:
        return ComponentHealth(status="error", detail={
            "url": url, "error": f"HTTP {response.status_code}"})
    return ComponentHealth(status="ok", detail={"url": url, "http_status": response.status_code})


def _probe_database(state: AppResources) -> ComponentHealth:
    """Readable *and* writable: a read-only file or replica answers SELECT but refuses every
    upload, so a write that matches no row is tried and rolled back."""
    try:
        with state.store.db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            conn.execute(text("UPDATE documents SET status = status WHERE 1 = 0"))
            conn.rollback()
    except Exception as exc:
        return ComponentHealth(status="error", detail={"error": str(exc).splitlines()[0]})
    return ComponentHealth(status="ok", detail={"dialect": state.store.db.engine.dialect.name,
                                                "writable": True})


def check(state: AppResources) -> Health:
    components: dict[str, ComponentHealth] = {}
    components["database"] = _probe_database(state)
    depth = queue_depth(state.celery)
    components["broker"] = (
        ComponentHealth(status="ok", detail={"queue_depth": depth}) if depth is not None else
        ComponentHealth(status="error", detail={"error": "the task broker is not reachable"}))
    components["classifier"] = state.bundle.check()
    try:
        parts = state.probed_parts()
    except Exception as exc:  # e.g. a broken policies file: shown, not raised
        error = ComponentHealth(status="error", detail={"error": f"{type(exc).__name__}: {exc}"})
        components["index"] = components["llm"] = error
    else:
        components["index"] = _probe(parts["retriever"], "retriever (Qdrant index)")
        components["llm"] = _probe(parts["adjudicator"], "LLM adjudicator")
    components["drift"] = drift_status.component(state)
    degraded = any(c.status in ("error", "degraded") for c in components.values())
    return Health(status="degraded" if degraded else "ok", components=components)
