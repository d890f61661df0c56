"""Tell a document's type from its bytes (never from its name)."""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import PurePath


class DocType(StrEnum):
    PDF = "application/pdf"
    PNG = "image/png"
    JPEG = "image/jpeg"
    TIFF = "image/tiff"
    TEXT = "text/plain"

    @property
    def is_image(self) -> bool:
        return self in (DocType.PNG, DocType.JPEG, DocType.TIFF)


_SIGNATURES: list[tuple[bytes, DocType]] = [
    (b"\x89PNG\r\n\x1a\n", DocType.PNG),
    (b"\xff\xd8\xff", DocType.JPEG),
    (b"II*\x00", DocType.TIFF),
    (b"MM\x00*", DocType.TIFF),
    (b"II+\x00", DocType.TIFF),  # BigTIFF
    (b"MM\x00+", DocType.TIFF),
]

_EXTENSIONS: dict[str, DocType] = {
    ".pdf": DocType.PDF,
    ".png": DocType.PNG,
    ".jpg": DocType.JPEG,
    ".jpeg": DocType.JPEG,
    ".tif": DocType.TIFF,
    ".tiff": DocType.TIFF,
    ".txt": DocType.TEXT,
    ".text": DocType.TEXT,
}

# Bytes that never appear in text a person wrote (C0 controls except tab, LF, FF, CR, ESC).
_BINARY_BYTES = set(range(0, 9)) | {11} | set(range(14, 27)) | set(range(28, 32))

# Markup is text a browser renders and runs (scripts, links, external entities), not a document
# Papertrail reads: text that opens with a tag, or carries an HTML/SVG/script element early on.
_OPENS_WITH_TAG = re.compile(rb"\s*<[a-z!?/]", re.IGNORECASE)
_ACTIVE_ELEMENT = re.compile(rb"<(html|svg|script|iframe|object|embed)[\s/>]", re.IGNORECASE)
_UTF8_BOM = b"\xef\xbb\xbf"


def sniff(data: bytes) -> DocType | None:
    """The type the bytes say they are, or None when they are no type we read."""
    for signature, doc_type in _SIGNATURES:
        if data.startswith(signature):
            return doc_type
    # PDF readers accept the header anywhere in the first KiB (some files carry junk before it).
    if b"%PDF-" in data[:1024]:
        return DocType.PDF
    if looks_like_text(data) and not is_markup(data):
        return DocType.TEXT
    return None


def looks_like_text(data: bytes) -> bool:
    """True when the bytes hold no binary control bytes: text, whatever its encoding."""
    sample = data[:8192]
    return bool(sample) and not any(b in _BINARY_BYTES for b in sample)


def is_markup(data: bytes) -> bool:
    """True when text is HTML, SVG or XML (looked for in its first 8 KiB)."""
    sample = data[:8192].removeprefix(_UTF8_BOM)
    return bool(_OPENS_WITH_TAG.match(sample) or _ACTIVE_ELEMENT.search(sample))


def type_from_name(filename: str) -> DocType | None:
    """The type a filename's extension claims, if it claims a type we know."""
    return _EXTENSIONS.get(PurePath(filename).suffix.lower())
