"""Ingest accepts good documents once and refuses bad ones loudly, storing nothing."""

from __future__ import annotations

import io
import zipfile

import pypdfium2 as pdfium
import pytest
from PIL import Image
from reportlab.lib import pdfencrypt
from reportlab.pdfgen import canvas

from agent import errors
from agent.ingest import ingest_bytes
from agent.settings import Settings
from agent.store import Store
from evals import fixtures
from tests.conftest import blob_files

PAGES = [fixtures.INVOICE_LINES, ["Page two", "Terms"], ["Page three", "Signature"]]


def _encrypted_pdf() -> bytes:
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, encrypt=pdfencrypt.StandardEncryption("secret"))
    pdf.drawString(72, 700, "Confidential invoice")
    pdf.showPage()
    pdf.save()
    return buf.getvalue()


def _owner_password_pdf() -> bytes:
    """Encrypted with an owner password only (no user password): opens without one."""
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, encrypt=pdfencrypt.StandardEncryption(
        "", ownerPassword="owner-secret", canPrint=0, canCopy=0))
    for line in fixtures.INVOICE_LINES:
        pdf.drawString(72, 700 - 14 * fixtures.INVOICE_LINES.index(line), line)
    pdf.showPage()
    pdf.save()
    return buf.getvalue()


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("invoice.txt", "hello")
    return buf.getvalue()


def _bomb_png() -> bytes:
    buf = io.BytesIO()
    Image.new("1", (12_000, 12_000), 1).save(buf, format="PNG")
    return buf.getvalue()


def _with(store_settings: Settings, **changes: object) -> Settings:
    return store_settings.model_copy(update=changes)


# --- accepted -------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("name", "data", "doc_type", "pages"),
    [
        ("invoice.png", fixtures.png_bytes(), "image/png", 1),
        ("invoice.jpg", fixtures.jpeg_bytes(), "image/jpeg", 1),
        ("fax.tiff", fixtures.tiff_bytes(PAGES), "image/tiff", 3),
        ("digital.pdf", fixtures.text_pdf_bytes(PAGES[:2]), "application/pdf", 2),
        ("scan.pdf", fixtures.scanned_pdf_bytes(PAGES[:1]), "application/pdf", 1),
        ("note.txt", "Grüße — invoice 42".encode(), "text/plain", 1),
    ],
)
def test_accepts_each_supported_type(store: Store, db_settings: Settings, name: str,
                                     data: bytes, doc_type: str, pages: int) -> None:
    result = ingest_bytes(data, name, store, db_settings)
    assert result.created
    doc = store.documents.require(result.document.id)
    assert (doc.detected_type, doc.page_count, doc.size_bytes) == (doc_type, pages, len(data))
    assert doc.status == "received" and not doc.type_mismatch
    assert store.blobs.get(doc.id) == data  # the original is kept, byte for byte


def test_owner_password_only_pdf_is_accepted_and_readable(store: Store,
                                                          db_settings: Settings) -> None:
    """Only a user password keeps a PDF from being read; an owner password restricts printing
    or copying in viewers, not reading, so such a PDF is accepted (README, Ingest)."""
    data = _owner_password_pdf()
    assert b"/Encrypt" in data
    doc = ingest_bytes(data, "locked.pdf", store, db_settings).document
    assert (doc.detected_type, doc.page_count) == ("application/pdf", 1)
    page = pdfium.PdfDocument(data)[0]
    assert "Invoice" in page.get_textpage().get_text_range()


def test_bidi_and_format_controls_are_removed_from_the_stored_name(
        store: Store, db_settings: Settings) -> None:
    name = "invoice_\u202egnp.exe"  # shows as "invoice_exe.png"
    doc = ingest_bytes(b"hello memo", name, store, db_settings).document
    assert doc.filename == "invoice_gnp.exe"
    only_controls = "\u202e\u2066\u200f"
    with pytest.raises(errors.InvalidFilenameError, match="empty"):
        ingest_bytes(b"other memo", only_controls, store, db_settings)


def test_too_large_message_gives_exact_sizes(store: Store, db_settings: Settings) -> None:
    with pytest.raises(errors.FileTooLargeError) as caught:
        ingest_bytes(b"a" * 120_000, "big.txt", store, _with(db_settings,
                                                             max_upload_bytes=100_000))
    assert "is 120,000 bytes; the limit is 100,000 bytes" in caught.value.message


def test_same_bytes_twice_return_the_existing_document(store: Store, db_settings: Settings) -> None:
    first = ingest_bytes(fixtures.png_bytes(), "a.png", store, db_settings)
    second = ingest_bytes(fixtures.png_bytes(), "renamed.png", store, db_settings)
    assert first.created and not second.created
    assert second.document.id == first.document.id
    assert second.document.filename == "a.png"
    assert store.documents.count() == 1 and len(blob_files(db_settings)) == 1


def test_extension_contradicting_content_is_handled_by_content(store: Store,
                                                               db_settings: Settings) -> None:
    doc = ingest_bytes(fixtures.png_bytes(), "invoice.pdf", store, db_settings).document
    assert doc.detected_type == "image/png"
    assert doc.declared_type == "application/pdf"
    assert doc.type_mismatch is True


# --- refused: one test per bad input ----------------------------------------------------------

def _flipped(data: bytes) -> bytes:
    """One byte inverted in the middle of the image data: whole length, wrong checksum."""
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1:]


BAD_INPUTS = [
    pytest.param(b"", "empty.pdf", {}, errors.EmptyFileError, "is empty", id="empty"),
    pytest.param(fixtures.png_bytes(), "big.png", {"max_upload_bytes": 1000},
                 errors.FileTooLargeError, "the limit is", id="too-large"),
    pytest.param(fixtures.text_pdf_bytes(PAGES), "long.pdf", {"max_pages": 2},
                 errors.TooManyPagesError, "has 3 pages; the limit is 2", id="too-many-pdf-pages"),
    pytest.param(fixtures.tiff_bytes(PAGES), "long.tiff", {"max_pages": 2},
                 errors.TooManyPagesError, "has 3 pages; the limit is 2", id="too-many-tiff-pages"),
    pytest.param(_zip(), "invoice.zip", {}, errors.UnsupportedTypeError,
                 "not a type Papertrail reads", id="unknown-type"),
    pytest.param(fixtures.text_pdf_bytes(PAGES)[:1500], "cut.pdf", {}, errors.CorruptFileError,
                 "damaged or truncated PDF", id="truncated-pdf"),
    pytest.param(b"%PDF-1.7\n" + bytes(range(256)) * 20, "junk.pdf", {},
                 errors.CorruptFileError, "damaged or truncated PDF", id="corrupt-pdf"),
    pytest.param(fixtures.png_bytes()[:3000], "cut.png", {}, errors.CorruptFileError,
                 "damaged or truncated image", id="truncated-png"),
    pytest.param(_flipped(fixtures.png_bytes()), "flipped.png", {}, errors.CorruptFileError,
                 "damaged or truncated image", id="corrupt-png"),
    pytest.param(fixtures.jpeg_bytes()[:5000], "cut.jpg", {}, errors.CorruptFileError,
                 "damaged or truncated image", id="truncated-jpeg"),
    pytest.param(_encrypted_pdf(), "secret.pdf", {}, errors.EncryptedPdfError,
                 "password-protected", id="encrypted-pdf"),
    pytest.param(_bomb_png(), "bomb.png", {}, errors.DecompressionBombError,
                 "144000000 pixels", id="decompression-bomb"),
    pytest.param(fixtures.png_bytes(), "big.png", {"max_image_pixels": 1_000_000},
                 errors.DecompressionBombError, "1240x1754 = 2,174,960 pixels; the limit is "
                 "1,000,000", id="over-pixel-setting"),
    pytest.param("café latin-1".encode("latin-1"), "notes.txt", {}, errors.TextEncodingError,
                 "not valid UTF-8 (byte b'\\xe9' at offset 3)", id="not-utf8"),
    pytest.param(b"<!DOCTYPE html>\n<html><body>Invoice 42</body></html>", "page.txt", {},
                 errors.UnsupportedTypeError, "HTML, SVG or XML", id="html"),
    pytest.param(b"\xef\xbb\xbf  <html><p>Invoice 42</p></html>", "page.html", {},
                 errors.UnsupportedTypeError, "HTML, SVG or XML", id="html-with-bom"),
    pytest.param(b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><text>'
                 b"Invoice</text></svg>", "logo.svg", {}, errors.UnsupportedTypeError,
                 "HTML, SVG or XML", id="svg"),
    pytest.param(b"<!-- generated -->\n<svg><script>alert(1)</script></svg>", "x.txt", {},
                 errors.UnsupportedTypeError, "HTML, SVG or XML", id="svg-after-comment"),
    pytest.param(fixtures.png_bytes(), "../../etc/invoice.png", {}, errors.InvalidFilenameError,
                 "path parts", id="path-traversal"),
    pytest.param(fixtures.png_bytes(), "..\\invoice.png", {}, errors.InvalidFilenameError,
                 "path parts", id="windows-path"),
    pytest.param(fixtures.png_bytes(), "invoice\x00.png", {}, errors.InvalidFilenameError,
                 "control characters", id="nul-in-name"),
    pytest.param(fixtures.png_bytes(), "invoice\n.png", {}, errors.InvalidFilenameError,
                 "control characters", id="newline-in-name"),
]


@pytest.mark.parametrize(("data", "name", "limits", "error", "message"), BAD_INPUTS)
def test_bad_input_is_refused_and_nothing_is_stored(
    store: Store, db_settings: Settings, data: bytes, name: str, limits: dict,
    error: type[errors.IngestError], message: str,
) -> None:
    with pytest.raises(error) as caught:
        ingest_bytes(data, name, store, _with(db_settings, **limits))
    assert message in caught.value.message
    assert caught.value.code != "ingest_error"  # a specific code the API can show
    assert store.documents.count() == 0
    assert blob_files(db_settings) == []


def test_a_failed_insert_leaves_no_blob(store: Store, db_settings: Settings,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    def broken_session():
        raise RuntimeError("database went away")

    monkeypatch.setattr(store.db, "session", broken_session)
    with pytest.raises(RuntimeError):
        ingest_bytes(fixtures.png_bytes(), "a.png", store, db_settings)
    assert blob_files(db_settings) == []
