"""Shadow and canary scoring in the classify step: the candidate's answer goes to lineage, a
canary share is decided by it, and nothing a candidate does can hurt a document. Real graph,
real SQLite store and lineage; stand-in classifiers (the models are not what is tested)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from agent.ingest import ingest_bytes
from agent.lifecycle.candidate import CandidateSlot, Loaded, in_canary
from agent.lifecycle.reviewed import latest_record
from agent.pipeline import Pipeline
from agent.settings import Settings
from classifiers.prediction import Prediction
from evals import fixtures
from tests.graph.fakes import MarkerClassifier, invoice_fields


class Candidate(MarkerClassifier):
    """A candidate bundle that answers like the marker classifier, under its own id; with
    `fail`, it raises on every document."""

    def __init__(self, fail: bool = False) -> None:
        super().__init__()
        self.fail = fail

    def classify(self, text: str, signals: object = None) -> Prediction:
        if self.fail:
            raise RuntimeError("candidate exploded")
        return super().classify(text, signals).model_copy(update={"bundle_id": "candidate"})

    def lineage(self) -> dict[str, Any]:
        return {"bundle_id": "candidate", "threshold": self.threshold}


class Slot:
    def __init__(self, candidate: Any, share: float = 0.0) -> None:
        self.loaded, self.canary_share = Loaded("candidate", candidate, None), share

    def current(self) -> Loaded:
        return self.loaded


def run(settings: Settings, name: str = "a", **parts: Any) -> tuple[Any, dict[str, Any]]:
    with Pipeline.open(settings, classifier=MarkerClassifier(), extractor=invoice_fields,
                       retriever=None, **parts) as pipeline:
        text = "\n".join([*fixtures.INVOICE_LINES, f"ref {name}"])
        doc_id = ingest_bytes(text.encode(), f"{name}.txt", pipeline.services.store,
                              settings).document.id
        state = pipeline.process(doc_id)
        return state, latest_record(pipeline.services.store, doc_id, "classify")


def assert_decided(state: Any) -> None:
    """The document went on as the deciding classifier said (to a person here: a text file's
    fields are never confident enough for the key-fields rule)."""
    assert (state.band, state.label, state.status) == ("confident", "invoice", "needs_review")


def test_without_a_shadow_bundle_nothing_changes(settings: Settings) -> None:
    state, record = run(settings)
    assert_decided(state)
    assert "shadow" not in record and "canary" not in record


def test_the_shadow_answer_is_recorded_without_acting(settings: Settings) -> None:
    state, record = run(settings, candidate=Slot(Candidate()))
    assert_decided(state)
    assert record["classifier"]["bundle_id"] == "marker-test"
    assert record["shadow"] == {"role": "candidate", "bundle_id": "candidate",
                                "model": "baseline", "label": "invoice", "confidence": 0.97,
                                "threshold": 0.9, "gate_cell": "all", "certified": True,
                                "band": "confident", "latency_ms": 0.0}


def test_a_failing_shadow_never_touches_the_document(settings: Settings) -> None:
    state, record = run(settings, candidate=Slot(Candidate(fail=True)))
    assert_decided(state)
    assert record["classifier"]["bundle_id"] == "marker-test"
    assert record["shadow"]["error"] == "RuntimeError: candidate exploded"


def test_a_broken_shadow_bundle_on_disk_is_recorded_not_raised(settings: Settings) -> None:
    broken = settings.bundle_dir / "deadbeefdeadbeef"
    broken.mkdir(parents=True)
    (broken / "manifest.json").write_text("{not json")
    (settings.bundle_dir / "SHADOW").write_text("deadbeefdeadbeef\n")
    state, record = run(settings)  # the default part: the data folder's SHADOW pointer
    assert_decided(state)
    assert record["shadow"]["bundle_id"] == "deadbeefdeadbeef"
    assert record["shadow"]["error"].startswith("cannot load: BundleCorruptError")


def test_the_canary_share_is_decided_by_the_candidate(settings: Settings) -> None:
    state, record = run(settings, candidate=Slot(Candidate(), share=1.0))
    assert_decided(state)
    assert state.prediction["bundle_id"] == "candidate"
    assert record["classifier"]["bundle_id"] == "candidate"
    assert record["canary"] == {"share": 1.0, "decided_by": "candidate"}
    assert record["shadow"]["role"] == "active" and record["shadow"]["bundle_id"] == "marker-test"
    assert "canary: candidate bundle candidate decided" in state.band_reason


def test_a_failing_canary_candidate_hands_the_document_back(settings: Settings) -> None:
    state, record = run(settings, candidate=Slot(Candidate(fail=True), share=1.0))
    assert_decided(state)
    assert record["classifier"]["bundle_id"] == "marker-test"
    assert "candidate failed, the active bundle decided" in record["shadow"]["canary"]
    assert record["canary"]["decided_by"] == "active"


def test_canary_membership_is_stable_and_near_its_share() -> None:
    ids = [f"{i:064x}" for i in range(4000)]
    chosen = [d for d in ids if in_canary(d, 0.1)]
    assert 320 <= len(chosen) <= 480
    assert chosen == [d for d in ids if in_canary(d, 0.1)]
    assert not any(in_canary(d, 0.0) for d in ids[:100])
    assert all(in_canary(d, 1.0) for d in ids[:100])


def test_slot_reads_the_pointer_and_needs_no_bundle(tmp_path: Path) -> None:
    slot = CandidateSlot(tmp_path / "bundles", Settings(data_dir=tmp_path).classifier)
    assert slot.current() is None
