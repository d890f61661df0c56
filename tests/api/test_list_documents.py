"""GET /documents: newest first, cursor pages that cover every row once, filters, and a
submitter who sees only what they uploaded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

import api.document_list
from tests.api.conftest import FINAL, auth, doc_bytes, wait_for


def upload(client, role: str, tag: str, *extra: str) -> str:
    response = client.post("/documents", headers=auth(role), files={
        "file": (f"{tag}.png", doc_bytes(tag, *extra), "image/png")})
    assert response.status_code == 202, response.text
    return response.json()["id"]


def all_pages(client, role: str, **params) -> tuple[list[str], int]:
    """Every id the listing yields, following cursors; and how many requests it took."""
    ids: list[str] = []
    cursor, requests = None, 0
    while True:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        response = client.get("/documents", headers=auth(role), params=query)
        assert response.status_code == 200, response.text
        body = response.json()
        ids += [item["id"] for item in body["items"]]
        requests += 1
        cursor = body["next_cursor"]
        if cursor is None:
            return ids, requests


def test_pages_cover_every_document_once_newest_first_and_submitters_see_their_own(
    client,
) -> None:
    sams = [upload(client, "submitter", f"81{i}") for i in range(5)]
    sues = [upload(client, "submitter2", f"82{i}") for i in range(2)]
    newest_first = list(reversed(sams + sues))

    ids, requests = all_pages(client, "admin", limit=2)
    assert ids == newest_first and requests == 4
    assert all_pages(client, "reviewer")[0] == newest_first
    assert all_pages(client, "submitter", limit=3)[0] == list(reversed(sams))
    assert all_pages(client, "submitter2")[0] == list(reversed(sues))

    first = client.get("/documents", headers=auth("admin"), params={"limit": 1}).json()
    item = first["items"][0]
    assert item["id"] == newest_first[0] and item["status"] == "received"
    assert item == client.get(f"/documents/{item['id']}", headers=auth("admin")).json()

    assert all_pages(client, "admin", status="received")[0] == newest_first
    assert all_pages(client, "admin", status="approved")[0] == []
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    assert all_pages(client, "admin", since=future)[0] == []
    assert all_pages(client, "admin", since="2000-01-01T00:00:00")[0] == newest_first


@pytest.mark.parametrize("params, code", [
    ({"limit": 201}, "invalid_request"), ({"limit": 0}, "invalid_request"),
    ({"status": "lost"}, "invalid_request"), ({"band": "sure"}, "invalid_request"),
    ({"since": "yesterday"}, "invalid_request"), ({"cursor": "bm90IGEgY3Vyc29y"}, "invalid_cursor"),
    ({"cursor": "%%%"}, "invalid_cursor"),
])
def test_bad_parameters_are_answered_with_the_documented_body(client, params, code) -> None:
    response = client.get("/documents", headers=auth("admin"), params=params)
    assert response.status_code == 422, response.text
    assert response.json()["error"] == code and response.json()["message"]


def test_the_listing_needs_a_key(client) -> None:
    assert client.get("/documents").status_code == 401


def test_band_and_label_filters_read_the_graph_state(client, start_worker,
                                                     monkeypatch) -> None:
    confident = [upload(client, "submitter", f"83{i}") for i in range(2)]
    doubtful = upload(client, "submitter", "839", "Confidence 60")
    start_worker("lister")
    wait_for(lambda: all(client.get(f"/documents/{d}", headers=auth("admin")).json()["status"]
                         in FINAL for d in [*confident, doubtful]), timeout=120,
             what="the documents to be processed")

    assert all_pages(client, "admin", band="confident")[0] == list(reversed(confident))
    assert all_pages(client, "admin", status="needs_review")[0] == [doubtful]
    band = client.get(f"/documents/{doubtful}", headers=auth("admin")).json()["band"]
    assert band != "confident"
    assert all_pages(client, "admin", band=band)[0] == [doubtful]
    assert all_pages(client, "admin", label="invoice")[0] == [doubtful, *reversed(confident)]
    assert all_pages(client, "admin", label="receipt")[0] == []
    assert all_pages(client, "submitter2", label="invoice")[0] == []

    monkeypatch.setattr(api.document_list, "SCAN_BUDGET", 1)  # one row looked at per page
    ids, requests = all_pages(client, "admin", band="confident", limit=50)
    assert ids == list(reversed(confident)) and requests == 3


def test_the_listing_is_in_the_openapi_schema(client) -> None:
    spec = client.get("/openapi.json").json()
    operation = spec["paths"]["/documents"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {
        "status", "band", "label", "since", "limit", "cursor"}
    assert "422" in operation["responses"] and "401" in operation["responses"]
    assert spec["components"]["schemas"]["DocumentPage"]["required"] == ["items",
                                                                         "next_cursor"]
