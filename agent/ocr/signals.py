"""The page signals a classifier reads besides the text, from one document's OCR result."""

from __future__ import annotations

from agent.ocr.models import OcrResult
from classifiers.layout import layout_features
from classifiers.signals import DocumentSignals


def document_signals(result: OcrResult) -> DocumentSignals:
    """OCR confidence and layout features, as the graph and training both compute them."""
    layouts = result.layouts()
    layout = tuple(round(float(v), 5) for v in layout_features(layouts)) if layouts else None
    return DocumentSignals(ocr_confidence=round(result.mean_confidence, 2), layout=layout)
