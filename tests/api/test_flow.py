"""Upload -> processed by a real Celery worker (SQLite broker) -> pending review -> approved
through the API; identity from the API key; the same review decided twice acts once."""

from __future__ import annotations

from tests.api.conftest import FINAL, auth, doc_bytes, status_of, wait_for


def test_upload_process_review_approve_with_a_real_worker(client, start_worker) -> None:
    start_worker()
    data = doc_bytes("1001", "Confidence 60")
    first = client.post("/documents", files={"file": ("inv.png", data, "image/png")},
                        headers=auth("submitter"))
    assert first.status_code == 202, first.text
    doc_id = first.json()["id"]
    assert first.json()["status_url"].endswith(f"/documents/{doc_id}")
    again = client.post("/documents", files={"file": ("again.png", data, "image/png")},
                        headers=auth("submitter"))
    assert again.status_code == 202 and again.json()["id"] == doc_id
    assert again.json()["created"] is False

    wait_for(lambda: status_of(client, doc_id) in FINAL, what="processing")
    view = client.get(f"/documents/{doc_id}", headers=auth("submitter")).json()
    assert view["status"] == "needs_review"
    assert view["band"] == "ambiguous" and view["label"] == "invoice"
    assert abs(view["confidence"] - 0.60) < 1e-6
    assert view["fields"]["invoice_number"] == "INV-1001"
    evidence = view["field_evidence"]["invoice_number"]  # where it came from, how sure we are
    assert evidence["value"] == "INV-1001" and 0 <= evidence["confidence"] <= 1
    assert evidence["sources"] and {c["name"] for c in view["field_checks"]} >= {
        "total_arithmetic", "date_plausible", "one_currency"}
    assert any("not auto-approved" in r for r in view["review_reasons"])

    pending = client.get("/reviews", headers=auth("reviewer")).json()
    assert [p["doc_id"] for p in pending] == [doc_id]
    assert pending[0]["payload"]["allowed_labels"] and pending[0]["payload"]["band"] == "ambiguous"
    assert pending[0]["payload"]["field_evidence"] == view["field_evidence"]

    decided = client.post(f"/reviews/{doc_id}", headers=auth("reviewer"),
                          json={"action": "approve", "note": "looks right"})
    assert decided.status_code == 200, decided.text
    assert decided.json()["acted"] is True and decided.json()["status"] == "approved"

    twice = client.post(f"/reviews/{doc_id}", headers=auth("admin"), json={"action": "reject"})
    assert twice.status_code == 409 and twice.json()["error"] == "already_decided"
    assert "rita" in twice.json()["message"]

    view = client.get(f"/documents/{doc_id}", headers=auth("submitter")).json()
    assert view["status"] == "approved" and view["decision"]["decided_by"] == "rita"
    lineage = client.get(f"/documents/{doc_id}/lineage", headers=auth("submitter")).json()
    assert lineage["verify"]["ok"] is True
    review_record = [r for r in lineage["records"] if r["node"] == "human_review"]
    assert review_record[0]["payload"]["reviewer"] == "rita"
    assert client.get("/reviews", headers=auth("reviewer")).json() == []

    metrics = client.get("/metrics", headers=auth("admin")).text
    assert 'papertrail_decisions{band="ambiguous",outcome="approve"} 1.0' in metrics
    assert 'papertrail_node_latency_seconds_count{node="ocr"} 1.0' in metrics
    assert "papertrail_queue_depth 0.0" in metrics
