"""Backpressure on the real app: past the queue limit (global or per key owner) an upload is
answered 429 `queue_full` with Retry-After and nothing is stored; a queued document reports its
place in the queue and, once a real worker has finished some, an estimated wait; /metrics has
the queue's depth, oldest age and processing rate."""

from __future__ import annotations

import hashlib

import pytest

from tests.api.conftest import FINAL, auth, doc_bytes, status_of, wait_for


def upload(client, tag: str, role: str = "submitter"):
    return client.post("/documents", headers=auth(role),
                       files={"file": (f"{tag}.png", doc_bytes(tag), "image/png")})


@pytest.fixture
def limits(monkeypatch):
    def set_limits(total: int = 0, per_key: int = 0) -> None:
        monkeypatch.setenv("PAPERTRAIL_API_MAX_QUEUED", str(total))
        monkeypatch.setenv("PAPERTRAIL_API_MAX_QUEUED_PER_KEY", str(per_key))
    return set_limits


def test_past_the_global_limit_uploads_get_429_and_nothing_is_stored(make_client,
                                                                     limits) -> None:
    limits(total=2)
    client = make_client()
    assert upload(client, "7001").status_code == 202
    first_again = upload(client, "7001")  # already queued: joins nothing, never refused
    assert first_again.status_code == 202 and first_again.json()["created"] is False
    assert upload(client, "7002", role="submitter2").status_code == 202

    refused = upload(client, "7003")
    assert refused.status_code == 429, refused.text
    body = refused.json()
    assert body["error"] == "queue_full" and set(body) == {"error", "message"}
    assert "PAPERTRAIL_API_MAX_QUEUED" in body["message"] and "2" in body["message"]
    assert int(refused.headers["Retry-After"]) >= 1
    doc_id = hashlib.sha256(doc_bytes("7003")).hexdigest()
    assert client.get(f"/documents/{doc_id}", headers=auth("admin")).status_code == 404


def test_the_per_key_limit_refuses_only_that_owner(make_client, limits) -> None:
    limits(per_key=1)
    client = make_client()
    assert upload(client, "7101").status_code == 202
    refused = upload(client, "7102")
    assert refused.status_code == 429 and refused.json()["error"] == "queue_full"
    assert "'sam'" in refused.json()["message"], refused.json()
    assert "Retry-After" in refused.headers
    assert upload(client, "7103", role="submitter2").status_code == 202


def test_queue_position_wait_estimate_and_metrics(make_client, start_worker, limits) -> None:
    limits(total=100, per_key=100)
    client = make_client()
    done = [upload(client, f"720{i}").json()["id"] for i in range(2)]
    worker = start_worker()
    for doc_id in done:
        wait_for(lambda d=doc_id: status_of(client, d) in FINAL, what="processing")
    worker.stop()
    view = client.get(f"/documents/{done[0]}", headers=auth("submitter")).json()
    assert view["queue_position"] is None and view["estimated_wait_seconds"] is None

    queued = [upload(client, f"721{i}").json()["id"] for i in range(3)]
    views = [client.get(f"/documents/{d}", headers=auth("submitter")).json() for d in queued]
    assert [v["queue_position"] for v in views] == [1, 2, 3]
    waits = [v["estimated_wait_seconds"] for v in views]
    assert all(w is not None and w > 0 for w in waits) and waits == sorted(waits), waits

    metrics = client.get("/metrics", headers=auth("admin")).text
    assert "papertrail_documents_queued 3.0" in metrics
    assert "papertrail_documents_waiting 3.0" in metrics
    rate = next(line for line in metrics.splitlines()
                if line.startswith("papertrail_processing_rate_per_minute "))
    assert float(rate.split()[1]) > 0
    assert "papertrail_queue_oldest_age_seconds" in metrics
