"""The page signals the classifier reads, computed from a real OCR result and the stored bytes."""

from __future__ import annotations

from pathlib import Path

from agent.ocr.service import OcrService
from agent.ocr.signals import document_signals, first_page_image
from agent.settings import Settings
from classifiers.layout import LAYOUT_FEATURE_NAMES
from classifiers.page_image import FEATURES
from evals.samples import generate


def test_signals_of_a_scan_and_of_a_pdf(tmp_path: Path) -> None:
    [sample] = generate(tmp_path / "docs", n_per_class=1, seed=3, classes=("invoice",),
                        formats=("png", "pdf"))
    png, pdf = sample.files
    service = OcrService(Settings(data_dir=tmp_path / "var"))
    scan = document_signals(service.ocr_file(png), png.read_bytes())
    assert 45 < scan.ocr_confidence <= 100
    assert len(scan.layout) == len(LAYOUT_FEATURE_NAMES) and len(scan.thumbnail) == FEATURES
    layer = document_signals(service.ocr_file(pdf), pdf.read_bytes())
    assert layer.ocr_confidence == 100.0 and layer.layout is None  # a text layer has no boxes
    assert len(layer.thumbnail) == FEATURES  # rendered small from the PDF
    assert first_page_image(b"plain text, no image") is None
