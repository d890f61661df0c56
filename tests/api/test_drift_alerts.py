"""Drift alerts end to end: documents unlike the tiny bundle's training data classified by the
real graph open drift events; the API's check alerts each once: a signed `bundle.drift`
webhook to a local receiver and a Slack message to a local fake Web API, both sent by a real
worker; checking again sends nothing more."""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import select

from agent.ingest import ingest_bytes
from agent.pipeline import Pipeline
from agent.settings import Settings
from agent.store import Store
from api.webhooks import BundleWebhookDelivery, verify_signature
from classifiers.inference import load_bundle
from tests.api.conftest import auth, wait_for
from tests.api.slack_mock import MockSlack

SECRET = "drift-hook-secret"
WORDS = ["lorem", "ipsum", "dolor", "sit", "amet", "consectetur", "adipiscing", "elit", "sed"]


class Receiver(BaseHTTPRequestHandler):
    received: list[dict] = []

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Receiver.received.append({"headers": dict(self.headers), "body": body})
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def alert_env(api_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[MockSlack]:
    Receiver.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with MockSlack() as slack:
        for name, value in {
                "PAPERTRAIL_DRIFT_ACTION": "suspend", "PAPERTRAIL_DRIFT_MIN_DOCUMENTS": "30",
                "PAPERTRAIL_DRIFT_CACHE_SECONDS": "0",
                "PAPERTRAIL_WEBHOOK_URLS": json.dumps(
                    [f"http://127.0.0.1:{server.server_address[1]}/hook"]),
                "PAPERTRAIL_WEBHOOK_SECRET": SECRET,
                "PAPERTRAIL_SLACK_BOT_TOKEN": "xoxb-test",
                "PAPERTRAIL_SLACK_SIGNING_SECRET": "slack-secret",
                "PAPERTRAIL_SLACK_CHANNEL": "C1",
                "PAPERTRAIL_SLACK_API_BASE_URL": slack.base_url}.items():
            monkeypatch.setenv(name, value)
        yield slack
    server.shutdown()


def drift_alerts(slack: MockSlack) -> list[dict]:
    return [args for method, args in slack.calls
            if method == "chat.postMessage" and "Drift on bundle" in str(args.get("text"))]


def hooks() -> list[dict]:
    return [r for r in Receiver.received if r["headers"]["X-Papertrail-Event"] == "bundle.drift"]


def test_each_drift_event_is_alerted_once_by_webhook_and_slack(
        alert_env: MockSlack, active_bundle: Path, client, start_worker) -> None:
    start_worker()
    settings = Settings()
    with Pipeline.open(settings, classifier=load_bundle(active_bundle)) as pipeline:
        for i in range(45):  # a process without alert channels: it opens events, sends none
            rng = random.Random(i)
            text = " ".join(rng.choice(WORDS) for _ in range(400 + i)).encode()
            doc_id = ingest_bytes(text, f"odd-{i}.txt", pipeline.services.store,
                                  settings).document.id
            pipeline.process(doc_id)
    assert not hooks() and not drift_alerts(alert_env)

    report = client.get("/drift", headers=auth("reviewer")).json()  # the API alerts
    drifted = {s["signal"] for s in report["signals"] if s["drifted"]}
    assert report["status"] == "drifted" and drifted, report
    wait_for(lambda: len(hooks()) == len(drifted), what="one bundle.drift per drifted signal")
    wait_for(lambda: len(drift_alerts(alert_env)) == len(drifted), what="Slack drift alerts")

    bundle_id = active_bundle.name
    signals = set()
    for hook in hooks():
        headers, body = hook["headers"], hook["body"]
        assert verify_signature(SECRET, headers["X-Papertrail-Timestamp"], body,
                                headers["X-Papertrail-Signature"])
        payload = json.loads(body)
        assert payload["event"] == "bundle.drift" and payload["bundle_id"] == bundle_id
        assert payload["action"] == "suspend" and payload["value"] > payload["threshold"]
        signals.add(payload["signal"])
    assert signals == drifted
    for message in drift_alerts(alert_env):
        assert message["channel"] == "C1" and bundle_id in message["text"]
        assert "suspended" in message["text"]

    for _ in range(3):  # checked again, by the API and /metrics: nothing more is sent
        client.get("/drift", headers=auth("admin"))
        assert client.get("/metrics", headers=auth("admin")).status_code == 200
    time.sleep(3)
    assert len(hooks()) == len(drifted) and len(drift_alerts(alert_env)) == len(drifted)
    store = Store.from_settings(settings)
    with store.db.session() as session:
        rows = session.scalars(select(BundleWebhookDelivery)).all()
        assert sorted(r.status for r in rows) == ["delivered"] * len(drifted)
    store.db.dispose()


def test_drift_and_metrics_show_the_live_precision(active_bundle: Path, client) -> None:
    from classifiers.bundle import read_info
    from tests.foundation.test_drift_precision import approved_then_checked

    settings, bundle_id = Settings(), active_bundle.name
    store = Store.from_settings(settings)
    for i, verdict in enumerate(["approve"] * 18 + ["relabel", "reject"]):
        approved_then_checked(store, settings, f"p{i}", bundle_id, verdict)
    store.db.dispose()
    precision = client.get("/drift", headers=auth("reviewer")).json()["precision"]
    assert precision["bundle_id"] == bundle_id and precision["n"] == 20
    assert (precision["correct"], precision["relabeled"], precision["rejected"]) == (18, 1, 1)
    assert precision["lower"] < 0.9 < precision["upper"]
    gate = read_info(active_bundle).gate
    certified = gate is not None and gate.certified
    assert precision["promise"] == (gate.target_precision if certified else None)
    assert precision["level"] == pytest.approx(1 - (gate.delta if certified else 0.05))
    metrics = client.get("/metrics", headers=auth("admin")).text
    assert f'papertrail_auto_precision{{bound="estimate",bundle="{bundle_id}"}} 0.9' in metrics
    assert f'papertrail_auto_precision_reviewed{{bundle="{bundle_id}"}} 20.0' in metrics
    assert 'papertrail_window_decisions{window="1d"} 20.0' in metrics
    assert 'papertrail_window_auto_approved_ratio{window="7d"} 1.0' in metrics


def test_workers_attach_the_alerts_to_their_pipeline(api_env: dict[str, str]) -> None:
    from api.worker import make_celery
    from tests.api.worker_launcher import stand_in_parts

    app = make_celery(Settings(), **stand_in_parts())
    runtime = app.papertrail_runtime
    try:
        listeners = runtime.pipeline.services.drift.listeners
        assert [getattr(f, "papertrail_drift_alert", False) for f in listeners] == [True]
        assert "papertrail.drift_slack" in app.tasks
    finally:
        runtime.close()
