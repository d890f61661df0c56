"""Slack approvals offline: a mock Slack Web API records what the bot posts; interaction
payloads are signed like Slack signs them and posted to the app's /slack/events."""

from __future__ import annotations

import json
import time

import pytest

from tests.api.conftest import FINAL, auth, doc_bytes, status_of, wait_for
from tests.api.slack_mock import MockSlack, block_action, signed, view_submission

SECRET = "test-signing-secret"


@pytest.fixture
def slack(api_env, monkeypatch):
    with MockSlack() as mock:
        for name, value in {
            "PAPERTRAIL_SLACK_BOT_TOKEN": "xoxb-test", "PAPERTRAIL_SLACK_SIGNING_SECRET": SECRET,
            "PAPERTRAIL_SLACK_CHANNEL": "C1", "PAPERTRAIL_SLACK_API_BASE_URL": mock.base_url,
            "PAPERTRAIL_SLACK_REVIEWERS": json.dumps({"U_RITA": "rita", "U_ADA": "ada"}),
            "PAPERTRAIL_API_PUBLIC_URL": "https://papertrail.example.com",
        }.items():
            monkeypatch.setenv(name, value)
        yield mock


def upload(client, tag: str) -> str:
    response = client.post("/documents", headers=auth("submitter"), files={
        "file": (f"{tag}.png", doc_bytes(tag, "Confidence 60"), "image/png")})
    assert response.status_code == 202, response.text
    return response.json()["id"]


def click(client, payload: dict, **sign: object):
    body, headers = signed(SECRET, payload, **sign)
    return client.post("/slack/events", content=body, headers=headers)


def message_for(slack: MockSlack, doc_id: str) -> dict | None:
    return next((m for m in slack.of("chat.postMessage") if doc_id in json.dumps(m)), None)


def test_review_through_slack_acts_once_and_updates_the_message(slack, client,
                                                                 start_worker) -> None:
    start_worker()
    doc_id = upload(client, "2001")
    wait_for(lambda: status_of(client, doc_id) in FINAL, what="processing")
    message = wait_for(lambda: message_for(slack, doc_id), what="chat.postMessage")
    text = json.dumps(message["blocks"])
    for expected in ("invoice", "60.0%", "ambiguous", "INV-2001", "not auto-approved",
                     "pt_approve", "pt_reject", "pt_relabel", "pt_edit",
                     f"<https://papertrail.example.com/ui/reviews/{doc_id}|Open the review"):
        assert expected in text, expected

    # Page 1 is uploaded into the message's thread (Slack cannot fetch it with no API key).
    shared = wait_for(lambda: slack.of("files.completeUploadExternal"), what="page upload")[0]
    posted = slack.answered("chat.postMessage")[0]
    assert (shared["channel_id"], shared["thread_ts"]) == (posted["channel"], posted["ts"])
    file_id = shared["files"][0]["id"]
    assert slack.uploads[file_id].startswith(b"\x89PNG\r\n\x1a\n")
    assert slack.of("files.getUploadURLExternal")[0]["length"] == str(len(slack.uploads[file_id]))

    # Not on the allow-list: told so, nothing decided.
    assert click(client, block_action("U_MALLORY", "pt_approve", doc_id)).status_code == 200
    assert any(e["user"] == "U_MALLORY" for e in slack.of("chat.postEphemeral"))
    assert client.get("/reviews", headers=auth("reviewer")).json()[0]["doc_id"] == doc_id

    # Forged signature and replayed (stale) timestamp: refused before any handler runs.
    assert click(client, block_action("U_RITA", "pt_approve", doc_id),
                 forge=True).status_code == 401
    assert click(client, block_action("U_RITA", "pt_approve", doc_id),
                 timestamp=int(time.time()) - 600).status_code == 401
    assert status_of(client, doc_id) == "needs_review"

    # Change label: decided by rita, lineage records her, the message is updated.
    assert click(client, block_action("U_RITA", "pt_relabel",
                                      selected=f"{doc_id}|receipt")).status_code == 200
    wait_for(lambda: status_of(client, doc_id) == "approved", what="resume")
    view = client.get(f"/documents/{doc_id}", headers=auth("admin")).json()
    assert view["label"] == "receipt" and view["decision"]["decided_by"] == "rita"
    update = wait_for(lambda: slack.of("chat.update"), what="chat.update")[0]
    assert update["ts"] == slack.answered("chat.postMessage")[0]["ts"]
    assert "rita" in json.dumps(update["blocks"]) and "relabel" in json.dumps(update["blocks"])
    assert "pt_approve" not in json.dumps(update["blocks"])

    # The same review again, from Slack and from the API: nothing changes.
    click(client, block_action("U_ADA", "pt_reject", doc_id))
    assert "Already decided by rita" in slack.of("chat.postEphemeral")[-1]["text"]
    assert client.post(f"/reviews/{doc_id}", headers=auth("reviewer"),
                       json={"action": "reject"}).status_code == 409
    time.sleep(1)
    assert status_of(client, doc_id) == "approved"
    assert len(slack.of("chat.postMessage")) == 1 and len(slack.of("chat.update")) == 1
    lineage = client.get(f"/documents/{doc_id}/lineage", headers=auth("admin")).json()
    assert [r["node"] for r in lineage["records"]].count("human_review") == 1


def test_edit_fields_modal(slack, client, start_worker) -> None:
    start_worker()
    doc_id = upload(client, "2002")
    wait_for(lambda: message_for(slack, doc_id), what="chat.postMessage")
    assert click(client, block_action("U_ADA", "pt_edit", doc_id)).status_code == 200
    modal = slack.of("views.open")[-1]["view"]
    assert modal["private_metadata"] == doc_id
    assert any(b["block_id"] == "f_total" for b in modal["blocks"])
    response = click(client, view_submission("U_ADA", doc_id, {"total": "1200.00"}))
    assert response.status_code == 200
    wait_for(lambda: status_of(client, doc_id) == "approved", what="resume")
    view = client.get(f"/documents/{doc_id}", headers=auth("admin")).json()
    assert view["fields"]["total"] == "1200.00" and view["decision"]["decided_by"] == "ada"
    assert view["decision"]["action"] == "edit"


def test_api_decision_updates_the_slack_message(slack, client, start_worker) -> None:
    start_worker()
    doc_id = upload(client, "2003")
    wait_for(lambda: message_for(slack, doc_id), what="chat.postMessage")
    decided = client.post(f"/reviews/{doc_id}", headers=auth("reviewer"),
                          json={"action": "reject", "note": "not ours"})
    assert decided.status_code == 200 and decided.json()["status"] == "rejected"
    update = wait_for(lambda: slack.of("chat.update"), what="chat.update")[0]
    assert "reject" in json.dumps(update["blocks"]) and "rita" in json.dumps(update["blocks"])
    click(client, block_action("U_ADA", "pt_approve", doc_id))  # too late: told, not acted
    assert "Already decided by rita" in slack.of("chat.postEphemeral")[-1]["text"]
    assert status_of(client, doc_id) == "rejected"


def test_relabel_outside_the_label_set_is_answered_and_enqueues_nothing(
        slack, client, start_worker, monkeypatch) -> None:
    start_worker()
    doc_id = upload(client, "2004")
    wait_for(lambda: message_for(slack, doc_id), what="chat.postMessage")
    state = client.app.state.papertrail
    enqueued: list[tuple[str, dict]] = []
    enqueue = state.enqueue_resume

    def spy(d: str, decision: dict):
        enqueued.append((d, decision))
        return enqueue(d, decision)

    monkeypatch.setattr(state, "enqueue_resume", spy)

    assert click(client, block_action("U_RITA", "pt_relabel",
                                      selected=f"{doc_id}|passport")).status_code == 200
    told = slack.of("chat.postEphemeral")[-1]
    assert told["user"] == "U_RITA" and "'passport'" in told["text"]
    assert "invoice" in told["text"] and "receipt" in told["text"]
    assert enqueued == []
    pending = client.get("/reviews", headers=auth("reviewer")).json()
    assert [r["doc_id"] for r in pending] == [doc_id]

    # Still decidable.
    click(client, block_action("U_RITA", "pt_relabel", selected=f"{doc_id}|receipt"))
    wait_for(lambda: status_of(client, doc_id) == "approved", what="resume")
    assert client.get(f"/documents/{doc_id}", headers=auth("admin")).json()["label"] == "receipt"


def test_a_refused_decision_reaching_the_worker_is_answered_in_the_thread(
        slack, client, start_worker) -> None:
    """Past the Slack check (e.g. queued by another client): the task fails, not silently."""
    start_worker()
    doc_id = upload(client, "2005")
    wait_for(lambda: message_for(slack, doc_id), what="chat.postMessage")
    task = client.app.state.papertrail.enqueue_resume(
        doc_id, {"action": "relabel", "label": "passport", "reviewer": "rita"})
    wait_for(task.ready, what="resume task")
    assert task.failed()
    reply = wait_for(lambda: [m for m in slack.of("chat.postMessage") if m.get("thread_ts")],
                     what="thread reply")[0]
    assert reply["thread_ts"] == slack.answered("chat.postMessage")[0]["ts"]
    assert "'passport'" in reply["text"] and "still waiting" in reply["text"]
    assert status_of(client, doc_id) == "needs_review"
    decided = client.post(f"/reviews/{doc_id}", headers=auth("reviewer"),
                          json={"action": "approve"})
    assert decided.status_code in (200, 202), decided.text
    wait_for(lambda: status_of(client, doc_id) == "approved", what="resume")
