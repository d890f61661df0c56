"""The processing queue as the database sees it: what waits, for how long, how fast it drains,
and whether one more upload may join it (backpressure).

A document is *queued* from upload until its run ends: status `received` (waiting for a worker)
or `processing`. Counts come from the shared database, so every API process and machine sees
the same queue whatever the broker. The drain rate is measured over a recent window: documents
whose processing ended in it (reached review, were decided automatically, or failed); a
review's `created_at` is when its document's processing ended, so a decision made later by a
person is not counted as throughput.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, exists, func, or_, select

from agent.settings import ApiSettings
from agent.store import Document, DocumentStatus
from agent.store.db import Database
from agent.store.models import Review
from api.tables import Submission
from papertrail.errors import PapertrailError

QUEUED = (DocumentStatus.RECEIVED, DocumentStatus.PROCESSING)
ENDED_WITHOUT_REVIEW = (DocumentStatus.APPROVED, DocumentStatus.REJECTED, DocumentStatus.FAILED)
RATE_CACHE_SECONDS = 5.0  # the drain rate is re-measured at most this often per process
RETRY_WHEN_RATE_UNKNOWN = 10  # seconds; nothing finished in the window yet (e.g. just started)
MAX_RETRY_AFTER = 300


class QueueFullError(PapertrailError):
    """The queue of documents not yet processed is at its configured limit: wait and retry."""

    code = "queue_full"
    kind = "busy"
    retryable = True

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class QueuePlace:
    position: int | None  # 1 = next to be picked up; 0 = being processed; None = not queued
    estimated_wait_seconds: float | None


class QueueStatus:
    """Queue measurements on one database, the drain rate cached for a few seconds."""

    def __init__(self, db: Database, settings: ApiSettings) -> None:
        self.db, self.settings = db, settings
        self._lock = threading.Lock()
        self._rate: tuple[float, float] | None = None  # (measured at, documents per second)

    def queued(self, owner: str | None = None) -> int:
        """Documents received or in processing (only those `owner` submitted, if given)."""
        query = select(func.count()).select_from(Document).where(Document.status.in_(QUEUED))
        if owner is not None:
            query = query.where(exists().where(Submission.doc_id == Document.id,
                                               Submission.submitter == owner))
        with self.db.session() as session:
            return session.scalar(query) or 0

    def waiting(self) -> tuple[int, datetime | None]:
        """Documents waiting for a worker (status received) and when the longest-waiting one
        was queued (its row's last change: upload, or being queued again)."""
        with self.db.session() as session:
            count, oldest = session.execute(
                select(func.count(), func.min(Document.updated_at))
                .where(Document.status == DocumentStatus.RECEIVED)).one()
        return count, oldest

    def ended_since(self, since: datetime) -> int:
        """Documents whose processing ended at or after `since` (see the module doc)."""
        reviewed = select(func.count()).select_from(Review).where(Review.created_at >= since)
        ended = select(func.count()).select_from(Document).where(
            Document.status.in_(ENDED_WITHOUT_REVIEW), Document.updated_at >= since,
            ~exists().where(Review.doc_id == Document.id))
        with self.db.session() as session:
            return (session.scalar(reviewed) or 0) + (session.scalar(ended) or 0)

    def rate(self) -> float:
        """Documents per second whose processing ended in the last `rate_window_seconds`."""
        now = time.monotonic()
        with self._lock:
            if self._rate is not None and now - self._rate[0] < RATE_CACHE_SECONDS:
                return self._rate[1]
        window = self.settings.rate_window_seconds
        since = datetime.now(UTC) - timedelta(seconds=window)
        rate = self.ended_since(since) / window
        with self._lock:
            self._rate = (now, rate)
        return rate

    def place(self, document: Document) -> QueuePlace:
        """Where a document stands: its position among those waiting (oldest first) and the
        estimated wait at the current drain rate."""
        if document.status == DocumentStatus.PROCESSING:
            return QueuePlace(0, 0.0)
        if document.status != DocumentStatus.RECEIVED:
            return QueuePlace(None, None)
        with self.db.session() as session:
            ahead = session.scalar(select(func.count()).select_from(Document).where(
                Document.status == DocumentStatus.RECEIVED,
                or_(Document.updated_at < document.updated_at,
                    and_(Document.updated_at == document.updated_at,
                         Document.id < document.id))))
        position = (ahead or 0) + 1
        rate = self.rate()
        return QueuePlace(position, round(position / rate, 1) if rate > 0 else None)

    def admit(self, owner: str) -> None:
        """Raise QueueFullError when one more document would pass the global limit or this
        owner's (0 = no limit). Checked before a new document is stored, so a refused upload
        leaves nothing behind; concurrent uploads may pass the limit by a few."""
        limits = ((self.settings.max_queued, None, "PAPERTRAIL_API_MAX_QUEUED"),
                  (self.settings.max_queued_per_key, owner, "PAPERTRAIL_API_MAX_QUEUED_PER_KEY"))
        for limit, who, setting in limits:
            if not limit:
                continue
            queued = self.queued(who)
            if queued < limit:
                continue
            retry_after = self.retry_after(queued - limit + 1)
            whose = "documents" if who is None else f"documents submitted by {who!r}"
            raise QueueFullError(
                f"{queued} {whose} are queued and not yet processed; the limit is {limit} "
                f"({setting}). Nothing was stored: upload again in about {retry_after} s "
                "(the Retry-After header), or ask an operator to add workers.", retry_after)

    def retry_after(self, excess: int) -> int:
        """Seconds until about `excess` documents have drained at the current rate."""
        rate = self.rate()
        if rate <= 0:
            return RETRY_WHEN_RATE_UNKNOWN
        return max(1, min(MAX_RETRY_AFTER, math.ceil(excess / rate)))
