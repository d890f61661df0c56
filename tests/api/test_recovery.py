"""Stalled documents: queued again by one claimant per stall, a bounded number of times, then
`failed` with a reason that GET /documents/{id} and /metrics show."""

from __future__ import annotations

import time

import pytest

from agent.settings import Settings
from agent.store import DocumentStatus
from api.recovery import STALLED, recover_stalled
from tests.api.conftest import auth, doc_bytes


def test_a_document_that_keeps_stalling_ends_failed_with_a_reason(
    client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAPERTRAIL_WORKER_STALLED_AFTER_SECONDS", "0.2")
    monkeypatch.setenv("PAPERTRAIL_WORKER_MAX_RECOVERIES", "2")
    settings = Settings()
    ids = [client.post("/documents", headers=auth("submitter"), files={
        "file": (f"s{i}.png", doc_bytes(f"70{i}"), "image/png")}).json()["id"]
        for i in range(2)]
    stuck, waiting = ids
    client.app.state.papertrail.store.documents.set_status(stuck, DocumentStatus.PROCESSING)
    queued: list[str] = []

    def stall_then_recover() -> list[str]:
        time.sleep(0.3)
        return recover_stalled(settings, queued.append, queue_empty=False).failed

    assert stall_then_recover() == [] and queued == [stuck]  # `received` waits in the queue
    assert recover_stalled(settings, queued.append, queue_empty=False).requeued == []  # claimed
    assert stall_then_recover() == [] and queued == [stuck, stuck]
    assert stall_then_recover() == [stuck] and queued == [stuck, stuck]

    view = client.get(f"/documents/{stuck}", headers=auth("admin")).json()
    assert view["status"] == "failed" and view["error"].startswith(f"{STALLED}: "), view
    assert "PAPERTRAIL_WORKER_MAX_RECOVERIES" in view["error"]
    lineage = client.get(f"/documents/{stuck}/lineage", headers=auth("admin")).json()
    assert [r["node"] for r in lineage["records"]][-3:] == ["recovery", "recovery", "error"]
    assert lineage["verify"]["ok"] is True
    metrics = client.get("/metrics", headers=auth("admin")).text
    assert f'papertrail_failures_total{{code="{STALLED}"}} 1.0' in metrics
    assert "papertrail_recoveries_total 2.0" in metrics
    assert 'papertrail_documents{status="failed"} 1.0' in metrics

    assert recover_stalled(settings, queued.append, queue_empty=True).requeued == [waiting]
