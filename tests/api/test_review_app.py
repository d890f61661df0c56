"""The review app without a browser: accounts and sign-in (Argon2, cookie flags, CSRF, the
failed sign-in limit), page images and originals through the API, who may open what."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from typer.testing import CliRunner

from agent.settings import Settings
from agent.store import Store
from api.auth import Role
from api.cli import app
from api.tables import create_tables
from api.users import UserError, UserRepository
from evals import fixtures
from tests.api.conftest import auth, doc_bytes

PASSWORD = "correct horse battery"


@pytest.fixture
def accounts(api_env: dict[str, str]) -> UserRepository:
    store = Store.from_settings(Settings())
    create_tables(store.db)
    repo = UserRepository(store.db)
    repo.create("rita", Role.reviewer, PASSWORD)
    repo.create("sam", Role.submitter, PASSWORD)
    yield repo
    store.db.dispose()


def sign_in(client: TestClient, name: str, password: str = PASSWORD) -> object:
    form = client.get("/ui/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
    return client.post("/ui/login", data={"name": name, "password": password,
                                          "csrf_token": token, "next": "/ui/reviews"},
                       follow_redirects=False)


def test_accounts_hash_passwords_with_argon2(accounts: UserRepository) -> None:
    stored = accounts.list()[0].password_hash
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert accounts.authenticate("rita", PASSWORD).role == Role.reviewer
    assert accounts.authenticate("rita", "wrong password!") is None
    assert accounts.authenticate("nobody", PASSWORD) is None
    with pytest.raises(UserError, match="at least 10"):
        accounts.create("bob", Role.reviewer, "short")
    with pytest.raises(UserError, match="already exists"):
        accounts.create("rita", Role.admin, PASSWORD)


def test_sign_in_sets_a_strict_http_only_cookie_and_sign_out_ends_it(
        client: TestClient, accounts: UserRepository) -> None:
    assert client.get("/ui/reviews", follow_redirects=False).headers["location"].startswith(
        "/ui/login?next=")
    answer = sign_in(client, "rita")
    assert answer.status_code == 303 and answer.headers["location"] == "/ui/reviews"
    cookie = answer.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    queue = client.get("/ui/reviews")
    assert queue.status_code == 200 and "Review queue" in queue.text
    assert "default-src 'self'" in queue.headers["content-security-policy"]
    token = re.search(r'name="csrf_token" value="([^"]+)"', queue.text).group(1)
    refused = client.post("/ui/logout", data={}, follow_redirects=False)
    assert refused.status_code == 403  # no CSRF token: still signed in
    assert client.get("/ui/reviews").status_code == 200
    out = client.post("/ui/logout", data={"csrf_token": token}, follow_redirects=False)
    assert out.status_code == 303
    assert client.get("/ui/reviews", follow_redirects=False).status_code == 303


def test_sign_in_needs_the_form_token(client: TestClient, accounts: UserRepository) -> None:
    forged = client.post("/ui/login", data={"name": "rita", "password": PASSWORD},
                         follow_redirects=False)
    assert forged.status_code == 403
    assert "papertrail_session" not in forged.headers.get("set-cookie", "")
    assert client.get("/ui/reviews", follow_redirects=False).status_code == 303


def test_failed_sign_ins_are_limited_per_account(client: TestClient,
                                                 accounts: UserRepository) -> None:
    limit = Settings().ui.login_max_failures
    for _ in range(limit):
        assert sign_in(client, "rita", "wrong password!").status_code == 401
    blocked = sign_in(client, "rita")  # even the right password, until the window passes
    assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) > 0
    assert sign_in(client, "sam").status_code == 303  # other accounts are not affected


def test_a_submitter_account_cannot_open_the_queue(client: TestClient,
                                                   accounts: UserRepository) -> None:
    assert sign_in(client, "sam").status_code == 303
    answer = client.get("/ui/reviews")
    assert answer.status_code == 403 and "reviewers and admins" in answer.text


def test_page_image_and_original_with_api_keys(client: TestClient) -> None:
    data = doc_bytes("7001")
    doc_id = client.post("/documents", files={"file": ("inv.png", data, "image/png")},
                         headers=auth("submitter")).json()["id"]
    page = client.get(f"/documents/{doc_id}/pages/1", headers=auth("submitter"))
    assert page.status_code == 200 and page.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(page.content)).size == fixtures.PAGE_PX
    again = client.get(f"/documents/{doc_id}/pages/1", headers=auth("reviewer"))
    assert again.content == page.content  # from the disk cache
    assert client.get(f"/documents/{doc_id}/pages/2", headers=auth("admin")).status_code == 404
    original = client.get(f"/documents/{doc_id}/original", headers=auth("submitter"))
    assert original.content == data and original.headers["content-type"] == "image/png"
    # as for GET /documents/{id}: another submitter sees nothing; no key is refused
    assert client.get(f"/documents/{doc_id}/original",
                      headers=auth("submitter2")).status_code == 404
    assert client.get(f"/documents/{doc_id}/pages/1").status_code == 401


def test_pdf_pages_are_rendered(client: TestClient) -> None:
    data = fixtures.text_pdf_bytes([["First page"], ["Second page"]])
    doc_id = client.post("/documents", files={"file": ("two.pdf", data, "application/pdf")},
                         headers=auth("submitter")).json()["id"]
    second = client.get(f"/documents/{doc_id}/pages/2", headers=auth("submitter"))
    assert second.status_code == 200
    image = Image.open(io.BytesIO(second.content))
    assert image.width > 500 and image.getextrema() != ((255, 255), (255, 255), (255, 255))
    original = client.get(f"/documents/{doc_id}/original", headers=auth("submitter"))
    assert original.headers["content-type"] == "application/pdf"


def test_text_documents_have_no_page_image(client: TestClient) -> None:
    doc_id = client.post("/documents", files={"file": ("a.txt", b"Invoice 42\nTotal 10.00\n",
                                                       "text/plain")},
                         headers=auth("submitter")).json()["id"]
    answer = client.get(f"/documents/{doc_id}/pages/1", headers=auth("submitter"))
    assert answer.status_code == 404 and answer.json()["error"] == "page_not_found"
    assert client.get(f"/documents/{doc_id}/original",
                      headers=auth("submitter")).headers["content-type"].startswith("text/plain")


def test_a_text_document_and_a_decision_taken_elsewhere(client: TestClient,
                                                        accounts: UserRepository) -> None:
    doc_id = client.post("/documents", files={"file": ("memo.txt", b"Memo: pay the plumber\n",
                                                       "text/plain")},
                         headers=auth("submitter")).json()["id"]
    store = Store.from_settings(Settings())
    store.reviews.open(doc_id, {"doc_id": doc_id, "filename": "memo.txt", "label": "letter",
                                "band": "unreadable",
                                "review_reasons": ["no text could be read"],
                                "allowed_labels": ["invoice", "letter"], "fields": {},
                                "text_snippet": "Memo: pay the plumber", "candidates": []})
    assert sign_in(client, "rita").status_code == 303
    queue = client.get("/ui/reviews?band=unreadable")
    assert "memo.txt" in queue.text and 'id="queue-count">1<' in queue.text
    assert 'id="queue-count">0<' in client.get("/ui/reviews?band=ambiguous").text
    # the filter form as a browser sends it, empty fields included
    everything = client.get("/ui/reviews?band=&type=&reason=&min_age_hours=")
    assert everything.status_code == 200 and 'id="queue-count">1<' in everything.text
    assert 'id="queue-count">0<' in client.get("/ui/reviews?min_age_hours=2").text
    assert 'id="queue-count">1<' in client.get("/ui/reviews?reason=no+text&type=letter").text
    screen = client.get(f"/ui/reviews/{doc_id}")
    assert screen.status_code == 200 and "Memo: pay the plumber" in screen.text
    assert 'id="approve-form"' in screen.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', screen.text).group(1)

    renew = f"/ui/reviews/{doc_id}/claim"
    assert client.post(renew, data={"csrf_token": token}).status_code == 204
    assert client.post(renew, data={}).status_code == 403

    # decided through the API or Slack meanwhile: shown, and never overwritten
    assert store.reviews.claim(doc_id, {"action": "reject"}, "bob")
    again = client.post(f"/ui/reviews/{doc_id}", data={"action": "approve",
                                                       "csrf_token": token})
    assert again.status_code == 409 and "decided elsewhere" in again.text
    assert "Already decided" in again.text and "bob" in again.text
    assert store.reviews.get(doc_id).decision == {"action": "reject"}
    assert client.post(renew, data={"csrf_token": token}).status_code == 409
    store.db.dispose()


def test_skipped_documents_wait_until_the_others_were_offered(
        client: TestClient, accounts: UserRepository) -> None:
    store = Store.from_settings(Settings())
    ids = []
    for n in range(3):
        ids.append(client.post("/documents", files={"file": (
            f"memo-{n}.txt", f"Memo {n}: pay the plumber\n".encode(), "text/plain")},
            headers=auth("submitter")).json()["id"])
        store.reviews.open(ids[-1], {"doc_id": ids[-1], "filename": f"memo-{n}.txt",
                                     "band": "unreadable", "review_reasons": ["none read"]})
    assert sign_in(client, "rita").status_code == 303

    def goes_to(path: str) -> str:
        return client.get(path, follow_redirects=False).headers["location"]

    first, second, third = (f"/ui/reviews/{d}" for d in ids)
    assert goes_to("/ui/reviews/next") == first
    assert goes_to(f"/ui/reviews/next?skip={ids[0]}") == second
    assert goes_to(f"/ui/reviews/next?after={ids[1]}") == third  # not the skipped first
    assert goes_to(f"/ui/reviews/next?skip={ids[2]}") == second
    assert goes_to(f"/ui/reviews/next?skip={ids[1]}") == first  # all skipped: oldest again
    assert sign_in(client, "rita").status_code == 303  # a new session forgets the skips
    assert goes_to(f"/ui/reviews/next?after={ids[2]}") == first
    store.db.dispose()


def test_user_commands(tmp_path: Path) -> None:
    runner = CliRunner()
    data = ["--data-dir", str(tmp_path / "var")]
    created = runner.invoke(app, [*data, "user", "create", "ada", "--role", "admin"],
                            input=f"{PASSWORD}\n{PASSWORD}\n")
    assert created.exit_code == 0, created.output
    assert "Created account ada (admin)" in created.output
    short = runner.invoke(app, [*data, "user", "create", "bob", "--password-stdin"],
                          input="short\n")
    assert short.exit_code == 2 and "at least 10" in short.output
    bad_role = runner.invoke(app, [*data, "user", "create", "bob", "--role", "boss"])
    assert bad_role.exit_code == 2
    changed = runner.invoke(app, [*data, "user", "password", "ada", "--password-stdin"],
                            input="another long password\n")
    assert changed.exit_code == 0, changed.output
    listed = runner.invoke(app, [*data, "user", "list"])
    assert "ada" in listed.output and "admin" in listed.output and "bob" not in listed.output
    store = Store.from_settings(Settings(data_dir=tmp_path / "var"))
    assert UserRepository(store.db).authenticate("ada", "another long password") is not None
    store.db.dispose()
