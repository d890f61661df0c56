"""Claims: the reviewer who has a document open holds it until the claim expires, so two people
never work the same review. A claim only guards the web app's forms; the decision itself
still decides once (ReviewRepository.claim), whoever sends it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, String, delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from agent.store.db import Database
from agent.store.models import Base, UtcDateTime, utcnow


class ReviewClaim(Base):
    __tablename__ = "review_claims"

    doc_id: Mapped[str] = mapped_column(ForeignKey("documents.id"), primary_key=True)
    reviewer: Mapped[str] = mapped_column(String(255))
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)


@dataclass(frozen=True)
class Claim:
    reviewer: str
    expires_at: datetime


class ClaimRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    def take(self, doc_id: str, reviewer: str, lifetime: timedelta) -> Claim:
        """Claim (or renew) the document for `reviewer` unless someone else holds an unexpired
        claim; returns whoever holds it afterwards. Atomic: of two racing, one wins."""
        expires = utcnow() + lifetime
        with self.db.session() as session:
            taken = session.execute(
                update(ReviewClaim).where(
                    ReviewClaim.doc_id == doc_id,
                    or_(ReviewClaim.reviewer == reviewer, ReviewClaim.expires_at <= utcnow()))
                .values(reviewer=reviewer, expires_at=expires)
                .execution_options(synchronize_session=False)).rowcount == 1
        if not taken:
            try:
                with self.db.session() as session:
                    if session.get(ReviewClaim, doc_id) is None:
                        session.add(ReviewClaim(doc_id=doc_id, reviewer=reviewer,
                                                expires_at=expires))
            except IntegrityError:
                pass  # another reviewer claimed it first
        held = self.holder(doc_id)
        return held or Claim(reviewer, expires)

    def holder(self, doc_id: str) -> Claim | None:
        with self.db.session() as session:
            row = session.get(ReviewClaim, doc_id)
            if row is None or row.expires_at <= utcnow():
                return None
            return Claim(row.reviewer, row.expires_at)

    def active(self) -> dict[str, Claim]:
        """Every unexpired claim, by document id (for the queue)."""
        with self.db.session() as session:
            rows = session.scalars(select(ReviewClaim).where(ReviewClaim.expires_at > utcnow()))
            return {r.doc_id: Claim(r.reviewer, r.expires_at) for r in rows}

    def release(self, doc_id: str, reviewer: str) -> None:
        with self.db.session() as session:
            session.execute(delete(ReviewClaim).where(ReviewClaim.doc_id == doc_id,
                                                      ReviewClaim.reviewer == reviewer))
