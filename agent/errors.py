"""Errors raised where bad data enters. Each says what is wrong, what was seen, what to do.

`kind` lets a face (HTTP, CLI, Slack) choose its own status without this package knowing HTTP.
"""

from __future__ import annotations

from typing import ClassVar, Literal

ErrorKind = Literal["invalid", "too_large", "unsupported"]


class PapertrailError(Exception):
    """Base of every error a user can act on."""

    code: ClassVar[str] = "error"
    kind: ClassVar[ErrorKind] = "invalid"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def to_dict(self) -> dict[str, str]:
        return {"error": self.code, "message": self.message}


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
