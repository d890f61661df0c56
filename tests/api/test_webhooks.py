"""Webhooks from a real worker to a real local HTTP receiver: document.needs_review (its first
attempt answered 500, so it is retried) and document.decided, each signed with HMAC-SHA256
over timestamp and body, every attempt recorded."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from agent.settings import Settings
from agent.store import Store
from api.cli import app
from api.webhooks import WebhookDelivery, signature, verify_signature
from tests.api.conftest import FINAL, auth, doc_bytes, status_of, wait_for

SECRET = "webhook-test-secret"


def test_signatures_cover_timestamp_and_body() -> None:
    now = str(int(time.time()))
    sent = signature(SECRET, now, b'{"a":1}')
    assert sent.startswith("sha256=") and len(sent) == 7 + 64
    assert verify_signature(SECRET, now, b'{"a":1}', sent)
    assert not verify_signature(SECRET, now, b'{"a":2}', sent)
    assert not verify_signature("other", now, b'{"a":1}', sent)
    assert not verify_signature(SECRET, str(int(now) + 1), b'{"a":1}', sent)
    old = str(int(time.time()) - 3600)
    assert not verify_signature(SECRET, old, b"{}", signature(SECRET, old, b"{}"))


class Receiver(BaseHTTPRequestHandler):
    received: list[dict] = []
    fail_first = True

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if Receiver.fail_first:
            Receiver.fail_first = False
            self.send_response(500)
            self.end_headers()
            return
        Receiver.received.append({"headers": dict(self.headers), "body": body})
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def receiver() -> str:
    Receiver.received, Receiver.fail_first = [], True
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    server.shutdown()


def events(kind: str) -> list[dict]:
    return [r for r in Receiver.received if r["headers"]["X-Papertrail-Event"] == kind]


def test_needs_review_and_decided_are_delivered_signed_and_retried(
        client, start_worker, receiver, monkeypatch) -> None:
    env = {"PAPERTRAIL_WEBHOOK_URLS": json.dumps([receiver]),
           "PAPERTRAIL_WEBHOOK_SECRET": SECRET, "PAPERTRAIL_WEBHOOK_RETRY_BASE_SECONDS": "0.5"}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    start_worker()
    doc_id = client.post("/documents", headers=auth("submitter"), files={
        "file": ("hook.png", doc_bytes("9001", "Confidence 60"), "image/png")}).json()["id"]
    wait_for(lambda: status_of(client, doc_id) in FINAL, what="processing")
    wait_for(lambda: events("document.needs_review"), what="document.needs_review")

    delivery = events("document.needs_review")[0]
    headers, body = delivery["headers"], delivery["body"]
    assert verify_signature(SECRET, headers["X-Papertrail-Timestamp"], body,
                            headers["X-Papertrail-Signature"])
    payload = json.loads(body)
    assert payload["doc_id"] == doc_id and payload["band"] == "ambiguous"
    assert payload["review_reasons"]

    decided = client.post(f"/reviews/{doc_id}", headers=auth("reviewer"),
                          json={"action": "approve"})
    assert decided.status_code == 200, decided.text
    wait_for(lambda: events("document.decided"), what="document.decided")
    payload = json.loads(events("document.decided")[0]["body"])
    assert payload["status"] == "approved"
    assert payload["decision"]["decided_by"] == "rita"
    assert payload["decision"]["action"] == "approve"

    store = Store.from_settings(Settings())
    with store.db.session() as session:
        rows = {r.event: r for r in session.scalars(
            select(WebhookDelivery).where(WebhookDelivery.doc_id == doc_id))}
    store.db.dispose()
    assert rows["document.needs_review"].attempts == 2  # the 500, then the retry
    assert rows["document.needs_review"].status == "delivered"
    assert rows["document.needs_review"].last_status_code == 204
    assert rows["document.decided"].attempts == 1
    assert len(Receiver.received) == 2  # each event once

    runner = CliRunner()
    listed = runner.invoke(app, ["webhooks", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    assert sorted(d["status"] for d in json.loads(listed.output)) == ["delivered", "delivered"]
    again = runner.invoke(app, ["webhooks", "redeliver", rows["document.decided"].id[:8]])
    assert again.exit_code == 0, again.output
    wait_for(lambda: len(events("document.decided")) == 2, what="the redelivery")
    assert runner.invoke(app, ["webhooks", "redeliver", "nope"]).exit_code == 2
