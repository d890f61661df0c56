"""The page signals a classifier reads besides the text, from one document's OCR result."""

from __future__ import annotations

from agent.ocr.models import OcrResult
from classifiers.layout import layout_features
from classifiers.signals import DocumentSignals


def document_signals(result: OcrResult) -> DocumentSignals:
    """OCR confidence and layout features, as the graph and training both compute them."""
    layouts = [layout for page in result.pages if (layout := _layout(page)) is not None]
    layout = tuple(round(float(v), 5) for v in layout_features(layouts)) if layouts else None
    return DocumentSignals(ocr_confidence=round(result.mean_confidence, 2), layout=layout)


def _layout(page):  # until PageText.layout() lands with the word boxes
    from classifiers.layout import PageLayout

    width, height = getattr(page, "width", 0), getattr(page, "height", 0)
    if page.method != "ocr" or not width or not height:
        return None
    return PageLayout(width, height, tuple(tuple(b) for b in page.boxes))
