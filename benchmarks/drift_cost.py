"""Drift cost per document against classify time, interleaved so both see the same load.

    python benchmarks/drift_cost.py --work /tmp/drift-bench-XXXX [--rounds 60]

Reuses what `benchmarks/drift.py` left in its work folder (the bundle it trained, the SQLite
store its stream filled). Each round, in turn: the bundle classifies one of the stream's
texts (the baseline), one uncached drift check runs (PSI window + live precision: the worst
case, a check for every document), and the classify step's own call runs against a monitor
with the default cache (PAPERTRAIL_DRIFT_CACHE_SECONDS: the per-document cost in production).
Prints medians, p95 and ratios with the load average; writes
benchmarks/results/drift_cost.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import numpy as np  # noqa: E402

from agent.drift import DriftMonitor  # noqa: E402
from agent.drift_precision import promise_of  # noqa: E402
from agent.drift_settings import DriftSettings  # noqa: E402
from agent.settings import Settings  # noqa: E402
from agent.store import Store  # noqa: E402
from classifiers.bundle import Registry  # noqa: E402
from classifiers.inference import load_bundle  # noqa: E402
from classifiers.signals import DocumentSignals  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=60)
    parser.add_argument("--out", type=Path,
                        default=ROOT / "benchmarks" / "results" / "drift_cost.json")
    args = parser.parse_args()
    settings = Settings(data_dir=args.work / "var")
    registry = Registry(settings.bundle_dir)
    bundle_id = registry.active_id()
    classifier = load_bundle(registry.path(bundle_id))
    store = Store.from_settings(settings)
    texts = [p.read_text() for p in sorted((args.work / "like").rglob("*.txt"))][:args.rounds]
    profile, promise = classifier.info.profile, promise_of(classifier.info.gate)
    uncached = DriftMonitor(store.db, DriftSettings(cache_seconds=0))
    production = DriftMonitor(store.db, DriftSettings(action="suspend"))
    classify_ms, check_ms, cached_ms = [], [], []
    for text in texts:
        started = time.perf_counter()
        classifier.classify(text, DocumentSignals())
        classify_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        uncached.report(bundle_id, profile, fresh=True, promise=promise)
        check_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        production.suspension(bundle_id, profile, promise)
        cached_ms.append((time.perf_counter() - started) * 1000)
    classify = statistics.median(classify_ms)
    result = {
        "bundle": bundle_id, "rounds": len(texts),
        "window_documents": uncached.report(bundle_id, profile, promise=promise).window,
        "classify_ms_median": round(classify, 3),
        "check_uncached_ms_median": round(statistics.median(check_ms), 3),
        "check_uncached_ms_p95": round(float(np.percentile(check_ms, 95)), 3),
        "check_to_classify": round(statistics.median(check_ms) / classify, 3),
        "cached_call_ms_median": round(statistics.median(cached_ms), 4),
        "cached_call_ms_mean": round(statistics.mean(cached_ms), 4),
        "cached_to_classify": round(statistics.mean(cached_ms) / classify, 4),
        "load_average": os.getloadavg(),
    }
    print(json.dumps(result, indent=2))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
