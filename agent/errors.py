"""Errors of the document flow, raised where bad data enters (root: `papertrail.errors`)."""

from __future__ import annotations

from papertrail.errors import DependencyUnavailableError, ErrorKind, PapertrailError

__all__ = ["ErrorKind", "PapertrailError"]


class IngestError(PapertrailError):
    """An upload was rejected; nothing was stored."""

    code = "ingest_error"


class EmptyFileError(IngestError):
    code = "empty_file"


class FileTooLargeError(IngestError):
    code = "file_too_large"
    kind = "too_large"


class TooManyPagesError(IngestError):
    code = "too_many_pages"
    kind = "too_large"


class UnsupportedTypeError(IngestError):
    code = "unsupported_type"
    kind = "unsupported"


class CorruptFileError(IngestError):
    code = "corrupt_file"


class EncryptedPdfError(IngestError):
    code = "encrypted_pdf"


class DecompressionBombError(IngestError):
    code = "decompression_bomb"
    kind = "too_large"


class TextEncodingError(IngestError):
    code = "text_not_utf8"


class InvalidFilenameError(IngestError):
    code = "invalid_filename"


class DocumentNotFoundError(PapertrailError):
    code = "document_not_found"
    kind = "not_found"


class StorageUnavailableError(DependencyUnavailableError):
    """The database or the blob folder cannot be used now: an operator must fix it."""

    code = "storage_unavailable"
