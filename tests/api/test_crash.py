"""A worker killed (SIGKILL) in the middle of a document: a restarted worker finishes it, and
every document that went in comes out."""

from __future__ import annotations

import time

from agent.store.models import Document
from tests.api.conftest import FINAL, auth, doc_bytes, wait_for


def statuses(client, ids: list[str]) -> dict[str, str]:
    store = client.app.state.papertrail.store
    with store.db.session() as session:
        return {doc_id: session.get(Document, doc_id).status for doc_id in ids}


def test_killed_worker_document_is_finished_by_a_restarted_worker(client, start_worker) -> None:
    ids = []
    for i in range(5):
        extra = ("Confidence 60",) if i % 2 else ()
        response = client.post("/documents", headers=auth("submitter"), files={
            "file": (f"d{i}.png", doc_bytes(f"40{i}", *extra), "image/png")})
        assert response.status_code == 202
        ids.append(response.json()["id"])

    first = start_worker("crashy")
    wait_for(lambda: "processing" in statuses(client, ids).values(), timeout=60,
             what="a document in the middle of processing")
    first.kill()
    at_kill = statuses(client, ids)
    cut_short = [d for d, s in at_kill.items() if s == "processing"]
    assert cut_short, at_kill
    assert sum(s not in FINAL for s in at_kill.values()) >= 2, at_kill

    time.sleep(1.5)  # the cut-short document is now older than the stalled threshold
    second = start_worker("survivor", PAPERTRAIL_WORKER_STALLED_AFTER_SECONDS="1")
    done = wait_for(lambda: (s := statuses(client, ids)) and all(
        v in FINAL for v in s.values()) and s, timeout=180, what="all documents")
    assert "re-queued" in second.text()
    assert set(done.values()) <= {"approved", "needs_review"}, done  # none lost, none failed
    assert len(done) == len(ids)
    for doc_id in ids:
        view = client.get(f"/documents/{doc_id}", headers=auth("admin")).json()
        expected = "needs_review" if ids.index(doc_id) % 2 else "approved"
        assert view["status"] == expected, (doc_id, view)
        assert client.get(f"/documents/{doc_id}/lineage",
                          headers=auth("admin")).json()["verify"]["ok"]
    pending = {r["doc_id"] for r in client.get("/reviews", headers=auth("reviewer")).json()}
    assert pending == {d for d in ids if ids.index(d) % 2}


def test_a_quick_restart_still_finishes_the_cut_short_document(client, start_worker) -> None:
    """Restarted before the stall threshold: the start-time pass cannot see the cut-short
    document yet; the periodic pass of the running worker must."""
    ids = [client.post("/documents", headers=auth("submitter"), files={
        "file": (f"q{i}.png", doc_bytes(f"50{i}"), "image/png")}).json()["id"]
        for i in range(3)]
    first = start_worker("crashy")
    wait_for(lambda: "processing" in statuses(client, ids).values(), timeout=60,
             what="a document in the middle of processing")
    first.kill()
    killed_at = time.monotonic()
    cut_short = [d for d, s in statuses(client, ids).items() if s == "processing"]
    assert cut_short

    second = start_worker("quick", PAPERTRAIL_WORKER_STALLED_AFTER_SECONDS="20",
                          PAPERTRAIL_WORKER_RECOVER_EVERY_SECONDS="1")
    assert time.monotonic() - killed_at < 20, "restart was not quick; the test proves nothing"
    done = wait_for(lambda: (s := statuses(client, ids)) and all(
        v in FINAL for v in s.values()) and s, timeout=180, what="all documents")
    assert set(done.values()) == {"approved"}, done
    assert "re-queued 1 stalled document(s)" in second.text()
    records = client.get(f"/documents/{cut_short[0]}/lineage", headers=auth("admin")).json()
    assert [r["payload"] for r in records["records"] if r["node"] == "recovery"] == [
        {"attempt": 1, "status": "processing"}]
    assert records["verify"]["ok"] is True
