"""How a document that cannot go on ends: `failed`, with the error's code and message on the
document (`error`, shown by `GET /documents`) and in its lineage (an `error` record), so no
document ever stops in silence."""

from __future__ import annotations

import logging

from agent.errors import DocumentNotFoundError, PapertrailError, StorageUnavailableError
from agent.lineage import LineageLog
from agent.store import DocumentStatus, Store

log = logging.getLogger(__name__)


def error_code(exc: BaseException) -> str:
    """The error's stable code, or its type name for an unexpected error."""
    return exc.code if isinstance(exc, PapertrailError) else type(exc).__name__


def error_message(exc: BaseException) -> str:
    return exc.message if isinstance(exc, PapertrailError) else str(exc)


def record_failure(store: Store, lineage: LineageLog, doc_id: str, code: str,
                   message: str) -> None:
    """Mark the document `failed` as `code: message` and log it; nothing when it is unknown."""
    try:
        store.documents.set_status(doc_id, DocumentStatus.FAILED, error=f"{code}: {message}")
        lineage.append(doc_id, "error", {"code": code, "error": message})
    except DocumentNotFoundError:
        pass  # the document itself is unknown: nothing to mark
    except StorageUnavailableError as exc:  # the worker retries; recovery re-queues it
        log.warning("could not mark %s failed (%s): %s", doc_id[:12], code, exc.message)


def record_exception(store: Store, lineage: LineageLog, doc_id: str,
                     exc: BaseException) -> None:
    record_failure(store, lineage, doc_id, error_code(exc), error_message(exc))
