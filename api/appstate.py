"""Everything the HTTP app shares, built once from settings: the one place services come from.

The API process needs no model to serve requests: work goes to Celery workers, and document
state is read from the checkpointer. It builds the pipeline's services only to report their
health (a broken classifier shows in GET /healthz), retrying at most once a minute.
"""

from __future__ import annotations

import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any

from celery import Celery
from celery.result import AsyncResult

from agent.checkpoints import open_checkpointer
from agent.services import Services
from agent.settings import Settings
from agent.store import Store
from api.auth import KeyRing
from api.parts import load_parts
from api.state_reader import StateReader
from api.tables import SubmissionRepository, create_tables
from api.worker import PROCESS, RESUME, make_celery

SERVICES_RETRY_SECONDS = 60.0


@dataclass
class AppState:
    settings: Settings
    store: Store
    keys: KeyRing
    celery: Celery
    states: StateReader
    submissions: SubmissionRepository
    parts: dict[str, Any] | None  # None: from the parts factory setting, loaded lazily
    stack: ExitStack
    _services: Services | None = None
    _services_error: str | None = None
    _services_at: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def open(cls, settings: Settings, parts: dict[str, Any] | None = None) -> AppState:
        stack = ExitStack()
        store = Store.from_settings(settings)
        create_tables(store.db)
        stack.callback(store.db.dispose)
        checkpointer = stack.enter_context(open_checkpointer(settings))
        return cls(
            settings=settings, store=store, keys=KeyRing.from_settings(settings),
            celery=make_celery(settings), states=StateReader(checkpointer),
            submissions=SubmissionRepository(store.db),
            parts=dict(parts) if parts is not None else None, stack=stack,
        )

    def close(self) -> None:
        self.stack.close()

    def enqueue_process(self, doc_id: str) -> AsyncResult:
        return self.celery.send_task(PROCESS, args=[doc_id])

    def enqueue_resume(self, doc_id: str, decision: dict[str, Any]) -> AsyncResult:
        return self.celery.send_task(RESUME, args=[doc_id, decision])

    def services(self) -> tuple[Services | None, str | None]:
        """The pipeline's services (for health), or why they could not be built."""
        from agent.wiring import build_services

        with self._lock:
            stale = time.monotonic() - self._services_at > SERVICES_RETRY_SECONDS
            if self._services is None and (self._services_error is None or stale):
                self._services_at = time.monotonic()
                try:
                    parts = self.parts if self.parts is not None else load_parts(self.settings)
                    self._services = build_services(self.settings, store=self.store, **parts)
                    self._services_error = None
                except Exception as exc:  # reported by /healthz, never raised to a caller
                    self._services_error = f"{type(exc).__name__}: {exc}"
            return self._services, self._services_error
