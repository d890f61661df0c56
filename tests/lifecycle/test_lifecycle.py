"""Retrain -> shadow -> compare -> promote -> rollback, end to end on generated documents:
the real graph, a real SQLite store, real bundle files, the real CLI; and a candidate trained
on corrupted labels that the promotion gate refuses."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from agent.ingest import ingest_file
from agent.lifecycle.reviewed import latest_record
from agent.pipeline import Pipeline
from agent.review import ReviewDecision, review_payload
from agent.settings import Settings
from agent.store import Store
from agent.store.bundle_events import BundleEventLog
from api import cli_support, qa
from api.commands import bundles, retrain, train, users
from api.users import UserRepository
from classifiers.bundle import Registry, read_info
from evals.samples import generate

pytestmark = pytest.mark.slow
runner = CliRunner()
CORPUS = dict(n_per_class=20, seed=0, formats=("txt",))  # as evals/demo_bundle.py trains on
SWAP = {"invoice": "receipt", "receipt": "invoice", "memo": "letter", "letter": "memo",
        "contract": "resume", "resume": "contract"}


def _app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        pass

    for module in (train, retrain, bundles, users):
        module.register(app)
    return app


def cli(*args: str, code: int = 0) -> str:
    cli_support.set_overrides(None)
    result = runner.invoke(_app(), list(args))
    output = " ".join(result.output.split())
    assert result.exit_code == code, output
    return output


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("lifecycle")
    settings = Settings(data_dir=root / "var", ocr_workers=2)
    generate(root / "corpus", **CORPUS)  # what the demo bundle learns from
    os.environ["PAPERTRAIL_DATA_DIR"] = str(settings.data_dir)
    try:  # the word baseline alone: certified on these documents, and seconds to train
        cli("train", "--data", str(root / "corpus"), "--baseline-only")
    finally:
        del os.environ["PAPERTRAIL_DATA_DIR"]
    active = Registry(settings.bundle_dir).active_id()
    assert active is not None and read_info(settings.bundle_dir / active).gate.certified
    return {"root": root, "settings": settings, "active": active}


@pytest.fixture(autouse=True)
def data_dir(world: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAPERTRAIL_DATA_DIR", str(world["settings"].data_dir))
    monkeypatch.setattr(cli_support.console, "width", 240)  # tables unwrapped


def run_and_review(settings: Settings, folder: Path, seed: int, n_per_class: int) -> list[str]:
    """Generate live documents, run them through the graph, and have a person give each its
    true type: pending reviews are resumed, auto-approved ones get a QA second look."""
    samples = generate(folder, n_per_class=n_per_class, seed=seed, formats=("txt",))
    doc_ids = []
    with Pipeline.open(settings, retriever=None) as pipeline:
        store = pipeline.services.store
        for sample in samples:
            doc_id = ingest_file(sample.files[0], store, settings).document.id
            state = pipeline.process(doc_id)
            doc_ids.append(doc_id)
            if state.status == "needs_review":
                outcome = pipeline.resume(doc_id, verdict(state.label, sample.label, "rita"))
                assert outcome.acted, outcome.message
            else:
                assert state.status == "approved", state
                store.reviews.open(doc_id, {**review_payload(state, pipeline.services
                                                             .classifier.labels), "qa": True})
                decision = verdict(state.label, sample.label, "quinn")
                assert qa.record_verdict(store, doc_id, decision).status_code == 200
    return doc_ids


def decided_by_now(pipeline: Pipeline, folder: Path, seed: int) -> str:
    """The bundle that classifies a new document in this (already running) pipeline."""
    (sample,) = generate(folder, n_per_class=1, seed=seed, classes=("memo",), formats=("txt",))
    store = pipeline.services.store
    doc_id = ingest_file(sample.files[0], store, pipeline.services.settings).document.id
    pipeline.process(doc_id)
    return latest_record(store, doc_id, "classify")["classifier"]["bundle_id"]


def verdict(machine: str | None, truth: str, reviewer: str) -> ReviewDecision:
    if machine == truth:
        return ReviewDecision(action="approve", reviewer=reviewer)
    return ReviewDecision(action="relabel", reviewer=reviewer, label=truth)


def test_retrain_shadow_compare_promote_rollback(world: dict) -> None:
    settings, root, first = world["settings"], world["root"], world["active"]
    registry = Registry(settings.bundle_dir)
    batch1 = run_and_review(settings, root / "live1", seed=11, n_per_class=2)

    out = cli("retrain", "--by", "alice")  # the corpus the active bundle records
    (candidate,) = [i for i in registry.ids() if i != first]
    assert registry.active_id() == first and f"candidate {candidate}" in out
    trained_on = read_info(registry.path(candidate)).trained_on
    assert trained_on.reviewed_documents == len(batch1) == 16
    assert trained_on.corpus_documents == 160 and trained_on.parent_bundle == first
    assert trained_on.skipped_reviews == {} and trained_on.last_review_doc_id == batch1[-1]
    assert read_info(registry.path(candidate)).gate.certified  # same cross-fitted certificate

    cli("bundles", "shadow", candidate, "--by", "alice")
    assert registry.shadow_id() == candidate
    canary = settings.model_copy(update={"canary_share": 0.25})
    batch2 = run_and_review(canary, root / "live2", seed=12, n_per_class=4)
    store = Store.from_settings(settings)
    records = [latest_record(store, d, "classify") for d in batch2]
    decided_by = [r["classifier"]["bundle_id"] for r in records]
    assert set(decided_by) == {first, candidate}  # the canary share went to the candidate
    for record in records:
        shadow = record["shadow"]
        assert {"bundle_id", "model", "label", "confidence", "band", "role"} <= set(shadow)
        canary_doc = record["classifier"]["bundle_id"] == candidate
        assert shadow["role"] == ("active" if canary_doc else "candidate")
        assert shadow["bundle_id"] == (first if canary_doc else candidate)
        assert ("canary" in record) == canary_doc
    assert 2 <= decided_by.count(candidate) <= 16

    out = cli("bundles", "compare")
    assert "32 reviewed documents scored by both" in out and "promotion gate: passed" in out
    assert "agreement" in out

    with Pipeline.open(settings, retriever=None) as running:  # a worker, already up
        out = cli("bundles", "activate", candidate[:8], "--by", "bob")
        assert registry.active_id() == candidate and registry.shadow_id() is None
        assert decided_by_now(running, root / "live4", seed=14) == candidate
        out = cli("bundles", "rollback", "--by", "carol", "--reason", "drill")
        assert registry.active_id() == first and f"rolled back from {candidate}" in out
        assert decided_by_now(running, root / "live5", seed=15) == first
    out = cli("bundles", "list")
    assert "rollback by carol" in out and "activate by bob" in out
    out = cli("bundles", "show", candidate)
    assert "16 reviewed" in out and "retrain" in out and "alice" in out
    steps = [(e.action, e.bundle_id, e.actor) for e in BundleEventLog(store.db).events()]
    assert steps[-3:] == [("shadow", candidate, "alice"), ("activate", candidate, "bob"),
                          ("rollback", first, "carol")]
    assert cli("bundles", "rollback", code=2) and registry.active_id() == first
    store.db.dispose()


def test_promotion_refused_when_the_candidate_regresses(world: dict) -> None:
    settings, root, first = world["settings"], world["root"], world["active"]
    registry = Registry(settings.bundle_dir)
    registry.activate(first)
    (root / "swap.json").write_text(json.dumps(SWAP))
    before = set(registry.ids())
    cli("retrain", "--data", str(root / "corpus"), "--label-map", str(root / "swap.json"))
    (bad,) = set(registry.ids()) - before
    cli("bundles", "shadow", bad)
    run_and_review(settings, root / "live3", seed=13, n_per_class=4)

    out = cli("bundles", "compare", code=1)
    assert "promotion gate: refused" in out and "significantly lower" in out
    out = cli("bundles", "activate", bad, code=2)
    assert "promotion_refused" in out and registry.active_id() == first
    out = cli("bundles", "activate", bad, "--force", "--by", "mallory", "--reason", "x", code=2)
    assert "for admins" in out and registry.active_id() == first
    store = Store.from_settings(settings)
    UserRepository(store.db).create("ada", users.Role.admin, "a long password")
    out = cli("bundles", "activate", bad, "--force", "--by", "ada", "--reason", "testing")
    assert registry.active_id() == bad and "forced past the gate" in out
    event = BundleEventLog(store.db).last("activate", bad)
    assert event.forced and event.actor == "ada" and event.reason == "testing"
    cli("bundles", "rollback", "--by", "ada")
    assert registry.active_id() == first
    store.db.dispose()
