"""The review queue: pending reviews oldest first, filtered by band, reason, type and age.

Filters, the count and the page are database queries (JSON paths on the review payload, which
SQLite and PostgreSQL both answer), so a queue of thousands costs one page of rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import Select, String, cast, func, select

from agent.store.db import Database
from agent.store.models import Review, utcnow
from api.ui.claims import Claim, ReviewClaim

PAGE_SIZE = 50  # queue rows per page


@dataclass(frozen=True)
class QueueFilter:
    band: str = ""
    reason: str = ""
    type: str = ""
    min_age_hours: float | None = None

    def apply(self, query: Select) -> Select:
        if self.band:
            query = query.where(Review.payload["band"].as_string() == self.band)
        if self.type:
            query = query.where(Review.payload["label"].as_string() == self.type)
        if self.reason:
            reasons = func.lower(cast(Review.payload["review_reasons"], String))
            query = query.where(reasons.contains(self.reason.lower(), autoescape=True))
        if self.min_age_hours is not None:
            since = datetime.now(UTC) - timedelta(hours=self.min_age_hours)
            query = query.where(Review.created_at <= since)
        return query


@dataclass
class Queue:
    items: list[Review]
    claims: dict[str, Claim]
    total: int = 0
    oldest: datetime | None = None
    page: int = 1
    pages: int = 1
    bands: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)


def load_queue(db: Database, claims: dict[str, Claim], where: QueueFilter, page: int = 1,
               size: int = PAGE_SIZE) -> Queue:
    """One page of the pending reviews `where` keeps, oldest first, with their count and the
    oldest's age; the filter choices come from every pending review."""
    pending = select(Review).where(Review.status == "pending")
    kept = where.apply(pending)
    with db.session() as session:
        total, oldest = session.execute(
            where.apply(select(func.count(), func.min(Review.created_at))
                        .where(Review.status == "pending"))).one()
        pages = max((total + size - 1) // size, 1)
        page = min(max(page, 1), pages)
        items = list(session.scalars(kept.order_by(Review.created_at, Review.doc_id)
                                     .offset((page - 1) * size).limit(size)))
        bands, types = (sorted(v for v in session.scalars(
            select(Review.payload[key].as_string()).where(Review.status == "pending")
            .distinct()) if v) for key in ("band", "label"))
    if oldest is not None and oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=UTC)
    return Queue(items, claims, total, oldest, page, pages, bands, types)


def next_for(db: Database, reviewer: str, skip: set[str]) -> str | None:
    """The oldest pending review nobody else holds, other than those in `skip`."""
    held = select(ReviewClaim.doc_id).where(ReviewClaim.expires_at > utcnow(),
                                            ReviewClaim.reviewer != reviewer)
    query = select(Review.doc_id).where(Review.status == "pending", Review.doc_id.not_in(held))
    if skip:
        query = query.where(Review.doc_id.not_in(sorted(skip)))
    with db.session() as session:
        return session.scalar(query.order_by(Review.created_at, Review.doc_id).limit(1))
