"""A stored document's page n as a PNG, rendered once and kept on disk
(`CACHE_DIR/pages/<id>/<n>-<dpi>.png`): PDFs with pypdfium2 (under the PDFium lock), images
with Pillow (a TIFF's frame n). Plain-text documents have no page image."""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image

from agent.filetypes import DocType
from agent.pdfium_lock import PDFIUM_LOCK
from agent.settings import Settings
from agent.store import Document, Store
from papertrail.errors import PapertrailError

MAX_PIXELS = 12_000_000  # a page image for a screen, not for OCR


class NoPageImageError(PapertrailError):
    code = "page_not_found"
    kind = "not_found"


class PageImages:
    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.root = settings.cache_dir / "pages"
        self.dpi = settings.ui.page_dpi

    def path(self, document: Document, number: int) -> Path:
        """The PNG of page `number` (1-based), rendered now if it is not cached yet."""
        if document.detected_type == DocType.TEXT:
            raise NoPageImageError(f"Document {document.id[:12]} is plain text: it has no page "
                                   "images. GET /documents/{id}/original returns the text.")
        if not 1 <= number <= document.page_count:
            raise NoPageImageError(f"Document {document.id[:12]} has {document.page_count} "
                                   f"page(s); page {number} does not exist.")
        target = self.root / document.id[:2] / document.id / f"{number}-{self.dpi}.png"
        if not target.is_file():
            png = self._render(document, number)
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as handle:
                handle.write(png)
            os.replace(tmp, target)  # concurrent renders of one page: the last rename wins
        return target

    def _render(self, document: Document, number: int) -> bytes:
        data = self.store.blobs.get(document.id)
        if document.detected_type == DocType.PDF:
            image = _pdf_page(data, number - 1, self.dpi)
        else:
            with Image.open(io.BytesIO(data)) as source:
                source.seek(number - 1)
                image = source.convert("L" if source.mode in ("1", "L", "I;16") else "RGB")
        if image.width * image.height > MAX_PIXELS:
            image.thumbnail((4000, 4000))
        out = io.BytesIO()
        image.save(out, format="PNG", optimize=False, compress_level=6)
        return out.getvalue()


def _pdf_page(data: bytes, index: int, dpi: int) -> Image.Image:
    with PDFIUM_LOCK:
        pdf = pdfium.PdfDocument(data)
        try:
            page = pdf[index]
            try:
                width, height = page.get_size()
                scale = dpi / 72
                if width * height * scale * scale > MAX_PIXELS:
                    scale = (MAX_PIXELS / (width * height)) ** 0.5
                bitmap = page.render(scale=scale)
                try:
                    return bitmap.to_pil().convert("RGB")
                finally:
                    bitmap.close()
            finally:
                page.close()
        finally:
            pdf.close()
