"""The review queue: pending reviews oldest first, filtered by band, reason, type and age."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from agent.store.models import Review
from api.ui.claims import Claim

MOST = 500  # pending reviews read per request


@dataclass(frozen=True)
class QueueFilter:
    band: str = ""
    reason: str = ""
    type: str = ""
    min_age_hours: float | None = None

    def keeps(self, review: Review) -> bool:
        payload = review.payload or {}
        reasons = " ".join(payload.get("review_reasons") or []).lower()
        if self.band and payload.get("band") != self.band:
            return False
        if self.type and payload.get("label") != self.type:
            return False
        if self.reason and self.reason.lower() not in reasons:
            return False
        if self.min_age_hours is not None:
            return review.created_at <= datetime.now(UTC) - timedelta(hours=self.min_age_hours)
        return True


@dataclass
class Queue:
    items: list[Review]
    claims: dict[str, Claim]
    bands: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)

    @property
    def oldest(self) -> datetime | None:
        return self.items[0].created_at if self.items else None


def build_queue(pending: list[Review], claims: dict[str, Claim], where: QueueFilter) -> Queue:
    """`pending` oldest first, as ReviewRepository.pending returns it; the filter choices
    come from every pending review, the items only from those the filter keeps."""
    bands = sorted({p for r in pending if (p := (r.payload or {}).get("band"))})
    types = sorted({p for r in pending if (p := (r.payload or {}).get("label"))})
    return Queue([r for r in pending if where.keeps(r)], claims, bands, types)


def next_for(pending: list[Review], claims: dict[str, Claim], reviewer: str,
             skip: set[str]) -> str | None:
    """The oldest pending review nobody else holds, other than those in `skip`."""
    for review in pending:
        holder = claims.get(review.doc_id)
        if review.doc_id not in skip and (holder is None or holder.reviewer == reviewer):
            return review.doc_id
    return None
