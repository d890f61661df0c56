"""Accept an upload: validate in memory, then store blob and row, or store nothing at all."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.exc import IntegrityError

from agent.errors import FileTooLargeError, StorageUnavailableError
from agent.ingest.validate import Limits, ValidatedUpload, format_size, validate_upload
from agent.settings import Settings
from agent.store import Document, Store


@dataclass(frozen=True)
class IngestResult:
    document: Document
    created: bool  # False when the same bytes were uploaded before


def limits_from(settings: Settings) -> Limits:
    return Limits(
        max_bytes=settings.max_upload_bytes,
        max_pages=settings.max_pages,
        max_image_pixels=settings.max_image_pixels,
    )


def ingest_bytes(data: bytes, filename: str, store: Store, settings: Settings) -> IngestResult:
    """Validate and store one upload. Raises an IngestError (and stores nothing) when invalid,
    StorageUnavailableError (and stores nothing) when the database or blob folder fails."""
    upload = validate_upload(data, filename, limits_from(settings))
    try:
        existing = store.documents.get(upload.sha256)
    except StorageUnavailableError as exc:
        raise _nothing_stored(exc) from exc
    if existing is not None:
        return IngestResult(existing, created=False)
    return _store(upload, data, store)


def _store(upload: ValidatedUpload, data: bytes, store: Store) -> IngestResult:
    _, created_blob = store.blobs.put(data)
    try:
        with store.db.session() as session:
            document = _row_for(upload)
            session.add(document)
        return IngestResult(document, created=True)
    except IntegrityError:
        # Another process stored the same bytes between our check and our insert.
        return IngestResult(store.documents.require(upload.sha256), created=False)
    except BaseException as exc:
        if _row_exists(store, upload.sha256):
            raise  # stored after all, or the database cannot say: keep the blob
        if created_blob:
            store.blobs.delete(upload.sha256)
        if isinstance(exc, StorageUnavailableError):
            raise _nothing_stored(exc) from exc
        raise


def _nothing_stored(exc: StorageUnavailableError) -> StorageUnavailableError:
    return StorageUnavailableError(f"{exc.message} Nothing was stored.")


def _row_exists(store: Store, sha256: str) -> bool:
    """Whether the row was stored after all. True when the database cannot say (a commit
    whose answer was lost may have landed): a blob no row names is harmless, and the same
    upload later reuses it; a row without its blob is not."""
    try:
        return store.documents.get(sha256) is not None
    except StorageUnavailableError:
        return True


def ingest_file(path: Path, store: Store, settings: Settings) -> IngestResult:
    return ingest_bytes(read_upload(path, settings), path.name, store, settings)


def read_upload(path: Path, settings: Settings) -> bytes:
    """A file's bytes, refusing oversized files before reading them into memory."""
    size = path.stat().st_size
    if size > settings.max_upload_bytes:
        raise FileTooLargeError(
            f"{path.name!r} is {format_size(size)}; the limit is "
            f"{format_size(settings.max_upload_bytes)} (setting PAPERTRAIL_MAX_UPLOAD_BYTES). "
            "Split or compress it."
        )
    return path.read_bytes()


def _row_for(upload: ValidatedUpload) -> Document:
    return Document(
        id=upload.sha256,
        filename=upload.filename,
        detected_type=upload.doc_type.value,
        declared_type=upload.declared_type.value if upload.declared_type else None,
        type_mismatch=upload.type_mismatch,
        size_bytes=upload.size_bytes,
        page_count=upload.page_count,
    )
