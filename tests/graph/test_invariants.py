"""The graph keeps its own invariants, whoever runs it: driven here through the compiled graph
itself (as LangGraph's server does), not through `Pipeline`."""

from __future__ import annotations

from typing import Any

import pytest
from langgraph.types import Command

from agent.graph import recorded
from agent.nodes import intake
from agent.pipeline import InvalidReviewDecisionError
from agent.review import ReviewDecision
from agent.settings import Settings
from agent.state import DocumentState
from tests.graph.conftest import invoice_lines, upload


def thread(name: str) -> dict[str, Any]:
    return {"configurable": {"thread_id": name}}


def waiting_for(graph, name: str) -> dict[str, Any] | None:
    """The value of the interrupt the thread waits on, or None when it does not wait."""
    interrupts = graph.get_state(thread(name)).interrupts
    return interrupts[-1].value if interrupts else None


def nodes_run(pipeline, doc_id: str) -> list[str]:
    return [r["node"] for r in pipeline.services.lineage.records(doc_id)]


@pytest.fixture
def paused(db_settings: Settings, open_pipeline):
    """A pipeline and a document waiting for a person on thread `doc_id` (a rule fails)."""
    doc_id = upload(db_settings, invoice_lines(date="2099-01-01"))
    pipeline = open_pipeline()
    assert pipeline.process(doc_id).status == "needs_review"
    return pipeline, doc_id


def test_a_decided_document_on_a_new_thread_is_not_run_again(db_settings: Settings,
                                                               open_pipeline) -> None:
    doc_id = upload(db_settings, invoice_lines())
    pipeline = open_pipeline()
    assert pipeline.process(doc_id).status == "approved"
    before = nodes_run(pipeline, doc_id)
    again = pipeline.graph.invoke({"doc_id": doc_id}, thread("a-new-thread"))
    assert again["status"] == "approved" and again["label"] == "invoice"
    assert again["decision"] == {"action": "auto_approved", "reviewer": "papertrail:auto"}
    assert "already decided" in again["band_reason"]
    assert nodes_run(pipeline, doc_id) == before  # nothing ran again, nothing was logged twice
    assert pipeline.services.store.documents.require(doc_id).status == "approved"
    assert pipeline.services.lineage.verify(doc_id).ok


def test_a_rejected_document_stays_rejected_on_a_new_thread(paused) -> None:
    pipeline, doc_id = paused
    pipeline.resume(doc_id, ReviewDecision(action="reject", reviewer="alice"))
    again = pipeline.graph.invoke({"doc_id": doc_id}, thread("another-thread"))
    assert again["status"] == "rejected" and waiting_for(pipeline.graph, "another-thread") is None
    assert pipeline.services.store.documents.require(doc_id).status == "rejected"
    assert pipeline.services.store.reviews.get(doc_id).reviewer == "alice"


@pytest.mark.parametrize(("value", "expected"), [
    ({"action": "approve"}, "reviewer: Field required"),
    ({"action": "dance", "reviewer": "bob"}, "action: Input should be"),
    ({"action": "relabel", "label": "spaceship", "reviewer": "bob"}, "Unknown label 'spaceship'"),
    ("approve", "Not a review decision"),
])
def test_a_malformed_resume_is_answered_and_the_review_keeps_waiting(paused, value,
                                                                     expected) -> None:
    pipeline, doc_id = paused
    graph = pipeline.graph
    assert waiting_for(graph, doc_id)["error"] is None
    graph.invoke(Command(resume=value), thread(doc_id))
    asked = waiting_for(graph, doc_id)
    assert asked is not None and expected in asked["error"]
    assert asked["allowed_labels"] == pipeline.services.classifier.labels
    assert pipeline.services.store.reviews.get(doc_id).status == "pending"
    # The thread is not poisoned: a good decision afterwards goes through.
    done = graph.invoke(Command(resume={"action": "approve", "reviewer": "carol"}),
                        thread(doc_id))
    assert done["status"] == "approved" and waiting_for(graph, doc_id) is None
    review = pipeline.services.store.reviews.get(doc_id)
    assert (review.status, review.reviewer) == ("decided", "carol")
    assert nodes_run(pipeline, doc_id).count("human_review") == 1


def test_pipeline_reports_a_refused_decision_and_the_review_keeps_waiting(paused) -> None:
    pipeline, doc_id = paused
    with pytest.raises(InvalidReviewDecisionError, match="Unknown label 'spaceship'"):
        pipeline.resume(doc_id, ReviewDecision(action="relabel", label="spaceship",
                                               reviewer="bob"))
    assert pipeline.is_paused(doc_id)
    assert pipeline.services.store.reviews.get(doc_id).status == "pending"
    assert pipeline.resume(doc_id, ReviewDecision(action="approve", reviewer="bob")).acted


def test_the_graph_claims_the_review_once_across_threads(paused) -> None:
    """The same document paused on two threads (e.g. a second run through LangGraph's server):
    the first decision acts, the second is told who decided and never acts."""
    pipeline, doc_id = paused
    graph = pipeline.graph
    graph.invoke({"doc_id": doc_id}, thread("second-thread"))
    assert waiting_for(graph, "second-thread") is not None
    approve = {"action": "approve", "reviewer": "alice"}
    assert graph.invoke(Command(resume=approve), thread(doc_id))["status"] == "approved"
    reject = {"action": "reject", "reviewer": "bob"}
    graph.invoke(Command(resume=reject), thread("second-thread"))
    asked = waiting_for(graph, "second-thread")
    assert "already decided by alice (approve)" in asked["error"]
    assert "reject by bob was not applied" in asked["error"]
    store = pipeline.services.store
    assert store.decisions.get(doc_id).action == "approve"
    assert store.documents.require(doc_id).status == "approved"
    assert nodes_run(pipeline, doc_id).count("finalize") == 1
    # A resume of a finished thread runs nothing.
    graph.invoke(Command(resume=reject), thread(doc_id))
    assert store.decisions.get(doc_id).action == "approve"


def test_a_replay_of_the_same_decision_acts_once(paused) -> None:
    """A crash after the review node claimed the review but before its step was saved: the same
    decision again goes through; a different one does not."""
    pipeline, doc_id = paused
    decision = ReviewDecision(action="edit", fields={"date": "2025-12-01"}, reviewer="alice")
    reviews = pipeline.services.store.reviews
    assert reviews.claim(doc_id, decision.model_dump(), "alice")  # the claim that survived
    other = pipeline.resume(doc_id, ReviewDecision(action="reject", reviewer="bob"))
    assert not other.acted and "already decided by alice" in other.message
    assert pipeline.is_paused(doc_id)
    outcome = pipeline.resume(doc_id, decision)
    assert outcome.acted and outcome.state.status == "approved"
    assert outcome.state.fields["date"] == "2025-12-01"
    assert pipeline.services.store.decisions.get(doc_id).decided_by == "alice"


def test_a_replayed_step_is_logged_once(db_settings: Settings, open_pipeline) -> None:
    doc_id = upload(db_settings, invoice_lines())
    services = open_pipeline().services
    node = recorded("ingest", intake.ingest, services)
    state = DocumentState(doc_id=doc_id)
    node(state)
    node(state)  # the same step after a crash: same node, same input
    assert [r["node"] for r in services.lineage.records(doc_id)] == ["ingest"]
    node(state.model_copy(update={"filename": "renamed.png"}))  # a different input is new
    assert len(services.lineage.records(doc_id)) == 2
    assert services.lineage.verify(doc_id).ok
