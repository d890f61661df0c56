"""What people decided: the reviewer's final label per document, the truth that retraining
learns from and that the shadow comparison scores bundles against.

Two sources: final decisions a person made (`approve`, `relabel`, `edit`; a rejection says
nothing about the type) and QA second looks at auto-approved documents (api/qa.py), whose
verdict sits on the review row while the decision stays `auto_approved`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import select

from agent.store import Store
from agent.store.models import Decision, LineageRecord, Review
from agent.store.reviews import REVIEWED_ACTIONS


@dataclass(frozen=True)
class ReviewedDoc:
    doc_id: str
    label: str
    machine_label: str | None
    source: Literal["decision", "qa"]
    reviewer: str
    decided_at: datetime

    @property
    def relabelled(self) -> bool:
        return self.machine_label is not None and self.label != self.machine_label


def reviewed_documents(store: Store, since: datetime | None = None) -> list[ReviewedDoc]:
    """Every document a person labelled (confirmed or relabelled), oldest review first; only
    those decided after `since` when given."""
    found: dict[str, ReviewedDoc] = {}
    with store.db.session() as session:
        reviews = {r.doc_id: r for r in session.scalars(
            select(Review).where(Review.status == "decided"))}
        decisions = list(session.scalars(select(Decision).where(
            Decision.action.in_(REVIEWED_ACTIONS), Decision.label.is_not(None))))
    for decision in decisions:
        review = reviews.get(decision.doc_id)
        machine = (review.payload or {}).get("label") if review else None
        found[decision.doc_id] = ReviewedDoc(decision.doc_id, str(decision.label), machine,
                                             "decision", decision.decided_by,
                                             decision.created_at)
    for review in reviews.values():
        qa = _qa_verdict(review)
        if qa is not None and review.doc_id not in found:
            found[review.doc_id] = qa
    out = sorted(found.values(), key=lambda r: (r.decided_at, r.doc_id))
    return [r for r in out if since is None or r.decided_at > since]


def _qa_verdict(review: Review) -> ReviewedDoc | None:
    payload: dict[str, Any] = review.payload or {}
    decision: dict[str, Any] = review.decision or {}
    if not payload.get("qa") or decision.get("action") not in REVIEWED_ACTIONS:
        return None
    machine = payload.get("label")
    label = decision.get("label") if decision.get("action") == "relabel" else machine
    if not label or review.decided_at is None:
        return None
    return ReviewedDoc(review.doc_id, str(label), machine, "qa",
                       review.reviewer or str(decision.get("reviewer")), review.decided_at)


def latest_record(store: Store, doc_id: str, node: str) -> dict[str, Any] | None:
    """The payload of the document's newest lineage record of `node`."""
    with store.db.session() as session:
        return session.scalars(
            select(LineageRecord.payload).where(LineageRecord.doc_id == doc_id,
                                                LineageRecord.node == node)
            .order_by(LineageRecord.id.desc()).limit(1)).first()
