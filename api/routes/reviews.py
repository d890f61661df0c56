"""GET /reviews and POST /reviews/{id}: people decide what the pipeline would not.

A decision is applied by a worker (`papertrail.resume`); this endpoint waits up to
PAPERTRAIL_API_RESUME_WAIT_SECONDS for the outcome (200) and otherwise answers 202 `queued`.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from celery.exceptions import TimeoutError as CeleryTimeout
from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import JSONResponse

from agent.review import ReviewDecision
from api import qa
from api.app_resources import AppResources
from api.auth import AsReviewer
from api.schemas import ReviewDecisionIn, ReviewItem, ReviewOutcome, errors

log = logging.getLogger(__name__)
router = APIRouter(tags=["reviews"])


def _state(request: Request) -> AppResources:
    return request.app.state.papertrail


def _age(created: datetime) -> float:
    return round((datetime.now(UTC) - created).total_seconds(), 3)


@router.get("/reviews", response_model=list[ReviewItem], responses=errors(401, 403))
def list_reviews(request: Request, who: AsReviewer,
                 limit: int = Query(100, ge=1, le=500)) -> list[ReviewItem]:
    """Pending reviews, oldest first, with what a reviewer needs to decide."""
    return [ReviewItem(doc_id=r.doc_id, created_at=r.created_at, age_seconds=_age(r.created_at),
                       payload=r.payload) for r in _state(request).store.reviews.pending(limit)]


@router.post("/reviews/{doc_id}", response_model=ReviewOutcome,
             responses={**errors(401, 403, 404, 409, 422, 503),
                        202: {"model": ReviewOutcome, "description": "Queued; not done yet."}})
def decide(request: Request, doc_id: str, body: ReviewDecisionIn,
           who: AsReviewer) -> JSONResponse:
    """Approve, reject, relabel or edit. Recorded under the API key owner's name. A review
    decides once: a second decision (here or in Slack) answers 409 and changes nothing."""
    return apply_decision(_state(request), doc_id, body, who.owner)


def apply_decision(state: AppResources, doc_id: str, body: ReviewDecisionIn,
                   reviewer: str) -> JSONResponse:
    """The one way a face decides a review (this API and the web app): checks, queues the
    resume for a worker, waits for its outcome. Raises HTTPException (404, 409, 422, 503)."""
    review = state.store.reviews.get(doc_id)
    if review is None:
        raise HTTPException(404, detail={"error": "review_not_found", "message": (
            f"Document {doc_id!r} has no review. GET /reviews lists the pending ones.")})
    if review.status != "pending":
        raise _already_decided(doc_id, review.reviewer, review.decision)
    allowed = (review.payload or {}).get("allowed_labels") or []
    if body.action == "relabel" and allowed and body.label not in allowed:
        raise HTTPException(422, detail={"error": "unknown_label", "message": (
            f"Unknown label {body.label!r}; choose one of {', '.join(allowed)}.")})
    try:
        decision = ReviewDecision(reviewer=reviewer, **body.model_dump())
    except ValueError as exc:
        raise HTTPException(422, detail={"error": "invalid_decision", "message": str(
            exc.errors()[0]["msg"] if hasattr(exc, "errors") else exc)}) from None
    if (review.payload or {}).get("qa"):  # a second look: recorded, the outcome stands
        return qa.record_verdict(state.store, doc_id, decision)
    try:
        task = state.enqueue_resume(doc_id, decision.model_dump())
    except Exception as exc:  # any broker failure: nothing was queued, nothing changed
        log.warning("could not queue the decision on %s: %s: %s", doc_id,
                    type(exc).__name__, exc)
        raise HTTPException(503, detail={"error": "queue_unavailable", "message": (
            f"The decision on {doc_id[:12]} could not be queued ({type(exc).__name__}: {exc}); "
            "nothing changed and the review is still pending. An operator must make the "
            "broker reachable (PAPERTRAIL_WORKER_BROKER_URL); then send it again.")}) from exc
    wait = state.settings.api.resume_wait_seconds
    try:
        result = task.get(timeout=wait, propagate=False, interval=0.2) if wait else None
        done = result is not None and task.ready()
    except CeleryTimeout:
        done = False
    except Exception as exc:  # the result store failed; the decision itself is queued
        log.warning("no outcome for the decision on %s yet: %s: %s", doc_id,
                    type(exc).__name__, exc)
        done = False
    if not done:
        out = ReviewOutcome(doc_id=doc_id, state="queued", task_id=task.id, message=(
            "Decision queued; a worker applies it. GET /documents/{id} shows the outcome."))
        return JSONResponse(out.model_dump(), status_code=202)
    if task.failed():
        current = state.store.reviews.get(doc_id)
        if current is not None and current.status != "pending":
            raise _already_decided(doc_id, current.reviewer, current.decision)
        raise HTTPException(409, detail={"error": "resume_failed", "message": (
            f"The worker could not apply the decision: {result}. It was not recorded; "
            "try again.")})
    if not result.get("acted"):
        current = state.store.reviews.get(doc_id)
        raise _already_decided(doc_id, current.reviewer if current else None,
                               current.decision if current else None)
    out = ReviewOutcome(doc_id=doc_id, state="done", acted=True, message=result["message"],
                        status=result.get("status"), task_id=task.id)
    return JSONResponse(out.model_dump(), status_code=200)


def _already_decided(doc_id: str, reviewer: str | None, decision: dict | None) -> HTTPException:
    action = (decision or {}).get("action")
    return HTTPException(409, detail={"error": "already_decided", "message": (
        f"Review of {doc_id[:12]} was already decided by {reviewer} ({action}); "
        "nothing changed.")})
