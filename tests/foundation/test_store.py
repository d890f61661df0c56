"""The document store behaves the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from agent import errors
from agent.ingest import ingest_bytes
from agent.settings import Settings
from agent.store import DocumentStatus, Store
from evals import fixtures


def test_status_updates_and_listing(store: Store, db_settings: Settings) -> None:
    png = ingest_bytes(fixtures.png_bytes(), "a.png", store, db_settings).document
    txt = ingest_bytes(b"hello memo", "b.txt", store, db_settings).document
    store.documents.set_status(png.id, DocumentStatus.FAILED, error="OCR engine missing")
    failed = store.documents.list(status="failed")
    assert [d.id for d in failed] == [png.id]
    assert failed[0].error == "OCR engine missing"
    assert failed[0].updated_at >= failed[0].created_at
    assert {d.id for d in store.documents.list()} == {png.id, txt.id}
    assert store.documents.count() == 2


def test_unknown_document_is_a_clear_error(store: Store) -> None:
    with pytest.raises(errors.DocumentNotFoundError, match="No document with id 'nope'"):
        store.documents.require("nope")


def test_store_reopens_from_settings(db_settings: Settings) -> None:
    first = Store.from_settings(db_settings)
    doc = ingest_bytes(fixtures.png_bytes(), "a.png", first, db_settings).document
    first.db.dispose()
    again = Store.from_settings(db_settings)  # a new process would do exactly this
    assert again.documents.require(doc.id).filename == "a.png"
    again.db.dispose()


def test_timestamps_come_back_in_utc(store: Store, db_settings: Settings) -> None:
    doc = ingest_bytes(b"hello memo", "b.txt", store, db_settings).document
    stored = store.documents.require(doc.id)
    assert stored.created_at.utcoffset() == timedelta(0)
    assert stored.updated_at.utcoffset() == timedelta(0)
    store.reviews.open(doc.id, {})
    assert store.reviews.pending()[0].created_at.utcoffset() == timedelta(0)
