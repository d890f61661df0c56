"""Run documents through the graph and resume paused reviews. Thread id = document id."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.types import Command
from pydantic import BaseModel

from agent.checkpoints import open_checkpointer
from agent.errors import PapertrailError
from agent.graph import build_graph
from agent.review import ReviewDecision
from agent.services import Services
from agent.settings import Settings
from agent.state import DocumentState
from agent.store import DocumentStatus


class ReviewNotPendingError(PapertrailError):
    code = "review_not_pending"


class ResumeOutcome(BaseModel):
    acted: bool
    message: str
    state: DocumentState | None


class Pipeline:
    def __init__(self, services: Services, checkpointer: BaseCheckpointSaver) -> None:
        self.services = services
        self.graph = build_graph(services).compile(checkpointer=checkpointer)

    @classmethod
    @contextmanager
    def open(cls, settings: Settings, **overrides: Any) -> Iterator[Pipeline]:
        from agent.wiring import build_services

        services = build_services(settings, **overrides)
        with open_checkpointer(settings) as checkpointer:
            yield cls(services, checkpointer)

    @staticmethod
    def _config(doc_id: str) -> dict[str, Any]:
        return {"configurable": {"thread_id": doc_id}}

    def current(self, doc_id: str) -> DocumentState | None:
        snapshot = self.graph.get_state(self._config(doc_id))
        if not snapshot.values:
            return None
        return DocumentState.model_validate(snapshot.values)

    def is_paused(self, doc_id: str) -> bool:
        return bool(self.graph.get_state(self._config(doc_id)).interrupts)

    def process(self, doc_id: str) -> DocumentState:
        """Run a stored document until it is finalized or waits for a person.

        Idempotent: a finished or paused document is returned as it is; one whose run was cut
        short (a crash) continues from its last checkpoint.
        """
        config = self._config(doc_id)
        snapshot = self.graph.get_state(config)
        if snapshot.values and not snapshot.next:
            return DocumentState.model_validate(snapshot.values)  # already finalized
        if snapshot.interrupts:
            return DocumentState.model_validate(snapshot.values)  # waiting for a person
        start = None if snapshot.values else {"doc_id": doc_id}
        try:
            self.graph.invoke(start, config)
        except Exception as exc:
            self._record_failure(doc_id, exc)
            raise
        return DocumentState.model_validate(self.graph.get_state(config).values)

    def resume(self, doc_id: str, decision: ReviewDecision) -> ResumeOutcome:
        """Apply a person's decision once. A second decision changes nothing and says so."""
        if decision.action == "relabel" and decision.label not in self.services.classifier.labels:
            raise PapertrailError(
                f"Unknown label {decision.label!r}; choose one of "
                f"{', '.join(self.services.classifier.labels)}."
            )
        reviews = self.services.store.reviews
        if reviews.get(doc_id) is None or not self.is_paused(doc_id):
            existing = reviews.get(doc_id)
            if existing is not None and existing.status == "decided":
                return ResumeOutcome(acted=False, state=self.current(doc_id), message=(
                    f"Review of {doc_id[:12]} was already decided by {existing.reviewer} "
                    f"({(existing.decision or {}).get('action')}); nothing changed."))
            raise ReviewNotPendingError(f"Document {doc_id[:12]} has no pending review.")
        if not reviews.claim(doc_id, decision.model_dump(), decision.reviewer):
            existing = reviews.get(doc_id)
            return ResumeOutcome(acted=False, state=self.current(doc_id), message=(
                f"Review of {doc_id[:12]} was already decided by "
                f"{existing.reviewer if existing else 'someone else'}; nothing changed."))
        try:
            self.graph.invoke(Command(resume=decision.model_dump()), self._config(doc_id))
        except Exception as exc:
            reviews.release(doc_id)
            self._record_failure(doc_id, exc)
            raise
        state = self.current(doc_id)
        return ResumeOutcome(acted=True, state=state, message=(
            f"{decision.action} by {decision.reviewer}: document is now "
            f"{state.status if state else 'unknown'}."))

    def _record_failure(self, doc_id: str, exc: Exception) -> None:
        message = f"{type(exc).__name__}: {exc}"
        try:
            self.services.store.documents.set_status(doc_id, DocumentStatus.FAILED, error=message)
            self.services.lineage.append(doc_id, "error", {"error": message})
        except PapertrailError:
            pass  # the document itself is unknown: nothing to mark
