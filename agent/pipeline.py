"""Run documents through the graph and resume paused reviews. Thread id = document id.

A convenience around the graph for this project's faces (CLI, worker, eval harness): it opens
the checkpointer, records failures on the document and turns the graph's answers into friendly
outcomes. The invariants (a review decided once, a decided document never run again, a
malformed decision refused) live in the graph itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.types import Command
from pydantic import BaseModel

from agent.checkpoints import open_checkpointer
from agent.errors import PapertrailError
from agent.failures import record_exception
from agent.graph import build_graph
from agent.review import ReviewDecision
from agent.services import Services
from agent.settings import Settings
from agent.state import DocumentState


class ReviewNotPendingError(PapertrailError):
    code = "review_not_pending"


class InvalidReviewDecisionError(PapertrailError):
    """The graph refused the decision and is still waiting for one."""

    code = "invalid_review_decision"


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
        """The graph on `Services.from_settings(settings, **overrides)` and the checkpointer."""
        services = Services.from_settings(settings, **overrides)
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
        """Apply a person's decision once. A second decision changes nothing and says so; one
        the graph refuses (e.g. a label outside the set) raises and leaves the review waiting."""
        wanted = decision.model_dump()
        review = self.services.store.reviews.get(doc_id)
        if review is None:
            raise ReviewNotPendingError(f"Document {doc_id[:12]} has no pending review.")
        paused = self.is_paused(doc_id)
        if review.status == "decided" and (review.decision != wanted or not paused):
            return self._already_decided(doc_id)
        if not paused:
            raise ReviewNotPendingError(
                f"Document {doc_id[:12]} is not waiting for a review in this pipeline.")
        config = self._config(doc_id)
        try:
            self.graph.invoke(Command(resume=wanted), config)
        except Exception as exc:
            self._record_failure(doc_id, exc)
            raise
        review = self.services.store.reviews.get(doc_id)
        if review is None or review.decision != wanted:
            if review is not None and review.status == "decided":
                return self._already_decided(doc_id)
            asked = self.graph.get_state(config).interrupts
            error = asked[-1].value.get("error") if asked else None
            raise InvalidReviewDecisionError(error or f"The review of {doc_id[:12]} is still "
                                             "waiting; the decision was not taken.")
        state = self.current(doc_id)
        return ResumeOutcome(acted=True, state=state, message=(
            f"{decision.action} by {decision.reviewer}: document is now "
            f"{state.status if state else 'unknown'}."))

    def _already_decided(self, doc_id: str) -> ResumeOutcome:
        review = self.services.store.reviews.get(doc_id)
        who = review.reviewer if review else "someone else"
        action = ((review.decision if review else None) or {}).get("action")
        return ResumeOutcome(acted=False, state=self.current(doc_id), message=(
            f"Review of {doc_id[:12]} was already decided by {who} ({action}); "
            "nothing changed."))

    def _record_failure(self, doc_id: str, exc: Exception) -> None:
        record_exception(self.services.store, self.services.lineage, doc_id, exc)
