"""Database faults leave the store as StorageUnavailableError (retryable, 503), translated in
one place (`Database.session`); a constraint violation still reaches its caller as itself."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from agent.errors import StorageUnavailableError
from agent.ingest import ingest_bytes
from agent.settings import Settings
from agent.store import Document, Store
from agent.store.db import Database
from tests.api.conftest import free_port


def test_a_read_only_sqlite_file_is_storage_unavailable(settings: Settings) -> None:
    store = Store.from_settings(settings)
    doc_id = ingest_bytes(b"Invoice number 7", "a.txt", store, settings).document.id
    path = settings.resolved_data_dir / "papertrail.db"
    read_only = Store.from_settings(settings.model_copy(update={
        "database_url": f"sqlite:///file:{path}?mode=ro&uri=true"}))
    assert read_only.documents.require(doc_id).filename == "a.txt"  # reading works
    with pytest.raises(StorageUnavailableError) as caught:
        read_only.documents.set_status(doc_id, "failed", error="x")
    error = caught.value
    assert error.code == "storage_unavailable" and error.retryable and error.kind == "unavailable"
    assert "readonly" in error.message and "-wal and -shm" in error.message
    with pytest.raises(StorageUnavailableError, match="Nothing was stored"):
        ingest_bytes(b"Invoice number 8", "b.txt", read_only, settings)
    assert [p.name for p in settings.blob_dir.rglob("*") if p.is_file()] == [doc_id]
    read_only.db.dispose()
    store.db.dispose()


def test_a_constraint_violation_is_not_translated(settings: Settings) -> None:
    store = Store.from_settings(settings)
    doc = ingest_bytes(b"Invoice number 9", "c.txt", store, settings).document
    with pytest.raises(IntegrityError), store.db.session() as session:
        session.add(Document(id=doc.id, filename="dup", detected_type="text/plain",
                             size_bytes=1, page_count=1))
    store.db.dispose()


def test_an_unreachable_server_is_storage_unavailable() -> None:
    url = f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/none"
    db = Database(url, connect_args={"connect_timeout": 2})
    with pytest.raises(StorageUnavailableError) as caught, db.session() as session:
        session.get(Document, "x")
    assert "127.0.0.1" in caught.value.message and "reachable" in caught.value.message
    with pytest.raises(StorageUnavailableError):
        db.create_all()
    db.dispose()
