"""The graph end to end with a real (tiny) bundle trained in this test session, real Tesseract,
the real extractor and rules: no stand-ins."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.ingest import ingest_file
from agent.pipeline import Pipeline
from agent.review import ReviewDecision
from agent.settings import Settings
from classifiers.bundle import Registry
from classifiers.inference import load_bundle
from evals.samples import generate


@pytest.fixture
def real_classifier(bundle: tuple[Registry, str]):
    registry, bundle_id = bundle
    return load_bundle(registry.path(bundle_id))


def test_generated_documents_through_the_real_graph(settings: Settings, tmp_path: Path,
                                                    real_classifier) -> None:
    generate(tmp_path / "docs", n_per_class=1, seed=31, classes=("invoice", "receipt", "memo"),
             formats=("png",))
    with Pipeline.open(settings, classifier=real_classifier) as pipeline:
        for path in sorted((tmp_path / "docs").rglob("*.png")):
            truth = path.parent.name
            doc_id = ingest_file(path, pipeline.services.store, settings).document.id
            state = pipeline.process(doc_id)
            assert state.band in ("confident", "ambiguous", "escalated")  # policy `human`
            assert state.status in ("approved", "needs_review")
            records = {r["node"]: r["payload"] for r in pipeline.services.lineage.records(doc_id)}
            classifier = records["classify"]["classifier"]
            assert classifier["bundle_id"] == real_classifier.bundle_id
            assert classifier["content_hash"] and classifier["temperatures"]
            assert classifier["gate"]["certified"] and classifier["gate"]["delta"] == 0.05
            assert records["classify"]["certified"] and records["classify"]["gate_cell"] == "all"
            assert abs(sum(state.prediction["probabilities"].values()) - 1) < 1e-6
            if state.status == "needs_review":
                outcome = pipeline.resume(doc_id, ReviewDecision(
                    action="relabel" if state.label != truth else "approve", label=truth,
                    reviewer="tester"))
                assert outcome.acted and outcome.state.label == truth
            if truth in ("invoice", "receipt"):
                final = pipeline.current(doc_id)
                assert final.fields.get("total"), f"no total extracted from {path.name}"
            assert pipeline.services.lineage.verify(doc_id).ok
