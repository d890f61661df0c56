"""Run labelled documents through the real graph, answering reviews with the oracle.

Resumable: each finished document is one line of DIR/results.jsonl, skipped on the next run.
Fast on re-runs: OCR is done first, in parallel, into the shared cache the graph then reads.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rich.progress import Progress

from agent.errors import PapertrailError
from agent.ingest import ingest_file
from agent.ingest.service import read_upload
from agent.pipeline import Pipeline
from agent.services import DocumentClassifier
from agent.settings import Settings
from agent.state import DocumentState
from evals.datasets import EvalItem
from evals.normalize import fields_match
from evals.oracle import oracle_decision

RESULTS = "results.jsonl"


def select(items: list[EvalItem], limit: int | None, seed: int = 13) -> list[EvalItem]:
    """A fixed, shuffled order, so `--limit` takes a sample of every class, not the first."""
    ordered = sorted(items, key=lambda i: str(i.path))
    random.Random(seed).shuffle(ordered)
    return ordered[:limit] if limit else ordered


def eval_settings(settings: Settings, out_dir: Path, workers: int | None,
                  llm: bool = True) -> Settings:
    """The eval's own database, blobs and checkpoints under DIR/var; the user's OCR cache.
    With `llm` off the adjudication policy is `human`: no LLM runs, and ambiguous documents go
    to the (oracle) reviewer with their retrieved evidence."""
    update: dict[str, Any] = {
        "data_dir": out_dir / "var", "database_url": None, "checkpoint_url": None,
        "shared_cache_dir": settings.cache_dir, "ocr_workers": workers or settings.ocr_workers,
    }
    if not llm:
        update["llm"] = settings.llm.model_copy(update={"policy": "human"})
    return settings.model_copy(update=update)


def run_eval(
    items: list[EvalItem], out_dir: Path, settings: Settings, classifier: DocumentClassifier,
    progress: Progress | None = None, **overrides: Any,
) -> tuple[list[dict[str, Any]], float]:
    """Every row (old and new) and the wall time spent on the new ones. The graph's parts are
    built from `settings`, with the classifier under evaluation (and any other `overrides`,
    as `Services.from_settings` takes them)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    results = out_dir / RESULTS
    done = _load_rows(results)
    todo = [item for item in items if str(item.path) not in done]
    started = time.perf_counter()
    if todo:
        _warm_ocr(todo, settings, progress)
        with Pipeline.open(settings, classifier=classifier, **overrides) as pipeline, \
                results.open("a", encoding="utf-8") as sink:
            task = progress.add_task("graph + oracle", total=len(todo)) if progress else None
            for item in todo:
                row = evaluate_one(item, pipeline)
                sink.write(json.dumps(row, default=str) + "\n")
                sink.flush()
                done[str(item.path)] = row
                if progress and task is not None:
                    progress.advance(task)
    wall = time.perf_counter() - started
    return [done[str(item.path)] for item in items if str(item.path) in done], wall


def evaluate_one(item: EvalItem, pipeline: Pipeline) -> dict[str, Any]:
    services = pipeline.services
    started = time.perf_counter()
    try:
        doc_id = ingest_file(item.path, services.store, services.settings).document.id
    except PapertrailError as exc:
        return _row(item, None, None, error=f"{exc.code}: {exc.message}")
    state = pipeline.process(doc_id)
    before_review = state
    action = None
    if state.status == "needs_review":
        review = services.store.reviews.get(doc_id)
        decision = oracle_decision(review.payload if review else {}, item.label, item.fields)
        if decision.action == "relabel" and decision.label not in services.classifier.labels:
            decision = decision.model_copy(update={"action": "reject", "label": None})
        outcome = pipeline.resume(doc_id, decision)
        action = decision.action
        state = outcome.state or state
    row = _row(item, before_review, state, action=action)
    row["total_ms"] = (time.perf_counter() - started) * 1000
    records = services.lineage.records(doc_id)
    row["node_ms"] = {r["node"]: r["payload"].get("elapsed_ms", 0.0) for r in records}
    row |= llm_usage(records)
    if item.fields:
        true_type, _ = services.extractor(item.label, before_review.text)
        row["field_match"] = {n: fields_match(n, before_review.fields.get(n), v)
                              for n, v in item.fields.items()}
        row["field_match_true_type"] = {n: fields_match(n, true_type.get(n), v)
                                        for n, v in item.fields.items()}
    return row


def _row(item: EvalItem, before: DocumentState | None, after: DocumentState | None,
         action: str | None = None, error: str | None = None) -> dict[str, Any]:
    prediction = (before.prediction if before else None) or {}
    probabilities = prediction.get("probabilities", {})
    adjudication = (before.adjudication if before else None) or {}
    answer = adjudication.get("answer") or {}
    asked = adjudication.get("status") in ("grounded", "ungrounded")
    return {
        "path": str(item.path), "truth": item.label, "error": error,
        "doc_id": before.doc_id if before else None,
        "predicted": prediction.get("label"),
        "confidence": max(probabilities.values()) if probabilities else 0.0,
        "model": prediction.get("model"),
        "band": before.band if before else "error",
        "system_label": before.label if before else None,
        "final_label": after.label if after else None,
        "status": after.status if after else "failed",
        "auto_approved": bool(after and after.status == "approved" and action is None),
        "review_action": action,
        # when an LLM was asked: the label adjudication went on with, else the LLM's own
        "llm_label": (adjudication.get("label") or answer.get("label") or "unknown")
        if asked else None,
        "llm_grounded": adjudication.get("trusted") if asked else None,
        "prompt_tokens": 0, "completion_tokens": 0, "llm_ms": 0.0,
        "snippet": (before.text[:400] if before else ""),
        "total_ms": 0.0, "node_ms": {},
    }


def llm_usage(records: list[dict[str, Any]]) -> dict[str, Any]:
    """Tokens and LLM latency as lineage recorded the adjudication call (the graph's state
    keeps the verdict only, not the call's record)."""
    record: dict[str, Any] = {}
    for r in records:
        if r["node"] == "adjudicate":
            record = (r["payload"].get("adjudication") or {}).get("record") or {}
    return {"prompt_tokens": int(record.get("prompt_tokens") or 0),
            "completion_tokens": int(record.get("completion_tokens") or 0),
            "llm_ms": float(record.get("latency_ms") or 0.0)}


def _warm_ocr(items: list[EvalItem], settings: Settings, progress: Progress | None) -> None:
    from agent.ocr import OcrService

    service = OcrService(settings)
    task = progress.add_task("OCR (cached after the first run)", total=len(items)) \
        if progress else None

    def readable() -> Iterator[tuple[bytes, str]]:
        for item in items:
            try:
                yield read_upload(item.path, settings), item.path.name
            except PapertrailError:
                if progress and task is not None:
                    progress.advance(task)  # too large to read: evaluate_one records why

    # Invalid documents come back as errors, not exceptions; evaluate_one records them.
    for _ in service.ocr_many(readable(), skip_invalid=True):
        if progress and task is not None:
            progress.advance(task)


def _load_rows(path: Path) -> dict[str, dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                rows[row["path"]] = row
    return rows
