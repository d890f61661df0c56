"""The HTTP edge under a real uvicorn server: a caller is authenticated before a byte of the
body is read, a body is bounded while it streams (chunked too), a slow body is timed out, and
an upload carries exactly one file."""

from __future__ import annotations

import pytest

from agent.settings import Settings
from api.guard import upload_body_limit
from tests.api import rawhttp
from tests.api.conftest import auth, doc_bytes
from tests.conftest import blob_files

LIMIT = 100_000


@pytest.fixture
def small_limit(monkeypatch) -> int:
    monkeypatch.setenv("PAPERTRAIL_MAX_UPLOAD_BYTES", str(LIMIT))
    return upload_body_limit(Settings())


def chunked_upload(headers: dict[str, str]) -> bytes:
    return rawhttp.head("/documents", {**headers, **rawhttp.MULTIPART,
                                       "Transfer-Encoding": "chunked"})


def test_no_key_is_refused_before_the_body_is_read(live_server) -> None:
    port = live_server()
    start = chunked_upload({}) + rawhttp.chunk(rawhttp.file_part_start() + b"a" * 1000)
    reply = rawhttp.send_and_wait(port, start, timeout=10)
    assert reply is not None, "the server waited for the body of a caller with no key"
    assert reply.status == 401 and reply.json()["error"] == "missing_api_key"
    low = rawhttp.send_and_wait(port, rawhttp.head("/reviews/x", {
        **auth("submitter"), "Content-Type": "application/json", "Content-Length": "5000"}),
        timeout=10)
    assert low is not None and low.status == 403 and low.json()["error"] == "forbidden"


def test_chunked_upload_over_the_limit_is_refused_while_streaming(live_server,
                                                                   small_limit) -> None:
    port = live_server()
    part = rawhttp.file_part_start()
    body = part + b"a" * (small_limit + 1 - len(part))  # one byte over, never finished
    data = chunked_upload(auth("submitter")) + b"".join(
        rawhttp.chunk(body[i:i + 65536]) for i in range(0, len(body), 65536))
    reply = rawhttp.send_and_wait(port, data, timeout=15)
    assert reply is not None, "the server kept reading a chunked body past the limit"
    assert reply.status == 413 and reply.json()["error"] == "file_too_large"
    assert f"{LIMIT:,} bytes" in reply.json()["message"]
    assert reply.headers.get("connection") == "close"


def test_bodies_over_the_limit_are_refused_for_any_content_type(live_server,
                                                                small_limit) -> None:
    port = live_server()
    declared = [("/documents", rawhttp.MULTIPART["Content-Type"], small_limit + 1,
                 "file_too_large"),
                ("/reviews/x", "application/json", 2_000_000, "body_too_large")]
    for path, content_type, size, code in declared:
        reply = rawhttp.send_and_wait(port, rawhttp.head(path, {
            **auth("admin"), "Content-Type": content_type, "Content-Length": str(size)}),
            timeout=10)
        assert reply is not None and reply.status == 413, (path, reply)
        assert reply.json()["error"] == code
    over = 1024 * 1024 + 1  # PAPERTRAIL_API_MAX_BODY_BYTES' default, plus one byte
    streamed = rawhttp.head("/reviews/x", {**auth("admin"), "Content-Type": "text/plain",
                                           "Transfer-Encoding": "chunked"}) + b"".join(
        rawhttp.chunk(b"x" * min(65536, over - i)) for i in range(0, over, 65536))
    reply = rawhttp.send_and_wait(port, streamed, timeout=10)
    assert reply is not None and reply.status == 413
    assert reply.json()["error"] == "body_too_large"
    # A body the app never reads is not drained either: answered at once, connection closed.
    unread = rawhttp.send_and_wait(port, rawhttp.head("/documents", {
        **auth("admin"), "Content-Type": "application/octet-stream",
        "Content-Length": "9000000"}), timeout=10)
    assert unread is not None and unread.status == 422
    assert unread.headers.get("connection") == "close"


def test_a_slow_body_is_timed_out(live_server, monkeypatch) -> None:
    monkeypatch.setenv("PAPERTRAIL_API_BODY_TIMEOUT_SECONDS", "1")
    port = live_server()
    data = rawhttp.head("/documents", {**auth("submitter"), **rawhttp.MULTIPART,
                                       "Content-Length": "5000"}) + rawhttp.file_part_start()
    reply = rawhttp.send_and_wait(port, data, timeout=10)
    assert reply is not None, "a client that stopped sending its body was never timed out"
    assert reply.status == 408 and reply.json()["error"] == "request_timeout"
    assert "PAPERTRAIL_API_BODY_TIMEOUT_SECONDS" in reply.json()["message"]


def test_two_file_parts_are_refused(client) -> None:
    response = client.post("/documents", headers=auth("submitter"), files=[
        ("file", ("a.png", doc_bytes("7001"), "image/png")),
        ("file", ("b.png", doc_bytes("7002"), "image/png"))])
    assert response.status_code == 400, response.text
    assert response.json()["error"] == "multiple_files"
    assert "2 file parts" in response.json()["message"]
    state = client.app.state.papertrail
    assert state.store.documents.count() == 0 and blob_files(state.settings) == []


def test_a_file_under_another_name_next_to_file_is_refused(client) -> None:
    response = client.post("/documents", headers=auth("submitter"), files=[
        ("file", ("a.png", doc_bytes("7003"), "image/png")),
        ("attachment", ("b.png", doc_bytes("7004"), "image/png"))])
    assert response.status_code == 400 and response.json()["error"] == "multiple_files"
