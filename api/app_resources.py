"""Everything the HTTP app shares, built once from settings.

The API process runs no model: work goes to Celery workers, document state is read from the
checkpointer, and GET /healthz reports the classifier from the active bundle's verified manifest
(api/bundle_health.py). It builds only the parts it probes for health (the retriever and the
adjudicator, with the same builders `Services.from_settings` uses), on first use.
"""

from __future__ import annotations

import threading
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any

from celery import Celery
from celery.result import AsyncResult

from agent.checkpoints import open_checkpointer
from agent.drift import DriftMonitor
from agent.services import OPTIONAL_PARTS, build_parts
from agent.settings import Settings
from agent.store import Store
from api import drift_alerts
from api.auth import KeyRing
from api.bundle_health import ActiveBundleHealth
from api.queue_status import QueueStatus
from api.state_reader import StateReader
from api.tables import SubmissionRepository, create_tables
from api.worker import PROCESS, RESUME, make_celery


@dataclass
class AppResources:
    settings: Settings
    store: Store
    keys: KeyRing
    celery: Celery
    states: StateReader
    submissions: SubmissionRepository
    bundle: ActiveBundleHealth
    queue: QueueStatus
    drift: DriftMonitor
    probed_overrides: dict[str, Any]
    stack: ExitStack
    _probed: dict[str, Any] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def open(cls, settings: Settings, **probed_overrides: Any) -> AppResources:
        """`probed_overrides` (`retriever=...`, `adjudicator=...`) replace the parts /healthz
        probes, as `Services.from_settings` overrides do (tests)."""
        unknown = sorted(set(probed_overrides) - set(OPTIONAL_PARTS))
        if unknown:
            raise TypeError(f"The API probes only {list(OPTIONAL_PARTS)}, not {unknown}.")
        stack = ExitStack()
        store = Store.from_settings(settings)
        create_tables(store.db)
        stack.callback(store.db.dispose)
        checkpointer = stack.enter_context(open_checkpointer(settings))
        celery, drift = make_celery(settings), DriftMonitor(store.db, settings.drift)
        drift_alerts.attach(drift, celery, store, settings)
        return cls(
            settings=settings, store=store, keys=KeyRing.from_settings(settings),
            celery=celery, states=StateReader(checkpointer),
            submissions=SubmissionRepository(store.db),
            bundle=ActiveBundleHealth(settings.bundle_dir),
            queue=QueueStatus(store.db, settings.api),
            drift=drift,
            probed_overrides=dict(probed_overrides), stack=stack,
        )

    def close(self) -> None:
        self.stack.close()

    def enqueue_process(self, doc_id: str) -> AsyncResult:
        """Queue processing. Nobody reads its result, so the result store is not involved: a
        Redis outage must not make Celery's result consumer give up for good."""
        return self.celery.send_task(PROCESS, args=[doc_id], ignore_result=True)

    def enqueue_resume(self, doc_id: str, decision: dict[str, Any]) -> AsyncResult:
        return self.celery.send_task(RESUME, args=[doc_id, decision])

    def probed_parts(self) -> dict[str, Any]:
        """The retriever and adjudicator as the workers build them from these settings."""
        with self._lock:
            if self._probed is None:
                self._probed = build_parts(self.settings, OPTIONAL_PARTS,
                                           **self.probed_overrides)
            return self._probed
