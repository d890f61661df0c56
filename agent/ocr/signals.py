"""The page signals a classifier reads besides the text, from one document's OCR result and its
stored bytes: OCR confidence, layout features of the word boxes, a thumbnail of the first page."""

from __future__ import annotations

import io
import logging

from PIL import Image, UnidentifiedImageError

from agent.ocr.models import OcrResult
from agent.pdfium_lock import PDFIUM_LOCK
from classifiers.layout import layout_features
from classifiers.page_image import thumbnail_features
from classifiers.signals import DocumentSignals

log = logging.getLogger(__name__)
THUMBNAIL_DPI = 36  # plenty for a 96 x 96 thumbnail of a letter-size page


def document_signals(result: OcrResult, data: bytes | None = None) -> DocumentSignals:
    """As the graph and training both compute them (the thumbnail only when `data` is given)."""
    layouts = result.layouts()
    layout = tuple(round(float(v), 5) for v in layout_features(layouts)) if layouts else None
    thumbnail = None
    if data is not None and (image := first_page_image(data)) is not None:
        thumbnail = tuple(round(float(v), 4) for v in thumbnail_features(image))
    return DocumentSignals(ocr_confidence=round(result.mean_confidence, 2), layout=layout,
                           thumbnail=thumbnail)


def first_page_image(data: bytes) -> Image.Image | None:
    """The first page as an image (PNG, JPEG, TIFF, or a PDF rendered small); None for text."""
    if data[:5] == b"%PDF-":
        import pypdfium2 as pdfium

        try:
            with PDFIUM_LOCK:
                pdf = pdfium.PdfDocument(data)
                try:
                    page = pdf[0]
                    image = page.render(scale=THUMBNAIL_DPI / 72, grayscale=True).to_pil()
                    page.close()
                finally:
                    pdf.close()
            return image
        except (pdfium.PdfiumError, IndexError) as exc:
            log.warning("no thumbnail of a PDF: %s", exc)
            return None
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.seek(0)
            return image.convert("L")
    except (UnidentifiedImageError, OSError, ValueError):
        return None
