"""End to end on a page rendered by the project: real Tesseract, then the invoice extractor."""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal

import pytest

from agent.extraction import extract_fields
from agent.ocr import OcrService
from agent.settings import Settings
from evals import fixtures

pytestmark = pytest.mark.skipif(shutil.which("tesseract") is None,
                                reason="Tesseract is not installed (make install)")


def test_invoice_fields_from_tesseract(tmp_path) -> None:
    ocr = OcrService(Settings(data_dir=tmp_path, ocr_workers=1), use_cache=False)
    text = ocr.ocr_bytes(fixtures.png_bytes(), "invoice.png").text
    fields = extract_fields("invoice", text)
    assert fields.invoice_number == "INV-20417"
    assert fields.date == dt.date(2026, 3, 14)
    assert fields.total == Decimal("1165.50")
    assert fields.currency == "EUR"
    assert fields.vendor == "ACME Industrial Supplies Ltd"
    assert fields.address and "Harbour Road" in fields.address
