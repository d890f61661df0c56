"""`papertrail report`, the /metrics window gauges and one uncached drift check on a large
store: how long do they take at 100k documents?

    python benchmarks/report_scale.py [--documents 100000] [--days 60] [--seed 5]

A SQLite store is filled in bulk (the store's own tables): documents spread over `--days`,
one classify lineage record each (the drift window reads them), a decision for 95 % of them
(70 % auto-approved), a review for the rest, decided or pending, and QA second looks on 5 % of
the auto-approvals. Timed: the report per day over 30 days, per week over the whole span, the
1-day and 7-day windows of /metrics, and one uncached drift check (PSI window + live
precision), each the median of 5 runs. Baseline from the same run: one `SELECT count(*)` over
the documents (the cheapest full pass). Writes benchmarks/results/report_scale.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select  # noqa: E402

from agent.drift import DriftMonitor  # noqa: E402
from agent.drift_precision import Promise  # noqa: E402
from agent.drift_settings import DriftSettings  # noqa: E402
from agent.store.activity import activity, window  # noqa: E402
from agent.store.db import Database  # noqa: E402
from agent.store.models import Decision, Document, LineageRecord, Review  # noqa: E402
from classifiers.drift import build_profile  # noqa: E402

LABELS = ["invoice", "receipt", "letter", "memo"]
VERDICTS = ["approve"] * 8 + ["relabel", "edit"]


def fill(db: Database, n: int, days: int, seed: int) -> None:
    rng = random.Random(seed)
    now = datetime.now(UTC)
    docs, lineage, decisions, reviews = [], [], [], []
    for i in range(n):
        doc_id = f"{i:064x}"
        created = now - timedelta(days=days * (1 - i / n), minutes=rng.random())
        docs.append(dict(id=doc_id, filename=f"{i}.pdf", detected_type="pdf", size_bytes=1000,
                         page_count=1, status="approved", created_at=created,
                         updated_at=created))
        confidence = rng.betavariate(8, 1)
        lineage.append(dict(doc_id=doc_id, seq=1, node="classify", created_at=created.isoformat(),
                            payload={"classifier": {"bundle_id": "big"}, "threshold": 0.9,
                                     "text_chars": rng.randint(100, 5000),
                                     "prediction": {"label": rng.choice(LABELS),
                                                    "probabilities": {"invoice": confidence}},
                                     "signals": {"ocr_confidence": rng.uniform(60, 99)}},
                            prev_hash="0" * 64, hash="0" * 64))
        roll = rng.random()
        decided = created + timedelta(minutes=rng.uniform(1, 600))
        if roll < 0.70:
            decisions.append(dict(doc_id=doc_id, action="auto_approved", label="invoice",
                                  fields={}, decided_by="papertrail:auto", band="confident",
                                  confidence=confidence, created_at=created))
            if rng.random() < 0.05:
                reviews.append(dict(doc_id=doc_id, status="decided", payload={"qa": True},
                                    created_at=created, decided_at=decided, reviewer="rita",
                                    decision={"action": rng.choice(VERDICTS)}))
        elif roll < 0.95:
            verdict = rng.choice(VERDICTS + ["reject"])
            decisions.append(dict(doc_id=doc_id, action=verdict, label="invoice", fields={},
                                  decided_by="rita", band="ambiguous", confidence=confidence,
                                  created_at=decided))
            reviews.append(dict(doc_id=doc_id, status="decided", payload={}, created_at=created,
                                decided_at=decided, reviewer="rita",
                                decision={"action": verdict}))
        else:
            reviews.append(dict(doc_id=doc_id, status="pending", payload={},
                                created_at=created, decided_at=None, reviewer=None,
                                decision=None))
    with db.session() as session:
        for table, rows in ((Document, docs), (LineageRecord, lineage), (Decision, decisions),
                            (Review, reviews)):
            for start in range(0, len(rows), 10_000):
                session.execute(insert(table), rows[start:start + 10_000])


def timed(fn, runs: int = 5) -> float:  # noqa: ANN001
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--out", type=Path,
                        default=ROOT / "benchmarks" / "results" / "report_scale.json")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="report-scale-"))
    db = Database(f"sqlite:///{work / 'papertrail.sqlite'}")
    db.create_all()
    started = time.perf_counter()
    fill(db, args.documents, args.days, args.seed)
    fill_s = round(time.perf_counter() - started, 1)
    now = datetime.now(UTC)
    rng = random.Random(1)
    probabilities = [[rng.betavariate(8, 1)] + [0.0] * 3 for _ in range(500)]
    import numpy as np

    profile = build_profile(np.array(probabilities), LABELS, [90.0] * 500, ["x" * 800] * 500,
                            np.ones(500, dtype=bool))
    monitor = DriftMonitor(db, DriftSettings(cache_seconds=0))
    promise = Promise(target_precision=0.98, delta=0.05)

    def count() -> None:
        with db.session() as session:
            session.scalar(select(func.count()).select_from(Document))

    result = {
        "documents": args.documents, "days": args.days, "fill_s": fill_s,
        "baseline_count_ms": timed(count),
        "report_30_days_per_day_ms": timed(lambda: activity(db, now - timedelta(days=30), now,
                                                            "day")),
        "report_all_per_week_ms": timed(lambda: activity(db, now - timedelta(days=args.days),
                                                         now, "week")),
        "metrics_windows_1d_7d_ms": timed(lambda: [window(db, now - timedelta(days=d), now)
                                                   for d in (1, 7)]),
        "drift_check_uncached_ms": timed(lambda: monitor.report("big", profile, fresh=True,
                                                                promise=promise)),
        "load_average": os.getloadavg(),
    }
    report = activity(db, now - timedelta(days=30), now, "day")
    result["sample_totals"] = report.totals.model_dump(mode="json") | report.totals.derived()
    print(json.dumps(result, indent=2))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
