"""Pending reviews and final decisions."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from agent.extraction.normalize import fold_text
from agent.store.db import Database
from agent.store.models import Decision, Review, utcnow

REVIEWED_ACTIONS = ("approve", "relabel", "edit")


class ReviewRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    def open(self, doc_id: str, payload: dict[str, Any]) -> None:
        """Create the pending review once; a replay leaves the existing one alone."""
        try:
            with self.db.session() as session:
                if session.get(Review, doc_id) is None:
                    session.add(Review(doc_id=doc_id, payload=payload))
        except IntegrityError:
            pass  # another process opened it first

    def claim(self, doc_id: str, decision: dict[str, Any], reviewer: str) -> bool:
        """Mark the review decided. True for exactly one caller, however many race."""
        with self.db.session() as session:
            result = session.execute(
                update(Review).where(Review.doc_id == doc_id, Review.status == "pending")
                .values(status="decided", decision=decision, reviewer=reviewer,
                        decided_at=utcnow())
            )
            return result.rowcount == 1

    def get(self, doc_id: str) -> Review | None:
        with self.db.session() as session:
            return session.get(Review, doc_id)

    def pending(self, limit: int = 100) -> list[Review]:
        with self.db.session() as session:
            return list(session.scalars(
                select(Review).where(Review.status == "pending")
                .order_by(Review.created_at).limit(limit)))


class DecisionRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    def record(self, doc_id: str, action: str, label: str | None, fields: dict[str, Any],
               decided_by: str, band: str | None, confidence: float | None) -> bool:
        """Store the final decision once. False when it was already stored."""
        try:
            with self.db.session() as session:
                if session.get(Decision, doc_id) is not None:
                    return False
                session.add(Decision(doc_id=doc_id, action=action, label=label, fields=fields,
                                     decided_by=decided_by, band=band, confidence=confidence))
            return True
        except IntegrityError:
            return False

    def get(self, doc_id: str) -> Decision | None:
        with self.db.session() as session:
            return session.get(Decision, doc_id)

    def find_duplicates(self, label: str, key: dict[str, Any], exclude_doc_id: str) -> list[str]:
        """Ids of finalized, not rejected documents of this type with the same key fields."""
        wanted = {name: _fold(value) for name, value in key.items()}
        with self.db.session() as session:
            rows = session.scalars(select(Decision).where(
                Decision.label == label, Decision.action != "reject",
                Decision.doc_id != exclude_doc_id))
            return [d.doc_id for d in rows
                    if all(_fold(d.fields.get(n)) == v for n, v in wanted.items())]

    def reviewed(self) -> list[Decision]:
        """Decisions a person made or confirmed: training rows for the next fine-tune."""
        with self.db.session() as session:
            return list(session.scalars(select(Decision).where(
                Decision.action.in_(REVIEWED_ACTIONS)).order_by(Decision.created_at)))


def _fold(value: Any) -> str:
    return fold_text(str(value or ""))
