"""Layout pairing on invoices in column layouts the project generates (evals.samples.
invoice_layouts): from a born-digital PDF's text-layer word boxes and from real Tesseract on the
rendered page; how it is combined with the text-line finders, and what the evidence says."""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from agent.extraction.confidence import field_confidence
from agent.extraction.document import read_fields, reading_of
from agent.extraction.finders.pairs import Pair
from agent.extraction.models import ExtractedFields, FieldSource
from agent.extraction.pairing import (
    BUYERS,
    LAYOUT_TYPES,
    combine,
    layout_pairs,
    line_strength,
)
from agent.extraction.words import page_cells
from agent.ocr import OcrService
from agent.ocr.models import OcrEngineInfo, OcrResult
from agent.ocr.pdf_words import text_layer_words, with_text_layer_words
from agent.settings import Settings
from evals import fixtures
from evals.samples.invoice_layouts import LAYOUTS, build_column_invoice
from evals.samples.render import render_pdf, render_png

KEY = ("invoice_number", "date", "total", "vendor")


def _truth(fields: dict) -> dict[str, object]:
    return {"invoice_number": fields["invoice_number"],
            "date": dt.date.fromisoformat(fields["date"]),
            "total": Decimal(str(fields["total"])).quantize(Decimal("0.01")),
            "vendor": fields["vendor"]}


def _result(pages: list, name: str = "text_layer") -> OcrResult:
    return OcrResult(sha256="x", pages=pages, cache_key="k",
                     engine=OcrEngineInfo(name=name, version="1", options={}))


def _paired(result: OcrResult) -> dict[str, object]:
    found = layout_pairs(result)
    return {k: (p.value.quantize(Decimal("0.01")) if isinstance(p.value, Decimal) else p.value)
            for k, p in found.items() if k != BUYERS}


@pytest.mark.parametrize("index", range(6))  # each layout twice, other labels and fonts
def test_text_layer_pdf_pairs_every_key_field_in_each_layout(tmp_path: Path, index: int) -> None:
    page, fields = build_column_invoice(index, seed=3)
    path = tmp_path / "invoice.pdf"
    render_pdf(page, path)
    words = text_layer_words(path.read_bytes(), {1})
    assert words and words[0].boxes
    paired = _paired(_result(words))
    assert paired == _truth(fields), (fields["layout"], fields["labels"])
    assert paired["vendor"] != fields["customer"]  # never the 'Bill to' block
    buyers = layout_pairs(_result(words))[BUYERS].value
    assert fields["customer"].upper().replace(" ", "").replace(".", "") in buyers


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="Tesseract is not installed")
def test_tesseract_words_pair_the_column_layouts(tmp_path: Path) -> None:
    ocr = OcrService(Settings(data_dir=tmp_path, ocr_workers=1), use_cache=False)
    for index in range(len(LAYOUTS)):
        page, fields = build_column_invoice(index, seed=5)
        path = tmp_path / f"invoice-{index}.png"
        render_png(page, path, np.random.default_rng(index), dpi=200, noise=False)
        result = ocr.ocr_file(path)
        paired = _paired(result)
        truth = _truth(fields)
        for name in ("invoice_number", "date", "total"):
            assert paired.get(name) == truth[name], (fields["layout"], name, paired)
        found = read_fields([reading_of("invoice", "tesseract", result)])
        assert found.fields.invoice_number == truth["invoice_number"]
        evidence = found.evidence["invoice_number"]
        assert evidence.bbox and evidence.page == 1 and evidence.finders


def test_header_row_value_is_read_below_its_label_not_from_a_neighbour(tmp_path: Path) -> None:
    page, fields = build_column_invoice(1, seed=0)  # header_row
    assert fields["layout"] == "header_row"
    path = tmp_path / "invoice.pdf"
    render_pdf(page, path)
    pages = page_cells(_result(text_layer_words(path.read_bytes(), {1})))
    found = layout_pairs(_result(text_layer_words(path.read_bytes(), {1})))
    assert found["invoice_number"].rule == "pair.invoice_number.below"
    assert found["total"].rule == "pair.total.below"
    assert any(len(row) >= 4 for row in pages[0].rows)  # the header row is split into cells


def test_text_layer_reading_carries_a_page_box_and_finder_agreement(tmp_path: Path) -> None:
    data = fixtures.text_pdf_bytes([fixtures.INVOICE_LINES])
    ocr = OcrService(Settings(data_dir=tmp_path, ocr_workers=1), use_cache=False)
    result = ocr.ocr_bytes(data, "invoice.pdf")
    assert {p.method for p in result.pages} == {"text_layer"} and not result.pages[0].boxes
    result = with_text_layer_words(result, data)
    assert result.pages[0].boxes and result.pages[0].width == 5953  # A4 in tenths of a point
    found = read_fields([reading_of("invoice", "text_layer", result)])
    number = found.evidence["invoice_number"]
    assert found.fields.invoice_number == "INV-20417"
    assert number.bbox and number.image_size == [5953, 8419] and number.page == 1
    left, top, width, height = number.bbox
    assert 720 < left < 3000 and 0 < top < 2000 and 0 < width < 1500 and 0 < height < 200
    assert number.finders == {"lines": "INV-20417", "layout": "INV-20417"}
    assert number.sources == {"text_layer": "INV-20417"}  # readings; finders apart
    assert number.word_confidence == 1.0 and number.confidence == 1.0
    # Without the PDF's words the same reading has no pairing and no box.
    plain = read_fields([reading_of("invoice", "text_layer", ocr.ocr_bytes(data, "x.pdf"))])
    assert plain.evidence["invoice_number"].bbox is None
    assert plain.evidence["invoice_number"].finders == {}
    assert with_text_layer_words(result, b"not a pdf") is result


def _pair(field: str, value: object, strength: int) -> Pair:
    return Pair(field, value, f"pair.{field}.right", strength, "Label", 1, (1, 2, 3, 4),
                (100, 100), 1.0, (1, 0, 0))


def test_combine_takes_the_more_specific_label_and_records_the_layout_finder() -> None:
    lines = ExtractedFields(doc_type="invoice", vendor="ALEXINUX", invoice_number="12345",
                            provenance={
                                "vendor": FieldSource(extractor="invoice",
                                                      rule="vendor.first_line"),
                                "invoice_number": FieldSource(
                                    extractor="invoice", rule="invoice_number.invoice")})
    pairs = {"vendor": _pair("vendor", "NETPRESSE", 3),
             "invoice_number": _pair("invoice_number", "99", 3),
             "date": _pair("date", dt.date(2022, 11, 28), 1)}
    combined = combine(lines, pairs)
    assert combined.vendor == "NETPRESSE"  # labelled payee beats the first line
    assert combined.provenance["vendor"].extractor == "invoice.layout"
    assert combined.provenance["vendor"].replaced == "ALEXINUX"
    assert combined.invoice_number == "12345"  # a tie: the text-line finder keeps its value
    assert combined.date == dt.date(2022, 11, 28)  # a gap filled
    assert line_strength("total", "total.keyword.s3") == 3
    assert line_strength("invoice_number", "invoice_number.order") == 0
    assert "receipt" not in LAYOUT_TYPES  # receipts (SROIE) are untouched


def test_finders_agreeing_raise_and_disagreeing_lower_confidence() -> None:
    alone = field_confidence(0.8, 0, 0, [])
    assert field_confidence(0.8, 0, 0, [], finders_agreeing=1) == pytest.approx(0.9)
    assert field_confidence(0.8, 0, 0, [], finders_disagreeing=1) == pytest.approx(0.4)
    assert alone == pytest.approx(0.8)


def test_disagreeing_finders_halve_the_confidence_and_both_values_are_kept(
        tmp_path: Path) -> None:
    lines = ["Jonas Weber", "12 Mill Lane", "Invoice No: RE-2024-881", "Date: 2024-05-02",
             "Description Qty Amount", "Desk lamp 1 10.00", "Total due: EUR 10.00", "", "",
             "Cobalt Labs GmbH", "VAT ID: DE123456789"]
    data = fixtures.text_pdf_bytes([lines])
    ocr = OcrService(Settings(data_dir=tmp_path, ocr_workers=1), use_cache=False)
    result = with_text_layer_words(ocr.ocr_bytes(data, "x.pdf"), data)
    found = read_fields([reading_of("invoice", "text_layer", result)])
    vendor = found.evidence["vendor"]
    assert found.fields.vendor == "Cobalt Labs GmbH"  # the seller over its VAT id, not line 1
    assert vendor.finder == "layout" and vendor.rule == "pair.vendor.registration"
    assert vendor.finders == {"lines": "Jonas Weber", "layout": "Cobalt Labs GmbH"}
    assert vendor.confidence == 0.5  # below the invoice rule set's 0.8: a person looks
    assert found.fields.provenance["vendor"].extractor == "invoice.layout"
    number = found.evidence["invoice_number"]
    assert number.finders == {"lines": "RE-2024-881", "layout": "RE-2024-881"}
    assert number.confidence == 1.0


def test_a_value_cell_is_one_amount_or_none() -> None:
    from agent.extraction.finders.pairs import _amount
    from agent.extraction.words import Cell, Word

    def cell(text: str) -> Cell:
        return Cell(1, 0, tuple(Word(w, 90, 0, 0, 10, 10) for w in text.split()), (9, 9), False)

    assert _amount(cell("£12 ,675.52")) == Decimal("12675.52")  # Tesseract split the comma
    assert _amount(cell("€ 717,97")) == Decimal("717.97")
    assert _amount(cell("12 675.52")) is None  # two numbers: not a total
    assert _amount(cell("Net 30 days")) is None


def test_a_text_line_vendor_that_is_the_buyer_is_dropped_for_the_letterhead(
        tmp_path: Path) -> None:
    """The text-line finder takes the first name with a legal form in the header; when the
    seller's own suffix is misread that is the buyer's, under 'Bill to'."""
    lines = ["Silverline Textiles ple", "123 Church Road", "Invoice number: F-2023-55838",
             "Date: 2022-11-18", "Bill to:", "Apex Systems B.V.", "12 Mill Lane",
             "Total due: EUR 10.00"]
    data = fixtures.text_pdf_bytes([lines])
    ocr = OcrService(Settings(data_dir=tmp_path, ocr_workers=1), use_cache=False)
    result = with_text_layer_words(ocr.ocr_bytes(data, "x.pdf"), data)
    reading = reading_of("invoice", "text_layer", result)
    assert reading.lines_found is not None and reading.lines_found.vendor == "Apex Systems B.V."
    found = read_fields([reading])
    assert found.fields.vendor is None  # no issuer rather than the buyer: a person decides
    assert "APEXSYSTEMSBV" in reading.pairs[BUYERS].value
