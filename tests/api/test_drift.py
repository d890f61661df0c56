"""Drift end to end: the real app and the tiny bundle's reference profile, documents classified
by the real graph into the app's database, GET /drift, /healthz, /metrics and POST /drift/ack."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from agent.ingest import ingest_bytes
from agent.pipeline import Pipeline
from agent.settings import Settings
from agent.state import DocumentState
from classifiers.inference import load_bundle
from evals.samples import generate
from tests.api.conftest import auth

WORDS = ["lorem", "ipsum", "dolor", "sit", "amet", "consectetur", "adipiscing", "elit", "sed",
         "do", "eiusmod", "tempor", "incididunt", "ut", "labore", "et", "dolore", "magna"]


@pytest.fixture
def drift_env(monkeypatch: pytest.MonkeyPatch, api_env: dict[str, str]) -> None:
    for name, value in {"PAPERTRAIL_DRIFT_ACTION": "suspend", "PAPERTRAIL_DRIFT_WINDOW": "200",
                        "PAPERTRAIL_DRIFT_MIN_DOCUMENTS": "30",
                        "PAPERTRAIL_DRIFT_CACHE_SECONDS": "0"}.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def run(drift_env: None, active_bundle: Path) -> Iterator[Callable[[bytes, str], DocumentState]]:
    """Process one document through the real graph with the active tiny bundle."""
    settings = Settings()
    with Pipeline.open(settings, classifier=load_bundle(active_bundle)) as pipeline:
        def process(data: bytes, name: str) -> DocumentState:
            doc_id = ingest_bytes(data, name, pipeline.services.store, settings).document.id
            return pipeline.process(doc_id)
        yield process


def like_training(root: Path, seed: int, n_per_class: int) -> list[Path]:
    generate(root, n_per_class=n_per_class, seed=seed, formats=("txt",))
    return sorted(root.rglob("*.txt"))


def unlike_training(i: int) -> bytes:
    rng = random.Random(i)
    return " ".join(rng.choice(WORDS) for _ in range(400 + i)).encode()


def test_a_stream_like_the_training_data_raises_no_flag(
        run: Callable[[bytes, str], DocumentState], client: TestClient, tmp_path: Path) -> None:
    for path in like_training(tmp_path / "docs", seed=11, n_per_class=15):
        run(path.read_bytes(), path.name)
    report = client.get("/drift", headers=auth("reviewer")).json()
    assert report["status"] == "ok", report
    assert report["window"] >= 100 and not report["suspended"]
    assert {s["signal"] for s in report["signals"]} == {
        "confidence", "label", "ocr_confidence", "text_chars"}
    assert client.get("/healthz").json()["components"]["drift"]["status"] == "ok"


def test_unlike_documents_flag_drift_and_suspend_auto_approval(
        run: Callable[[bytes, str], DocumentState], client: TestClient, tmp_path: Path) -> None:
    assert client.get("/drift", headers=auth("admin")).json()["status"] == "too_few_documents"
    for i in range(60):
        run(unlike_training(i), f"odd-{i}.txt")
    report = client.get("/drift", headers=auth("reviewer")).json()
    assert report["status"] == "drifted" and report["suspended"], report
    drifted = [s for s in report["signals"] if s["drifted"]]
    assert drifted and all(s["since"] and s["psi"] > s["threshold"] for s in drifted)
    assert report["suspension_reason"].startswith("drift: ")

    # the next document, even one like the training data, goes to a person
    samples = like_training(tmp_path / "docs", seed=12, n_per_class=1)
    state = run(samples[0].read_bytes(), samples[0].name)
    assert state.status == "needs_review" and state.band == "escalated"
    assert any(r.startswith("drift: ") and " PSI " in r for r in state.review_reasons)

    health = client.get("/healthz")
    assert health.json()["status"] == "degraded"
    assert health.json()["components"]["drift"]["status"] == "degraded"
    metrics = client.get("/metrics", headers=auth("admin")).text
    assert "papertrail_drift_suspended 1.0" in metrics and "papertrail_drift_psi{" in metrics

    assert client.post("/drift/ack", headers=auth("reviewer")).status_code == 403
    ack = client.post("/drift/ack", headers=auth("admin")).json()
    assert ack["acknowledged"] == len(drifted) and ack["by"] == "ada"
    assert not ack["report"]["suspended"]
    assert all(s["acknowledged_by"] == "ada" for s in ack["report"]["signals"] if s["drifted"])
    state = run(samples[1].read_bytes(), samples[1].name)
    assert state.band != "escalated" and "drift" not in state.band_reason
    assert client.get("/healthz").json()["components"]["drift"]["status"] == "ok"
