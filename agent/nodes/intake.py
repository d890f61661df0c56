"""ingest and ocr: load the stored original and read its text."""

from __future__ import annotations

from typing import Any

from agent.nodes import NodeResult
from agent.ocr.signals import document_signals
from agent.services import Services
from agent.state import DocumentState
from agent.store import DocumentStatus
from agent.store.models import Decision


def ingest(state: DocumentState, services: Services) -> NodeResult:
    document = services.store.documents.require(state.doc_id)
    decided = services.store.decisions.get(state.doc_id)
    if decided is not None:  # e.g. the same document on a new thread: never run it again
        return recorded_outcome(decided, document.filename), {
            "input_sha256": document.id, "already_decided": decided.action,
            "decided_by": decided.decided_by}
    services.store.documents.set_status(state.doc_id, DocumentStatus.PROCESSING)
    return {"filename": document.filename, "status": "processing"}, {
        "input_sha256": document.id, "filename": document.filename,
        "detected_type": document.detected_type, "declared_type": document.declared_type,
        "type_mismatch": document.type_mismatch, "size_bytes": document.size_bytes,
        "page_count": document.page_count,
    }


def ocr(state: DocumentState, services: Services) -> NodeResult:
    data = services.store.blobs.get(state.doc_id)
    result = services.ocr.ocr_bytes(data, state.filename, checked=True)  # ingest validated it
    pages = [p.model_dump(exclude={"text", "boxes"}) for p in result.pages]
    signals = document_signals(result, data)
    summary = {"mean_confidence": round(result.mean_confidence, 2), "pages": pages,
               "engine": result.engine.model_dump(), "cached": result.cached,
               "signals": signals.model_dump()}
    update: dict[str, Any] = {"text": result.text, "ocr": summary}
    if not result.text.strip():  # low OCR quality is the gate's input, not a reason to skip
        update |= {"band": "unreadable", "band_reason": "no text could be read"}
    return update, {
        "engine": result.engine.model_dump(), "cache_key": result.cache_key,
        "cached": result.cached, "page_confidences": [p.confidence for p in result.pages],
        "page_methods": [p.method for p in result.pages],
        "page_engines": [result.engine.name if p.method == "ocr" else p.method
                         for p in result.pages],
        "policy": services.settings.ocr_policy,
        "reason": f"policy {services.settings.ocr_policy}: {result.engine.name} reads every "
                  "page without a text layer",
        "page_estimated_dpi": [p.estimated_dpi for p in result.pages],
        "page_scales": [p.scale for p in result.pages],
        "mean_confidence": summary["mean_confidence"], "band": update.get("band"),
    }


def recorded_outcome(decided: Decision, filename: str) -> dict[str, Any]:
    """The state of a document whose decision is already recorded, as that record says."""
    status = "rejected" if decided.action == "reject" else "approved"
    return {"filename": filename, "status": status, "label": decided.label,
            "fields": dict(decided.fields or {}), "band": decided.band,
            "band_reason": f"already decided: {decided.action} by {decided.decided_by}; "
            "not run again",
            "decision": {"action": decided.action, "reviewer": decided.decided_by}}
