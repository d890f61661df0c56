"""Reviewer analytics and the QA second look, with a real worker: a sampled auto-approval
becomes a `qa` item, a reviewer's verdict on it is recorded once (the outcome stands), and
/metrics and /ui/admin count decisions, time, unchanged confirmations and disagreements."""

from __future__ import annotations

import re

import pytest

from agent.settings import Settings
from agent.store import Store
from api.auth import Role
from api.qa import sampled
from api.tables import create_tables
from api.users import UserRepository
from tests.api.conftest import FINAL, auth, doc_bytes, status_of, wait_for
from tests.api.test_review_app import PASSWORD, sign_in


def test_the_sample_is_the_rate_and_stable_per_document() -> None:
    ids = [f"{n:064x}" for n in range(2000)]
    assert not any(sampled(d, 0.0) for d in ids) and all(sampled(d, 1.0) for d in ids)
    share = sum(sampled(d, 0.1) for d in ids) / len(ids)
    assert 0.07 < share < 0.13
    assert [sampled(d, 0.1) for d in ids] == [sampled(d, 0.1) for d in ids]
    assert all(sampled(d, 0.2) for d in ids if sampled(d, 0.1))  # a larger rate keeps them


@pytest.fixture
def qa_everything(api_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAPERTRAIL_UI_QA_SAMPLE_RATE", "1.0")


def upload(client, tag: str, *extra: str) -> str:
    response = client.post("/documents", headers=auth("submitter"), files={
        "file": (f"{tag}.png", doc_bytes(tag, *extra), "image/png")})
    assert response.status_code == 202, response.text
    return response.json()["id"]


def metric(text: str, name: str) -> float:
    found = re.search(rf"^{re.escape(name)} (\S+)$", text, re.MULTILINE)
    assert found, name
    return float(found.group(1))


def test_qa_second_look_and_reviewer_analytics(qa_everything, client, start_worker) -> None:
    assert Settings().ui.qa_sample_rate == 1.0
    start_worker()
    auto, ambiguous = upload(client, "3001"), upload(client, "3002", "Confidence 60")
    wait_for(lambda: {status_of(client, auto), status_of(client, ambiguous)} <= FINAL,
             what="processing")
    assert status_of(client, auto) == "approved"
    pending = {p["doc_id"]: p["payload"] for p in
               client.get("/reviews", headers=auth("reviewer")).json()}
    assert set(pending) == {auto, ambiguous}
    assert pending[auto]["qa"] is True and "QA second look" in pending[auto]["review_reasons"][0]
    assert "qa" not in pending[ambiguous]  # only auto-approvals are sampled

    store = Store.from_settings(Settings())
    create_tables(store.db)
    accounts = UserRepository(store.db)
    accounts.create("ada", Role.admin, PASSWORD)
    accounts.create("rex", Role.reviewer, PASSWORD)
    store.db.dispose()
    assert sign_in(client, "rex").status_code == 303
    screen = client.get(f"/ui/reviews/{auto}")  # the app shows a QA item like any other
    assert screen.status_code == 200 and "QA second look" in screen.text
    assert 'id="approve-form"' in screen.text
    client.get(f"/ui/reviews/next?skip={auto}")  # leaves it (the claim is released)

    # The QA verdict is recorded once; the document keeps its outcome, no graph resumes.
    verdict = client.post(f"/reviews/{auto}", headers=auth("reviewer"),
                          json={"action": "relabel", "label": "receipt"})
    assert verdict.status_code == 200, verdict.text
    assert "disagreed" in verdict.json()["message"] and verdict.json()["status"] == "approved"
    again = client.post(f"/reviews/{auto}", headers=auth("admin"), json={"action": "approve"})
    assert again.status_code == 409 and again.json()["error"] == "already_decided"
    view = client.get(f"/documents/{auto}", headers=auth("admin")).json()
    assert view["status"] == "approved" and view["label"] != "receipt"
    assert client.post(f"/reviews/{ambiguous}", headers=auth("reviewer"),
                       json={"action": "approve"}).status_code == 200

    text = client.get("/metrics", headers=auth("admin")).text
    assert metric(text, 'papertrail_reviewer_decision_seconds_count{reviewer="rita"}') == 2
    assert metric(text, 'papertrail_reviewer_decision_seconds_sum{reviewer="rita"}') > 0
    assert metric(text, 'papertrail_reviewer_unchanged_total{reviewer="rita"}') == 1
    assert metric(text, 'papertrail_reviewer_qa_disagreements_total{reviewer="rita"}') == 1
    assert metric(text, 'papertrail_qa_reviews{state="disagreed"}') == 1
    assert metric(text, 'papertrail_qa_reviews{state="pending"}') == 0
    assert metric(text, "papertrail_qa_disagreement_ratio") == 1.0

    assert sign_in(client, "rex").status_code == 303
    assert client.get("/ui/admin").status_code == 403
    assert sign_in(client, "ada").status_code == 303
    page = client.get("/ui/admin")
    assert page.status_code == 200 and 'data-reviewer="rita"' in page.text
    row = page.text.split('data-reviewer="rita"')[1].split("</tr>")[0]
    assert '<td class="decisions">2</td>' in row and "50% (1)" in row
    assert '<td class="qa-disagreed">1</td>' in row
    assert 'id="qa-disagreed">1<' in page.text and 'id="qa-share">100%<' in page.text
    assert 'href="/ui/admin"' in page.text
