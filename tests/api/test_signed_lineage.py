"""GET /documents/{id}/lineage on a chain a database writer rewrote consistently."""

from __future__ import annotations

from tests.api.conftest import auth
from tests.graph.lineage_forgery import chain, forge


def test_the_lineage_endpoint_reports_a_consistent_rewrite_and_the_key(client) -> None:
    state = client.app.state.papertrail
    doc_id = chain(state.store, state.settings)
    view = client.get(f"/documents/{doc_id}/lineage", headers=auth("admin")).json()
    [key] = view["verify"]["key_ids"]
    assert view["verify"]["ok"] and {r["key_id"] for r in view["records"]} == {key}

    forge(state.store, doc_id, 2, {"threshold": 0.1})
    view = client.get(f"/documents/{doc_id}/lineage", headers=auth("admin")).json()
    verify = view["verify"]
    assert not verify["ok"] and verify["rewritten"] == [2, 3, 4] and verify["unsigned"] == []
    signatures = [p for p in verify["problems"] if f"valid signature by key {key}" in p]
    assert [p.split(" ", 2)[1] for p in signatures] == ["2", "3", "4"]
    assert any("anchored" in p for p in verify["problems"])  # the file outside the database
