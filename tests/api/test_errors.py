"""Every error answers the documented body `{error, message}`: unknown paths, wrong methods,
broken multipart bodies, and storage faults (503 naming what the operator must fix, with
nothing half-written)."""

from __future__ import annotations

import shutil

from fastapi.testclient import TestClient

from agent.settings import Settings
from agent.store import Store
from tests.api.conftest import auth, doc_bytes
from tests.conftest import blob_files


def documented(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert "detail" not in body, body
    assert body["error"] == code and len(body["message"]) > 20, body
    return body


def test_unknown_path_wrong_method_and_bad_multipart_use_the_documented_body(client) -> None:
    body = documented(client.get("/nope", headers=auth("admin")), 404, "not_found")
    assert "/nope" in body["message"]
    response = client.delete("/documents", headers=auth("admin"))
    body = documented(response, 405, "method_not_allowed")
    assert response.headers["allow"] == "POST" and "POST" in body["message"]
    no_boundary = client.post("/documents", headers={
        **auth("submitter"), "Content-Type": "multipart/form-data"}, content=b"garbage")
    assert "boundary" in documented(no_boundary, 400, "invalid_multipart")["message"]
    cut = client.post("/documents", headers={
        **auth("submitter"), "Content-Type": "multipart/form-data; boundary=xx"},
        content=b'--xx\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n')
    assert cut.status_code in (400, 422) and "detail" not in cut.json()
    assert documented(client.post("/documents", headers=auth("submitter")), 422,
                      "invalid_request")["message"].startswith("body.file")


def test_unwritable_blob_folder_is_503_and_stores_nothing(client) -> None:
    settings = client.app.state.papertrail.settings
    shutil.rmtree(settings.blob_dir, ignore_errors=True)
    settings.blob_dir.write_text("not a folder")  # a real OS error, even for root
    response = client.post("/documents", headers=auth("submitter"),
                           files={"file": ("a.png", doc_bytes("8001"), "image/png")})
    body = documented(response, 503, "storage_unavailable")
    assert str(settings.blob_dir) in body["message"] and "operator" in body["message"]
    assert client.app.state.papertrail.store.documents.count() == 0


def test_read_only_database_is_503_and_leaves_no_blob(make_client, api_env, monkeypatch) -> None:
    Store.from_settings(Settings()).db.dispose()  # the tables exist; then it turns read-only
    path = Settings().resolved_data_dir / "papertrail.db"
    monkeypatch.setenv("PAPERTRAIL_DATABASE_URL", f"sqlite:///file:{path}?mode=ro&uri=true")
    client = make_client()
    response = client.post("/documents", headers=auth("submitter"),
                           files={"file": ("a.png", doc_bytes("8002"), "image/png")})
    body = documented(response, 503, "storage_unavailable")
    assert "readonly" in body["message"] and "operator" in body["message"]
    assert blob_files(Settings()) == []


def test_an_unexpected_failure_is_500_with_the_documented_body(client, monkeypatch) -> None:
    doc_id = client.post("/documents", headers=auth("submitter"), files={
        "file": ("a.png", doc_bytes("8003"), "image/png")}).json()["id"]
    state = client.app.state.papertrail

    def broken(_: str) -> None:
        raise RuntimeError("checkpointer exploded")

    monkeypatch.setattr(state.states, "current", broken)
    quiet = TestClient(client.app, raise_server_exceptions=False)
    body = documented(quiet.get(f"/documents/{doc_id}", headers=auth("submitter")), 500,
                      "internal_error")
    assert "RuntimeError" in body["message"] and "server log" in body["message"]
