"""Drift checks on a stream: after how many receipt-like documents does drift flag, and what
does a check cost next to classifying a document?

    python benchmarks/drift.py [--per-class 20] [--warm 150] [--receipt-share 0.5] [--seed 3]

A tiny bundle (tests/tiny_bundle.py settings) is trained on generated documents of every class
but `receipt`; its reference profile is written with it. Documents then run through the real
graph into a real SQLite store: `--warm` documents like the training data, then a stream where
`--receipt-share` of the documents are generated receipts. After every document the drift
verdict is recomputed from the database (no cache). Reported: the verdict after the warm phase,
the receipts seen when drift first flagged (and which signal), and the drift cost per document
against the time the classifier took per document (both from this run): one uncached check
(PSI window + live precision of auto-approvals; the worst case, a check for every document) and
the cached call the classify step makes with the default PAPERTRAIL_DRIFT_CACHE_SECONDS (the
per-document cost in production; its mean includes the misses). The target: < 5 ms per
document. Writes a table and benchmarks/results/drift.json (with the load average).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import numpy as np  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from agent.drift import DriftMonitor, DriftReport  # noqa: E402
from agent.drift_precision import promise_of  # noqa: E402
from agent.drift_settings import DriftSettings  # noqa: E402
from agent.ingest import ingest_bytes  # noqa: E402
from agent.pipeline import Pipeline  # noqa: E402
from agent.settings import Settings  # noqa: E402
from classifiers.bundle import Registry  # noqa: E402
from classifiers.corpus import load_corpus  # noqa: E402
from classifiers.inference import load_bundle  # noqa: E402
from classifiers.train import train_bundle  # noqa: E402
from evals.samples.generator import CLASSES, generate  # noqa: E402
from tests.tiny_bundle import TINY  # noqa: E402


def texts(root: Path, classes: tuple[str, ...], n: int, seed: int) -> list[bytes]:
    generate(root, n_per_class=n, seed=seed, classes=classes, formats=("txt",))
    return [p.read_bytes() for p in sorted(root.rglob("*.txt"))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-class", type=int, default=20)
    parser.add_argument("--warm", type=int, default=150)
    parser.add_argument("--receipt-share", type=float, default=0.5)
    parser.add_argument("--max-stream", type=int, default=300)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "drift.json")
    args = parser.parse_args()
    known = tuple(c for c in CLASSES if c != "receipt")
    work = Path(tempfile.mkdtemp(prefix="drift-bench-"))
    generate(work / "train", n_per_class=args.per_class, seed=1, classes=known, formats=("txt",))
    registry = Registry(work / "var" / "bundles")
    started = time.perf_counter()
    bundle_id = train_bundle(load_corpus(work / "train", progress=False), TINY, registry,
                             activate=True, progress=False)
    train_s = time.perf_counter() - started
    classifier = load_bundle(registry.path(bundle_id))
    drift = DriftSettings(action="alert", cache_seconds=0)
    settings = Settings(data_dir=work / "var", drift=drift, ocr_workers=1)
    per_known = -(-(args.warm + args.max_stream) // len(known))
    like = texts(work / "like", known, per_known, args.seed)
    receipts = texts(work / "receipts", ("receipt",), args.max_stream, args.seed + 1)
    random.Random(args.seed).shuffle(like)
    rng = random.Random(args.seed + 2)
    classify_ms: list[float] = []
    check_ms: list[float] = []
    cached_ms: list[float] = []
    result: dict[str, object] = {"bundle": bundle_id, "train_s": round(train_s, 1),
                                 "classes": list(known), **vars(args) | {"out": str(args.out)},
                                 "window": drift.window, "min_documents": drift.min_documents,
                                 "psi_threshold": drift.psi_threshold}
    with Pipeline.open(settings, classifier=classifier) as pipeline:
        monitor = pipeline.services.drift
        assert monitor is not None
        profile = classifier.info.profile
        promise = promise_of(classifier.info.gate)
        production = DriftMonitor(pipeline.services.store.db, DriftSettings())  # default cache

        def run(data: bytes, name: str) -> DriftReport:
            doc_id = ingest_bytes(data, name, pipeline.services.store, settings).document.id
            pipeline.process(doc_id)
            classify_ms.append(pipeline.current(doc_id).prediction["latency_ms"])
            started = time.perf_counter()
            report = monitor.report(bundle_id, profile, fresh=True, promise=promise)
            check_ms.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            production.suspension(bundle_id, profile, promise)  # what classify calls
            production.report(bundle_id, profile, promise=promise)
            cached_ms.append((time.perf_counter() - started) * 1000)
            return report

        for i in range(args.warm):
            report = run(like.pop(), f"like-{i}.txt")
        result["after_warm"] = {"status": report.status,
                                "psi": {s.signal: s.psi for s in report.signals}}
        seen = 0
        for i in range(args.max_stream):
            is_receipt = rng.random() < args.receipt_share
            seen += is_receipt
            report = run(receipts.pop() if is_receipt else like.pop(), f"stream-{i}.txt")
            if report.status == "drifted":
                result["flagged"] = {"after_documents": i + 1, "after_receipts": seen,
                                     "signals": {s.signal: s.psi for s in report.signals}}
                break
        else:
            result["flagged"] = None
    result["classify_ms_median"] = round(float(np.median(classify_ms)), 3)
    result["check_ms_median"] = round(float(np.median(check_ms)), 3)
    result["check_to_classify_ratio"] = round(result["check_ms_median"]  # type: ignore[operator]
                                              / result["classify_ms_median"], 2)
    result["check_ms_p95"] = round(float(np.percentile(check_ms, 95)), 3)
    result["per_document_ms_mean"] = round(float(np.mean(cached_ms)), 4)
    result["per_document_to_classify_ratio"] = round(
        result["per_document_ms_mean"] / result["classify_ms_median"], 4)  # type: ignore[operator]
    result["under_5ms"] = {"worst_case_uncached": result["check_ms_median"] < 5,
                           "per_document_default_cache": result["per_document_ms_mean"] < 5}
    result["documents"] = len(check_ms)
    result["load_average"] = os.getloadavg()
    table = Table(title=f"Drift on a stream with {args.receipt_share:.0%} unseen receipts "
                  f"(window {drift.window}, min {drift.min_documents}, PSI > "
                  f"{drift.psi_threshold})")
    for column in ("after warm", "flagged after (docs / receipts)", "signals",
                   "classify ms/doc", "check ms (uncached)", "check / classify",
                   "per doc ms (default cache)", "per doc / classify"):
        table.add_column(column)
    flagged = result["flagged"]
    table.add_row(
        f"{result['after_warm']['status']} {result['after_warm']['psi']}",  # type: ignore[index]
        "never" if not flagged else f"{flagged['after_documents']} / {flagged['after_receipts']}",
        "-" if not flagged else str(flagged["signals"]),
        str(result["classify_ms_median"]), str(result["check_ms_median"]),
        f"{result['check_to_classify_ratio']}x", str(result["per_document_ms_mean"]),
        f"{result['per_document_to_classify_ratio']}x")
    Console(width=200).print(table)
    print(f"load average {result['load_average']}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, default=str))


if __name__ == "__main__":
    main()
