"""A broken active bundle: every document a worker takes ends `failed` with the bundle's error
code and message, on the document and in its lineage, never waiting in silence."""

from __future__ import annotations

from pathlib import Path

from tests.api.conftest import auth, doc_bytes, status_of, wait_for


def test_a_corrupt_bundle_fails_documents_with_its_reason(
    active_bundle: Path, client, start_worker
) -> None:
    weights = active_bundle / "baseline" / "weights.npz"
    weights.write_bytes(weights.read_bytes()[:-64] + b"\x00" * 64)
    worker = start_worker("broken", "--real-classifier")
    response = client.post("/documents", headers=auth("submitter"), files={
        "file": ("d.png", doc_bytes("901"), "image/png")})
    assert response.status_code == 202
    doc_id = response.json()["id"]

    wait_for(lambda: status_of(client, doc_id) == "failed", timeout=120,
             what=f"the document to fail; worker log:\n{worker.text()[-2000:]}")
    view = client.get(f"/documents/{doc_id}", headers=auth("admin")).json()
    assert view["error"].startswith("bundle_corrupt: "), view
    assert "weights.npz" in view["error"] and "Re-train" in view["error"], view
    lineage = client.get(f"/documents/{doc_id}/lineage", headers=auth("admin")).json()
    errors = [r["payload"] for r in lineage["records"] if r["node"] == "error"]
    assert errors and errors[-1]["code"] == "bundle_corrupt", lineage
    assert lineage["verify"]["ok"] is True
    assert "the first document will try again" in worker.text()  # warming up failed softly
