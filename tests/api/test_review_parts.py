"""The review app's parts on a real SQLite database: claims (one holder, expiry), the queue's
filters and order, evidence boxes from OCR words, edited fields keeping their types."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from agent.ingest import ingest_bytes
from agent.ocr.models import PageText
from agent.ocr.pdf_words import text_layer_words
from agent.settings import Settings
from agent.store import Store
from agent.store.models import Review
from api.auth import Role
from api.tables import create_tables
from api.ui.claims import ClaimRepository
from api.ui.evidence import field_boxes, recorded_boxes
from api.ui.queue import QueueFilter, load_queue, next_for
from api.ui.review_page import boxes_for, edited_fields
from api.ui.sessions import SessionRepository
from api.users import UserRepository
from evals import fixtures


def a_document(store: Store, settings: Settings, tag: str) -> str:
    create_tables(store.db)
    return ingest_bytes(f"Invoice {tag}\n".encode(), f"{tag}.txt", store, settings).document.id


def test_one_reviewer_holds_a_claim_until_it_expires(store: Store,
                                                     db_settings: Settings) -> None:
    doc_id = a_document(store, db_settings, "claim")
    claims = ClaimRepository(store.db)
    assert claims.take(doc_id, "rita", timedelta(minutes=5)).reviewer == "rita"
    assert claims.take(doc_id, "rex", timedelta(minutes=5)).reviewer == "rita"
    assert claims.take(doc_id, "rita", timedelta(minutes=5)).reviewer == "rita"  # renewed
    assert set(claims.active()) == {doc_id}
    claims.release(doc_id, "rex")  # not rex's to release
    assert claims.holder(doc_id).reviewer == "rita"
    claims.take(doc_id, "rita", timedelta(seconds=-1))  # as if it had lapsed
    assert claims.holder(doc_id) is None and claims.active() == {}
    assert claims.take(doc_id, "rex", timedelta(minutes=5)).reviewer == "rex"
    claims.release(doc_id, "rex")
    assert claims.holder(doc_id) is None


def test_sessions_and_sign_in_failures(store: Store) -> None:
    create_tables(store.db)
    users, sessions = UserRepository(store.db), SessionRepository(store.db)
    users.create("rita", Role.reviewer, "correct horse battery")
    token = sessions.start("rita", timedelta(hours=1))
    opened = sessions.get(token)
    assert opened.user == "rita" and opened.csrf_ok(opened.csrf)
    assert not opened.csrf_ok("") and not opened.csrf_ok("forged")
    assert sessions.get("not-a-token") is None and sessions.get(None) is None
    sessions.end(token)
    assert sessions.get(token) is None
    assert sessions.get(sessions.start("rita", timedelta(seconds=-1))) is None  # expired
    window = timedelta(minutes=15)
    for _ in range(3):
        users.record_failure("rita", window)
    users.record_failure("rex", window)
    assert users.recent_failures("rita", window) == 3
    users.clear_failures("rita")
    assert users.recent_failures("rita", window) == 0
    assert users.recent_failures("rex", window) == 1


def review(doc_id: str, hours_ago: float, band: str, label: str, reason: str) -> Review:
    return Review(doc_id=doc_id, status="pending",
                  created_at=datetime.now(UTC) - timedelta(hours=hours_ago),
                  payload={"band": band, "label": label, "review_reasons": [reason]})


def test_queue_filters_pages_and_next_document(store: Store, db_settings: Settings) -> None:
    ids = {tag: a_document(store, db_settings, tag) for tag in "abc"}
    pending = [review(ids["a"], 30, "ambiguous", "invoice", "band ambiguous is not auto-approved"),
               review(ids["b"], 5, "unreadable", "receipt", "no text could be 50%_read"),
               review(ids["c"], 1, "ambiguous", "receipt", "total over the limit")]
    with store.db.session() as session:
        session.add_all(pending)
    tag = {doc_id: t for t, doc_id in ids.items()}

    def shown(where: QueueFilter, page: int = 1, size: int = 50) -> list[str]:
        return [tag[r.doc_id] for r in load_queue(store.db, {}, where, page, size).items]

    assert shown(QueueFilter()) == ["a", "b", "c"]
    by_band = load_queue(store.db, {}, QueueFilter(band="ambiguous"))
    assert [tag[r.doc_id] for r in by_band.items] == ["a", "c"] and by_band.total == 2
    assert abs((by_band.oldest - pending[0].created_at).total_seconds()) < 1
    assert by_band.bands == ["ambiguous", "unreadable"] and by_band.types == ["invoice", "receipt"]
    assert shown(QueueFilter(type="receipt")) == ["b", "c"]
    assert shown(QueueFilter(reason="LIMIT")) == ["c"]
    assert shown(QueueFilter(reason="50%_")) == ["b"]  # LIKE wildcards are literal
    assert shown(QueueFilter(reason="5%")) == []
    assert shown(QueueFilter(min_age_hours=4)) == ["a", "b"]
    assert shown(QueueFilter(), page=2, size=2) == ["c"]
    last = load_queue(store.db, {}, QueueFilter(), page=9, size=2)  # past the end: the last
    assert (last.page, last.pages, last.total) == (2, 2, 3)
    empty = load_queue(store.db, {}, QueueFilter(band="none"))
    assert empty.items == [] and empty.oldest is None and empty.total == 0

    a, b, c = ids["a"], ids["b"], ids["c"]
    ClaimRepository(store.db).take(a, "rex", timedelta(minutes=5))
    ClaimRepository(store.db).take(c, "old", timedelta(seconds=-1))  # lapsed: free again
    assert next_for(store.db, "rita", set()) == b  # rex holds the oldest
    assert next_for(store.db, "rex", set()) == a
    assert next_for(store.db, "rita", {b}) == c
    assert next_for(store.db, "rita", {b, c}) is None
    assert store.reviews.claim(b, {"action": "approve"}, "rita")  # decided: not pending
    assert next_for(store.db, "rita", set()) == c


def test_evidence_boxes_are_the_ocr_words_spelling_the_value() -> None:
    page = PageText(page=1, text="Invoice number: INV-7 Total due: EUR 1,165.50",
                    confidence=90, method="ocr", seconds=0.1, width=1000, height=2000,
                    boxes=[("Invoice", 95, 100, 100, 120, 30),
                           ("number:", 95, 230, 100, 120, 30), ("INV-7", 95, 360, 100, 90, 30),
                           ("Total", 95, 100, 300, 80, 30), ("due:", 95, 190, 300, 60, 30),
                           ("EUR", 95, 260, 300, 60, 30), ("1,165.", 95, 330, 300, 80, 30),
                           ("50", 95, 412, 300, 30, 30)])
    boxes = {b.field: b for b in field_boxes(
        {"invoice_number": "INV-7", "total": 1165.5, "missing": "ACME", "flag": True},
        [page])}
    assert set(boxes) == {"invoice_number", "total"}
    total = boxes["total"]  # two OCR words, one box, in percent of the page
    assert (total.page, total.left, total.top) == (1, pytest.approx(32.6), pytest.approx(14.8))
    assert total.width == pytest.approx(12.0)  # 330..442 px and 4 px on each side
    assert field_boxes({"x": "INV-7"}, []) == []


def test_recorded_field_evidence_wins_over_matching() -> None:
    page = PageText(page=1, text="Total 12.00 INV-9", confidence=90, method="ocr", seconds=0.1,
                    width=1000, height=2000, boxes=[("Total", 95, 10, 10, 50, 20),
                                                    ("12.00", 95, 70, 10, 50, 20),
                                                    ("INV-9", 95, 10, 100, 60, 20)])
    evidence = {"total": {"page": 1, "bbox": [100, 200, 300, 40], "confidence": 0.9},
                "invoice_number": {"page": 1, "bbox": None}, "vendor": {"page": 3,
                                                                        "bbox": [1, 1, 1, 1]}}
    boxes = boxes_for({"total": "12.00", "invoice_number": "INV-9"}, evidence, [page])
    by_field = {b.field: b for b in boxes}
    assert len(boxes) == 2
    assert by_field["total"].source == "recorded"
    assert (by_field["total"].left, by_field["total"].top) == (10.0, 10.0)
    assert (by_field["total"].width, by_field["total"].height) == (30.0, 2.0)
    assert by_field["invoice_number"].source == "matched"  # no recorded box: found by words
    assert recorded_boxes(evidence, []) == []  # no page size known: nothing to place
    # A second engine read the page at half the size: its box is placed in its own image.
    half = {"total": {"page": 1, "bbox": [50, 100, 150, 20], "image_size": [500, 1000]}}
    (box,) = recorded_boxes(half, [page])
    assert (box.left, box.top, box.width, box.height) == (10.0, 10.0, 30.0, 2.0)


def test_text_layer_pdfs_have_word_boxes_too() -> None:
    data = fixtures.text_pdf_bytes([["Cover letter"], ["Invoice number: INV-42",
                                                       "Total due: EUR 99.50"]])
    pages = text_layer_words(data, {2, 9})
    assert [p.page for p in pages] == [2]
    words = [box[0] for box in pages[0].boxes]
    assert "INV-42" in words and "99.50" in words
    boxes = field_boxes({"invoice_number": "INV-42", "total": 99.5}, pages)
    assert {b.field for b in boxes} == {"invoice_number", "total"}
    number = next(b for b in boxes if b.field == "invoice_number")
    assert 0 < number.left < 60 and 0 < number.top < 30 and 0 < number.width < 40


def test_edited_fields_keep_their_types() -> None:
    old = {"total": 1165.5, "count": 3, "vendor": "ACME", "paid": False}
    form = {"field:total": "1,200.00", "field:count": "3", "field:vendor": "ACME Ltd",
            "field:paid": "false", "field:unknown": "x", "action": "edit"}
    assert edited_fields(old, form) == {"total": 1200.0, "vendor": "ACME Ltd"}
    assert edited_fields(old, {"field:total": "lots"}) == {"total": "lots"}

