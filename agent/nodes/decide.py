"""prepare_review, human_review, finalize: a person decides when needed; the outcome is kept.

LangGraph re-runs a node that called `interrupt()` from its first line when resumed, and keeps
every value it was resumed with: a node that raises after `interrupt()` returned would raise
again on every later resume. So the side effects before the wait (the pending review row) live
in `prepare_review`; `human_review` only validates, asks again with the error when a value is
not a decision it can take, and claims the review, idempotently for a replay of the same
decision. A different decision on a review someone else decided never acts: it is asked again,
told who decided.
"""

from __future__ import annotations

from typing import Any

from langgraph.types import interrupt

from agent.nodes import NodeResult
from agent.nodes.check import extract_for
from agent.review import ReviewDecision, read_decision, review_payload, review_request
from agent.services import Services
from agent.state import DocumentState
from agent.store import DocumentStatus


def prepare_review(state: DocumentState, services: Services) -> NodeResult:
    reasons = list(state.review_reasons)
    if state.band in ("unreadable", "ungrounded", "escalated"):
        reasons.insert(0, f"{state.band}: {state.band_reason}")
    state = state.model_copy(update={"review_reasons": reasons})
    payload = review_payload(state, services.classifier.labels)
    services.store.reviews.open(state.doc_id, payload)  # idempotent
    services.store.documents.set_status(state.doc_id, DocumentStatus.NEEDS_REVIEW)
    return {"status": "needs_review", "review_reasons": reasons}, {"review_reasons": reasons,
                                        "band": state.band, "band_reason": state.band_reason}


def human_review(state: DocumentState, services: Services) -> NodeResult:
    labels = services.classifier.labels
    error: str | None = None
    while True:
        answer = interrupt(review_request(state.doc_id, state.review_reasons, labels, error))
        decision, error = read_decision(answer, labels)
        if decision is None:
            continue
        try:
            update, changes = _apply(decision, state, services)
        except Exception as exc:  # asked again, never raised: see the module docstring
            error = f"The decision could not be applied ({type(exc).__name__}: {exc})."
            continue
        error = _claim(state.doc_id, decision, services)
        if error is None:
            break
    update["decision"] = {**decision.model_dump(), "changes": changes}
    return update, {"reviewer": decision.reviewer, "action": decision.action,
                    "changes": changes, "note": decision.note}


def _apply(decision: ReviewDecision, state: DocumentState,
           services: Services) -> tuple[dict[str, Any], dict[str, Any]]:
    """The state update a decision makes, and what it changed (for lineage)."""
    update: dict[str, Any] = {}
    changes: dict[str, Any] = {}
    if decision.action == "relabel":
        changes["label"] = {"from": state.label, "to": decision.label}
        update["label"] = decision.label
        extracted, _ = extract_for(decision.label, state.text, services)
        update |= extracted  # fields of the new type (and their evidence), extracted again
    if decision.action == "edit":
        assert decision.fields is not None
        changes["fields"] = {k: {"from": state.fields.get(k), "to": v}
                             for k, v in decision.fields.items() if state.fields.get(k) != v}
        update["fields"] = {**state.fields, **decision.fields}
    return update, changes


def _claim(doc_id: str, decision: ReviewDecision, services: Services) -> str | None:
    """Mark the review decided by this decision: None when it is (or a replay of the same
    decision already did), otherwise who decided instead."""
    reviews = services.store.reviews
    wanted = decision.model_dump()
    if reviews.claim(doc_id, wanted, decision.reviewer):
        return None
    existing = reviews.get(doc_id)
    if existing is None:
        return f"Document {doc_id[:12]} has no review to decide."
    if existing.decision == wanted:
        return None
    return (f"Review of {doc_id[:12]} was already decided by {existing.reviewer} "
            f"({(existing.decision or {}).get('action')}); this {decision.action} by "
            f"{decision.reviewer} was not applied.")


def finalize(state: DocumentState, services: Services) -> NodeResult:
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
