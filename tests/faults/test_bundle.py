"""A corrupt active bundle: every document fails with the bundle's code and reason (none waits
in silence, none is approved); after the bundle is repaired, uploading the same files again
processes them."""

from __future__ import annotations

from pathlib import Path


def test_corrupt_active_bundle_then_repaired(active_bundle: Path, processes,
                                             ledger_for) -> None:
    weights = active_bundle / "baseline" / "weights.npz"
    good = weights.read_bytes()
    weights.write_bytes(good[:-64] + b"\x00" * 64)
    api = processes.api()
    ledger = ledger_for(api)
    processes.worker("broken", "--real-classifier")
    for i in range(3):
        assert ledger.upload(f"c{i}").status_code == 202
    views = ledger.check()
    assert {v["status"] for v in views.values()} == {"failed"}, views
    assert all(v["error"].startswith("bundle_corrupt: ") for v in views.values()), views

    weights.write_bytes(good)  # repaired; the same worker builds its pipeline again
    for i in range(3):
        response = ledger.upload(f"c{i}", safe=True)
        assert response.status_code == 202 and response.json()["status"] == "received", (
            response.text)  # queued again, so no longer `failed`
    views = ledger.check()
    assert {v["status"] for v in views.values()} <= {"approved", "needs_review"}, views
