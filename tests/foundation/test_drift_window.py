"""The drift window: the active bundle's own documents, newest first, however many records of
other bundles and re-runs sit between them (real database, real lineage chain)."""

from __future__ import annotations

from agent import drift
from agent.ingest import ingest_bytes
from agent.lineage import LineageLog
from agent.settings import Settings
from agent.store import Store


def classify_record(bundle: str, confidence: float) -> dict:
    return {"classifier": {"bundle_id": bundle}, "threshold": 0.9, "text_chars": 120,
            "prediction": {"label": "memo", "probabilities": {"memo": confidence,
                                                              "letter": 1 - confidence}},
            "signals": {"ocr_confidence": 80.0}}


def test_the_window_skips_other_bundles_and_reruns(store: Store, db_settings: Settings,
                                                   monkeypatch) -> None:
    monkeypatch.setattr(drift, "SCAN_WINDOWS", 5)  # 5 x 5 records: enough for all 22 here
    lineage = LineageLog.from_settings(db_settings, store.db)
    for i in range(5):  # the new bundle's documents, each classified twice (a re-run)
        doc = ingest_bytes(f"new {i}".encode(), f"n{i}.txt", store, db_settings).document
        lineage.append(doc.id, "classify", classify_record("new", 0.5))
        lineage.append(doc.id, "classify", classify_record("new", 0.95))
    for i in range(12):  # then a burst of an older bundle's records on top
        doc = ingest_bytes(f"old {i}".encode(), f"o{i}.txt", store, db_settings).document
        lineage.append(doc.id, "classify", classify_record("old", 0.7))

    values = drift.recent_values(store.db, "new", window=5)
    assert values["confidence"] == [0.95] * 5  # each document once, its newest record
    assert values["passed"] == [True] * 5 and values["text_chars"] == [120] * 5
    assert drift.recent_values(store.db, "gone", window=5)["confidence"] == []
    monkeypatch.setattr(drift, "SCAN_WINDOWS", 4)  # the scan is bounded: 20 records, 4 docs
    assert len(drift.recent_values(store.db, "new", window=5)["confidence"]) == 4
