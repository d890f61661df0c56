"""QA second look: a share of auto-approved documents also goes to the review queue.

The share is PAPERTRAIL_UI_QA_SAMPLE_RATE; a document is in or out by its id's hash, so
a retried task samples the same ones. A QA item's document keeps its outcome: the reviewer's
verdict is recorded on the review (who, what, when) and counted, an approval as agreement with
the machine, anything else as disagreement. It never resumes the graph."""

from __future__ import annotations

import hashlib
from typing import Any

from fastapi import HTTPException
from fastapi.responses import JSONResponse

from agent.review import ReviewDecision, review_payload
from agent.settings import Settings
from agent.store import Store
from api.schemas import ReviewOutcome


def sampled(doc_id: str, rate: float) -> bool:
    """Whether `doc_id` is in a `rate` share of documents (stable for a given id)."""
    return int(hashlib.sha256(doc_id.encode()).hexdigest()[:8], 16) / 2**32 < rate


def maybe_sample(store: Store, settings: Settings, state: Any, labels: list[str]) -> bool:
    """Open a `qa` review for an auto-approved document when it falls in the sample."""
    rate = settings.ui.qa_sample_rate
    if rate <= 0 or state.status != "approved" or not sampled(state.doc_id, rate):
        return False
    decision = store.decisions.get(state.doc_id)
    if decision is None or decision.action != "auto_approved":
        return False
    reason = f"QA second look: auto-approved, sampled ({rate:.0%} of auto-approvals)"
    store.reviews.open(state.doc_id, {**review_payload(state, labels), "qa": True,
                                      "review_reasons": [reason]})
    return True


def record_verdict(store: Store, doc_id: str, decision: ReviewDecision) -> JSONResponse:
    """Record a reviewer's verdict on a QA item once (409 when it was already given)."""
    if not store.reviews.claim(doc_id, decision.model_dump(), decision.reviewer):
        current = store.reviews.get(doc_id)
        raise HTTPException(409, detail={"error": "already_decided", "message": (
            f"QA review of {doc_id[:12]} was already decided by "
            f"{current.reviewer if current else None}; nothing changed.")})
    document = store.documents.get(doc_id)
    status = document.status if document else None
    verdict = "agreed" if decision.action == "approve" else "disagreed"
    out = ReviewOutcome(doc_id=doc_id, state="done", acted=True, status=status, message=(
        f"QA second look recorded ({verdict} with the machine); the document stays {status}."))
    return JSONResponse(out.model_dump(), status_code=200)
