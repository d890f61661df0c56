"""The default retriever, opened on first use: a worker warms it before taking tasks
(`warm_up`), the API never does.

Qdrant's local mode lets one process hold its folder. The API process builds services only to
report health, so it must not take the folder from the worker: the index opens when a worker
starts or a document first needs it. If the folder is held elsewhere (a second worker process
on the embedded default), retrieval degrades to "no evidence" and says why in lineage, and
tries again after `PAPERTRAIL_RETRIEVAL_REOPEN_AFTER_SECONDS` (the holder may let go); run a
Qdrant server (`PAPERTRAIL_RETRIEVAL_QDRANT_URL`) to share one index between many workers.

A worker's threads share one retriever (PAPERTRAIL_WORKER_POOL=threads, the default), so every
thread has the exemplars. Local mode is plain Python over in-memory collections with no locking
of its own: its searches and inserts take turns here.
"""

from __future__ import annotations

import logging
import threading
import time
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from agent.settings import Settings
from retrieval.hits import ExemplarHit

log = logging.getLogger(__name__)


class LazyRetriever:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._inner: Any = None
        self._error: str | None = None
        self._failed_at = 0.0
        self._lock = threading.Lock()
        local = not settings.retrieval.qdrant_url
        self._turns: AbstractContextManager[Any] = threading.Lock() if local else nullcontext()

    def _open(self) -> Any:
        with self._lock:
            retry_after = self.settings.retrieval.reopen_after_seconds
            if self._inner is None and (
                    self._error is None or time.monotonic() - self._failed_at >= retry_after):
                try:
                    from agent.adjudication.retriever import QdrantRetriever
                    from retrieval.index import ExemplarIndex

                    self._inner = QdrantRetriever(ExemplarIndex(self.settings.retrieval,
                                                                   self.settings.index_dir))
                    self._error = None
                except Exception as exc:  # a locked or broken index must not stop the graph
                    self._error = f"{type(exc).__name__}: {exc}"
                    self._failed_at = time.monotonic()
                    log.warning("exemplar index unavailable (again in %g s): %s",
                                retry_after, self._error)
            return self._inner

    def search(self, text: str, k: int) -> list[ExemplarHit]:
        inner = self._open()
        if not inner:
            return []
        with self._turns:
            return inner.search(text, k)

    def add_exemplar(self, doc_id: str, text: str, label: str, fields: dict[str, Any],
                     reviewer: str) -> None:
        inner = self._open()
        if inner:
            with self._turns:
                inner.add_exemplar(doc_id, text, label, fields, reviewer)

    def warm_up(self) -> bool:
        """Open the index and load its embedding model before the first document needs them;
        False when the index cannot be opened (logged; documents will try again)."""
        inner = self._open()
        if inner:
            with self._turns:
                inner.warm_up()
        return inner is not None

    def lineage(self) -> dict[str, Any]:
        inner = self._open()
        return inner.lineage() if inner else {"backend": "unavailable", "error": self._error}

    def health(self) -> dict[str, Any]:
        cfg = self.settings.retrieval
        return {"backend": "qdrant-server" if cfg.qdrant_url else "qdrant-local",
                "opened": self._inner is not None, "error": self._error}
