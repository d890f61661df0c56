"""prepare_review, human_review, finalize: a person decides when needed; the outcome is kept.

LangGraph re-runs a node that called `interrupt()` from its first line when resumed, so the
side effects (the pending review row) live in `prepare_review`, and `human_review` does
nothing but wait and validate.
"""

from __future__ import annotations

from typing import Any

from langgraph.types import interrupt

from agent.nodes.check import extract_for
from agent.review import ReviewDecision, review_payload
from agent.services import Services
from agent.state import DocumentState
from agent.store import DocumentStatus

Out = tuple[dict[str, Any], dict[str, Any]]


def prepare_review(state: DocumentState, services: Services) -> Out:
    reasons = list(state.review_reasons)
    if state.band in ("unreadable", "ungrounded", "escalated"):
        reasons.insert(0, f"{state.band}: {state.band_reason}")
    state = state.model_copy(update={"review_reasons": reasons})
    payload = review_payload(state, services.classifier.labels)
    services.store.reviews.open(state.doc_id, payload)  # idempotent
    services.store.documents.set_status(state.doc_id, DocumentStatus.NEEDS_REVIEW)
    return {"status": "needs_review", "review_reasons": reasons}, {"review_reasons": reasons,
                                        "band": state.band, "band_reason": state.band_reason}


def human_review(state: DocumentState, services: Services) -> Out:
    answer = interrupt({"doc_id": state.doc_id, "reasons": state.review_reasons})
    decision = ReviewDecision.model_validate(answer)
    update: dict[str, Any] = {}
    changes: dict[str, Any] = {}
    if decision.action == "relabel":
        changes["label"] = {"from": state.label, "to": decision.label}
        update["label"] = decision.label
        extracted, _ = extract_for(decision.label, state.text, services)
        update["fields"] = extracted["fields"]  # fields of the new type, extracted again
    if decision.action == "edit":
        assert decision.fields is not None
        changes["fields"] = {k: {"from": state.fields.get(k), "to": v}
                             for k, v in decision.fields.items() if state.fields.get(k) != v}
        update["fields"] = {**state.fields, **decision.fields}
    update["decision"] = {**decision.model_dump(), "changes": changes}
    return update, {"reviewer": decision.reviewer, "action": decision.action,
                    "changes": changes, "note": decision.note}


def finalize(state: DocumentState, services: Services) -> Out:
    if state.decision is None:
        decision: dict[str, Any] = {"action": "auto_approved", "reviewer": None, "changes": {}}
    else:
        decision = state.decision
    rejected = decision["action"] == "reject"
    decided_by = decision.get("reviewer") or "papertrail:auto"
    confidence = (state.prediction or {}).get("probabilities", {}).get(state.label or "")
    services.store.decisions.record(
        doc_id=state.doc_id, action=decision["action"], label=state.label, fields=state.fields,
        decided_by=decided_by, band=state.band, confidence=confidence,
    )  # idempotent: a replayed finalize keeps the first record
    status = DocumentStatus.REJECTED if rejected else DocumentStatus.APPROVED
    services.store.documents.set_status(state.doc_id, status)
    learned = False
    if state.decision is not None and not rejected and services.retriever and state.label:
        services.retriever.add_exemplar(state.doc_id, state.text, state.label, state.fields,
                                        decided_by)
        learned = True
    return {"status": status.value, "decision": decision}, {
        "action": decision["action"], "label": state.label, "fields": state.fields,
        "decided_by": decided_by, "band": state.band, "added_as_exemplar": learned,
    }
