"""The review app in a real browser (headless Chromium from the system, driven by Playwright),
against a real server and a real worker: sign in, the queue, a document's page image with a
field's evidence box, a keyboard relabel that lands on the next document, claims seen by a
second reviewer, a decision taken elsewhere shown, a forged form refused, a submitter kept
out. Screenshots go to docs/."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from agent.settings import Settings
from agent.store import Store
from api.auth import Role
from api.tables import create_tables
from api.users import UserRepository
from tests.api.conftest import ROOT, auth, doc_bytes, wait_for

playwright_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = os.environ.get("PAPERTRAIL_TEST_CHROMIUM") or shutil.which("chromium") \
    or shutil.which("chromium-browser")
pytestmark = [pytest.mark.slow, pytest.mark.skipif(
    CHROMIUM is None, reason="no system Chromium (make system-deps installs it)")]
PASSWORD = "correct horse battery"
DOCS = ROOT / "docs"
# Screenshots land in the test's temporary folder; set this to `docs` to refresh README's.
SHOTS = os.environ.get("PAPERTRAIL_TEST_SCREENSHOTS_DIR")


@pytest.fixture
def browser() -> Iterator[object]:
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield browser
        browser.close()


def sign_in(browser: object, base: str, name: str) -> tuple[object, object]:
    context = browser.new_context(base_url=base, viewport={"width": 1280, "height": 860})
    page = context.new_page()
    page.goto("/ui/reviews")  # not signed in: sent to the sign-in form, then back
    page.get_by_label("Account name").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    return context, page


def test_review_in_the_browser(live_server, start_worker, browser, tmp_path: Path,
                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAPERTRAIL_UI_CLAIM_MINUTES", "0.25")  # an open page renews every 5 s
    shots = ROOT / SHOTS if SHOTS else tmp_path
    store = Store.from_settings(Settings())
    create_tables(store.db)
    accounts = UserRepository(store.db)
    for name, role in (("rita", Role.reviewer), ("rex", Role.reviewer),
                       ("sam", Role.submitter)):
        accounts.create(name, role, PASSWORD)
    start_worker()
    base = f"http://127.0.0.1:{live_server()}"
    api = httpx.Client(base_url=base, timeout=60)
    ids = []
    for tag in ("8001", "8002", "8003"):
        answer = api.post("/documents", headers=auth("submitter"), files={
            "file": (f"invoice-{tag}.png", doc_bytes(tag, "Confidence 60"), "image/png")})
        ids.append(answer.json()["id"])
    wait_for(lambda: all(api.get(f"/documents/{i}", headers=auth("admin")).json()["status"]
                         == "needs_review" for i in ids), what="the documents in review")
    first, second, third = sorted(ids, key=lambda i: store.reviews.get(i).created_at)

    rita_ctx, rita = sign_in(browser, base, "rita")
    assert rita.url.endswith("/ui/reviews")
    assert rita.locator("#queue-count").inner_text() == "3"
    assert rita.locator("#oldest-wait").is_visible()
    rita.get_by_label("Band").select_option("ambiguous")
    rita.get_by_role("button", name="Filter").click()
    rita.wait_for_url("**/ui/reviews?band=ambiguous*")
    assert rita.locator("#queue-count").inner_text() == "3"
    rita.screenshot(path=str(shots / "review-queue.png"))

    rita.locator("#start").click()  # the oldest first
    rita.wait_for_url(f"**/ui/reviews/{first}")
    image = rita.get_by_role("img", name="Page 1 of 1 of invoice-")
    assert rita.evaluate("i => i.complete && i.naturalWidth", image.element_handle()) > 0
    box = rita.locator('.evidence[data-field="invoice_number"]')
    assert box.count() == 1 and box.is_visible()
    assert box.bounding_box()["width"] > 20
    rita.keyboard.press("+")
    assert rita.locator("#zoom-level").inner_text() == "125%"
    rita.keyboard.press("0")
    rita.get_by_label("invoice_number").focus()  # its box lights up
    assert "lit" in box.get_attribute("class")
    rita.keyboard.press("Escape")
    rita.screenshot(path=str(shots / "review-screen.png"))

    # A second reviewer sees the claim, in the queue and on the document.
    rex_ctx, rex = sign_in(browser, base, "rex")
    assert rex.locator("tr", has_text="invoice-8001").locator(".claim").inner_text() == "rita"
    rex.goto(f"/ui/reviews/{first}")
    assert "rita" in rex.locator("#claimed").inner_text()
    assert rex.locator("#approve-form").count() == 0
    rex_token = rex.locator('input[name="csrf_token"]').first.get_attribute("value")
    taken = rex_ctx.request.post(f"/ui/reviews/{first}", max_redirects=0,
                                 form={"action": "approve", "csrf_token": rex_token})
    assert taken.status == 409 and "rita holds this document" in taken.text()

    # A form without the session's CSRF token is refused, and changes nothing.
    forged = rita_ctx.request.post(f"/ui/reviews/{first}", form={"action": "approve"},
                                   max_redirects=0)
    assert forged.status == 403
    assert store.reviews.get(first).status == "pending"

    # Relabel with the keyboard only: l, type the label, Enter; then on to the next one.
    rita.keyboard.press("l")
    assert rita.evaluate("document.activeElement.id") == "relabel-label"
    rita.keyboard.type("receipt")
    with rita.expect_navigation(url=f"**/ui/reviews/{second}", timeout=90_000):
        rita.keyboard.press("Enter")
    decided = api.get(f"/documents/{first}", headers=auth("admin")).json()
    assert decided["decision"]["action"] == "relabel"
    assert decided["decision"]["label"] == "receipt"
    assert decided["decision"]["decided_by"] == "rita"
    lineage = api.get(f"/documents/{first}/lineage", headers=auth("admin")).json()
    assert [r["payload"]["reviewer"] for r in lineage["records"]
            if r["node"] == "human_review"] == ["rita"]

    metrics = api.get("/metrics", headers=auth("admin")).text
    assert 'papertrail_reviewer_decisions_total{action="relabel",reviewer="rita"} 1.0' in metrics
    assert 'papertrail_reviewer_wait_seconds_count{reviewer="rita"} 1.0' in metrics
    assert "papertrail_reviews_claimed 1.0" in metrics  # rita holds the second document

    # The decision taken by rita is shown to rex, never overwritten.
    rex.goto(f"/ui/reviews/{first}")
    assert "rita" in rex.locator("#decided").inner_text()
    assert rex.locator("#approve-form").count() == 0

    # Decided through the API while rita has it open: her page says so at its next renewal.
    assert api.post(f"/reviews/{second}", headers=auth("admin"),
                    json={"action": "reject"}).status_code == 200
    playwright_api.expect(rita.locator("#gone")).to_be_visible(timeout=30_000)
    rita.keyboard.press("n")  # on to the next one
    rita.wait_for_url(f"**/ui/reviews/{third}")

    # Edit a field with the keyboard: e, type, Enter; the queue is then empty.
    rita.keyboard.press("e")
    assert rita.evaluate("document.activeElement.name") == "field:vendor"
    for _ in range(8):  # Tab on to the invoice number, whatever fields come between
        if rita.evaluate("document.activeElement.name") == "field:invoice_number":
            break
        rita.keyboard.press("Tab")
    assert rita.evaluate("document.activeElement.name") == "field:invoice_number"
    rita.keyboard.press("Control+a")
    rita.keyboard.type("INV-8003-B")
    with rita.expect_navigation(url="**/ui/reviews?note=empty", timeout=90_000):
        rita.keyboard.press("Enter")
    assert rita.locator("#queue-count").inner_text() == "0"
    edited = api.get(f"/documents/{third}", headers=auth("admin")).json()
    assert edited["decision"]["action"] == "edit"
    assert edited["decision"]["fields"]["invoice_number"] == "INV-8003-B"

    # A submitter account cannot open the queue.
    sam_ctx, sam = sign_in(browser, base, "sam")
    assert "Not allowed" in sam.content()
    assert sam.goto("/ui/reviews").status == 403
    for context in (rita_ctx, rex_ctx, sam_ctx):
        context.close()
    store.db.dispose()


def test_the_screenshots_in_docs_are_small() -> None:
    for name in ("review-queue.png", "review-screen.png"):
        path: Path = DOCS / name
        if path.exists():
            assert path.stat().st_size < 400_000, f"{name} is {path.stat().st_size} bytes"
