"""Crash recovery: documents no worker is making progress on are queued again, a bounded number
of times, then marked `failed` with a reason.

A document is stalled when it is `processing` (or `received` while the queue is empty) and its
row has not changed for `stalled_after_seconds` (every graph step appends lineage, which
touches the row, and the worker running it touches it every third of that: api/worker.py
`heartbeat`, so one long step is not a stall). Each worker runs this when it starts and every
`recover_every_seconds`; several workers may run it at once: each stalled document is claimed
by one conditional UPDATE that bumps `updated_at`, so only one of them acts on it per stall.
Every re-queue is a `recovery` lineage record (attempt n); after `max_recoveries` of them the
next stall fails the document (`processing_stalled`). Queuing a document twice is safe:
`Pipeline.process` continues from the last checkpoint or returns the finished state.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from pydantic import BaseModel
from sqlalchemy import func, select, update

from agent.failures import record_failure
from agent.lineage import LineageLog
from agent.settings import Settings
from agent.store import Document, DocumentStatus, Store
from agent.store.models import LineageRecord

STALLED = "processing_stalled"
RECOVERY_NODE = "recovery"


class RecoveryReport(BaseModel):
    requeued: list[str] = []
    failed: list[str] = []


def recover_stalled(settings: Settings, enqueue: Callable[[str], None], *,
                    queue_empty: bool) -> RecoveryReport:
    """Queue again (or, past the bound, fail) each stalled document; see the module doc.
    `queue_empty`: a `received` document counts as stalled only when no message waits."""
    store = Store.from_settings(settings)
    report = RecoveryReport()
    try:
        lineage = LineageLog.from_settings(settings, store.db)
        statuses = [DocumentStatus.PROCESSING] + ([DocumentStatus.RECEIVED] if queue_empty
                                                  else [])
        cutoff = datetime.now(UTC) - timedelta(seconds=settings.worker.stalled_after_seconds)
        with store.db.session() as session:
            stalled = session.execute(select(Document.id, Document.status).where(
                Document.status.in_(statuses), Document.updated_at < cutoff)).all()
        for doc_id, status in stalled:
            if not _claim(store, doc_id, statuses, cutoff):
                continue  # another worker took it, or it moved on
            attempts = _attempts(store, doc_id)
            if attempts >= settings.worker.max_recoveries:
                record_failure(store, lineage, doc_id, STALLED, (
                    f"Processing stopped making progress {attempts + 1} times (left `{status}` "
                    f"for over {settings.worker.stalled_after_seconds:g} s each time, e.g. a "
                    "worker crashed or was killed on it); it was queued again "
                    f"{attempts} time(s), the limit (PAPERTRAIL_WORKER_MAX_RECOVERIES). Look "
                    "at the worker logs for this document, then upload it again."))
                report.failed.append(doc_id)
                continue
            lineage.append(doc_id, RECOVERY_NODE, {"attempt": attempts + 1, "status": status},
                           dedupe_key=f"recovery-{attempts + 1}")
            enqueue(doc_id)
            report.requeued.append(doc_id)
    finally:
        store.db.dispose()
    return report


def _claim(store: Store, doc_id: str, statuses: list[DocumentStatus],
           cutoff: datetime) -> bool:
    """True for exactly one caller per stall: the UPDATE only matches a row still stalled."""
    with store.db.session() as session:
        claimed = session.execute(
            update(Document)
            .where(Document.id == doc_id, Document.status.in_(statuses),
                   Document.updated_at < cutoff)
            .values(updated_at=datetime.now(UTC))
            .execution_options(synchronize_session=False)).rowcount
    return claimed == 1


def _attempts(store: Store, doc_id: str) -> int:
    with store.db.session() as session:
        return session.scalar(select(func.count()).select_from(LineageRecord).where(
            LineageRecord.doc_id == doc_id, LineageRecord.node == RECOVERY_NODE)) or 0
