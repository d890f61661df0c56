"""Every endpoint with no key, an unknown key, a role too low, and the right role; submitters
read only their own documents; the reviewer is the key's owner, never the request body."""

from __future__ import annotations

import pytest

from agent.settings import Settings
from agent.store import Store
from api.auth import Role, add_key_to_file, keys_file_path
from tests.api.conftest import OWNERS, auth, doc_bytes

ROLES = ["submitter", "reviewer", "admin"]


@pytest.fixture
def client(make_client, monkeypatch):
    """No worker runs here: decisions are queued, and the API answers 202 at once."""
    monkeypatch.setenv("PAPERTRAIL_API_RESUME_WAIT_SECONDS", "0")
    return make_client()


@pytest.fixture
def seeded(client) -> str:
    """A document uploaded by the submitter, with a pending review (no worker needed)."""
    response = client.post("/documents", headers=auth("submitter"),
                           files={"file": ("a.png", doc_bytes("3001"), "image/png")})
    doc_id = response.json()["id"]
    store = Store.from_settings(Settings())
    store.reviews.open(doc_id, {"allowed_labels": ["invoice", "receipt"], "band": "ambiguous"})
    store.db.dispose()
    return doc_id


def endpoints(doc_id: str) -> list[tuple[str, str, str, dict]]:
    """(method, path, lowest role allowed, request kwargs)."""
    upload = {"files": {"file": ("b.png", doc_bytes("3002"), "image/png")}}
    return [
        ("POST", "/documents", "submitter", upload),
        ("GET", f"/documents/{doc_id}", "submitter", {}),
        ("GET", f"/documents/{doc_id}/lineage", "submitter", {}),
        ("GET", "/reviews", "reviewer", {}),
        ("POST", f"/reviews/{doc_id}", "reviewer", {"json": {"action": "approve"}}),
        ("GET", "/metrics", "admin", {}),
    ]


def test_auth_matrix(client, seeded, active_bundle) -> None:
    for method, path, lowest, kwargs in endpoints(seeded):
        response = client.request(method, path, **kwargs)
        assert response.status_code == 401, (method, path)
        assert response.json()["error"] == "missing_api_key"
        assert response.headers["www-authenticate"] == "Bearer"
        response = client.request(method, path, headers={"X-API-Key": "nope"}, **kwargs)
        assert response.status_code == 401 and response.json()["error"] == "invalid_api_key"
        for role in ROLES:
            response = client.request(method, path, headers=auth(role), **kwargs)
            if ROLES.index(role) < ROLES.index(lowest):
                assert response.status_code == 403, (method, path, role)
                assert lowest in response.json()["message"]
            else:
                assert response.status_code in (200, 202), (method, path, role, response.text)
    assert client.get("/healthz").status_code == 200  # probes need no key


def test_reviewer_identity_comes_from_the_key(client, seeded) -> None:
    forged = client.post(f"/reviews/{seeded}", headers=auth("reviewer"),
                         json={"action": "approve", "reviewer": "ceo"})
    assert forged.status_code == 422 and forged.json()["error"] == "invalid_request"
    queued = client.post(f"/reviews/{seeded}", headers={"X-API-Key": "key-rita"},
                         json={"action": "approve"})
    assert queued.status_code == 202 and queued.json()["state"] == "queued"
    queued_task = client.app.state.papertrail.celery.AsyncResult(queued.json()["task_id"])
    assert queued_task.id  # the decision waits in the broker for a worker
    message = _queued_decision(client, queued.json()["task_id"])
    assert message["reviewer"] == OWNERS["reviewer"]


def _queued_decision(client, task_id: str) -> dict:
    """Read the queued resume task's decision straight from the SQLite broker."""
    import base64
    import json
    import sqlite3

    broker = client.app.state.papertrail.settings.resolved_data_dir / "broker.sqlite"
    rows = sqlite3.connect(broker).execute("SELECT payload FROM kombu_message").fetchall()
    for (payload,) in rows:
        message = json.loads(payload)
        if message["headers"]["id"] == task_id:
            args = json.loads(base64.b64decode(message["body"]))[0]
            return args[1]
    raise AssertionError("the resume task is not in the broker")


def test_submitters_read_only_their_own_documents(client, seeded) -> None:
    for path in (f"/documents/{seeded}", f"/documents/{seeded}/lineage"):
        assert client.get(path, headers=auth("submitter")).status_code == 200
        other = client.get(path, headers=auth("submitter2"))
        assert other.status_code == 404 and other.json()["error"] == "document_not_found"
        assert client.get(path, headers=auth("reviewer")).status_code == 200
    # Uploading the same bytes makes the second submitter a submitter of it too.
    client.post("/documents", headers=auth("submitter2"),
                files={"file": ("same.png", doc_bytes("3001"), "image/png")})
    assert client.get(f"/documents/{seeded}", headers=auth("submitter2")).status_code == 200


@pytest.mark.parametrize(("name", "data", "status", "code"), [
    ("empty.png", b"", 422, "empty_file"),
    ("x.exe", b"MZ\x90\x00binary", 415, "unsupported_type"),
    ("bad.pdf", b"%PDF-1.7 truncated", 422, "corrupt_file"),
    ("../../etc/notes.txt", b"hello world, plain text", 400, "invalid_filename"),
])
def test_ingest_errors_map_to_4xx_with_the_message(client, name, data, status, code) -> None:
    response = client.post("/documents", headers=auth("submitter"),
                           files={"file": (name, data, "application/octet-stream")})
    assert response.status_code == status, response.text
    assert response.json()["error"] == code and len(response.json()["message"]) > 20


def test_too_large_is_413(make_client, monkeypatch) -> None:
    monkeypatch.setenv("PAPERTRAIL_MAX_UPLOAD_BYTES", "1000")
    client = make_client()
    response = client.post("/documents", headers=auth("submitter"),
                           files={"file": ("big.txt", b"a" * 5000, "text/plain")})
    assert response.status_code == 413 and response.json()["error"] == "file_too_large"
    huge = client.post("/documents", headers=auth("submitter"),
                       files={"file": ("huge.txt", b"a" * 200_000, "text/plain")})
    assert huge.status_code == 413 and "PAPERTRAIL_MAX_UPLOAD_BYTES" in huge.json()["message"]


def test_keys_file_changes_apply_without_a_restart(client) -> None:
    settings = client.app.state.papertrail.settings
    path = keys_file_path(settings)
    key = add_key_to_file(path, "nina", Role.submitter)
    response = client.get("/documents/unknown", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 404, response.text  # known at once: not 401
    path.write_text("[]\n")  # revoked
    response = client.get("/documents/unknown", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 401 and response.json()["error"] == "invalid_api_key"
    path.write_text("owner: [broken\n")
    response = client.get("/documents/unknown", headers=auth("admin"))
    assert response.status_code == 503 and response.json()["error"] == "api_keys_invalid"
    assert str(path) in response.json()["message"]
