"""What GET /documents/{id}, GET /reviews and the upload answer carry: UTC-aware timestamps, a
status URL built from the configured public address (never the request's Host header), and a
file name with its bidi controls neutralised."""

from __future__ import annotations

from datetime import datetime

from agent.settings import Settings
from agent.store import Store
from tests.api.conftest import auth, doc_bytes


def upload(client, name: str = "a.png", tag: str = "9001", **headers: str):
    return client.post("/documents", headers={**auth("submitter"), **headers},
                       files={"file": (name, doc_bytes(tag), "image/png")})


def aware(value: str) -> bool:
    return datetime.fromisoformat(value).utcoffset() is not None


def test_timestamps_carry_their_time_zone(client) -> None:
    doc_id = upload(client).json()["id"]
    store = Store.from_settings(Settings())
    store.reviews.open(doc_id, {"allowed_labels": ["invoice"]})
    store.db.dispose()
    view = client.get(f"/documents/{doc_id}", headers=auth("submitter")).json()
    assert aware(view["created_at"]) and aware(view["updated_at"]), view
    item = client.get("/reviews", headers=auth("reviewer")).json()[0]
    assert aware(item["created_at"]), item


def test_status_url_comes_from_the_public_url_not_the_host_header(make_client,
                                                                  monkeypatch) -> None:
    response = upload(make_client(), host="evil.example")
    doc_id = response.json()["id"]
    assert response.json()["status_url"] == f"http://127.0.0.1:8000/documents/{doc_id}"
    assert response.headers["location"] == response.json()["status_url"]
    monkeypatch.setenv("PAPERTRAIL_API_PUBLIC_URL", "https://papertrail.example/pt/")
    response = upload(make_client(), tag="9002", host="evil.example")
    assert response.json()["status_url"] == (
        f"https://papertrail.example/pt/documents/{response.json()['id']}")


def test_bidi_controls_in_a_file_name_are_neutralised(client) -> None:
    doc_id = upload(client, name="invoice_\u202egnp.exe").json()["id"]
    view = client.get(f"/documents/{doc_id}", headers=auth("submitter")).json()
    assert view["filename"] == "invoice_gnp.exe"
