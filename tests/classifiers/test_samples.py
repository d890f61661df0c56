"""The sample document generator: deterministic, labelled, readable."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from evals.samples import CLASSES, generate


def test_every_class_in_every_format_with_ground_truth(tmp_path: Path) -> None:
    samples = generate(tmp_path, n_per_class=2, seed=7, formats=("png", "pdf", "txt"))
    assert sorted({s.label for s in samples}) == sorted(CLASSES) and len(samples) == 16
    for s in samples:
        assert [f.suffix for f in s.files] == [".png", ".pdf", ".txt"]
        assert all(f.stat().st_size > 0 for f in s.files)
        truth = json.loads((tmp_path / s.label / f"{s.doc_id}.json").read_text())
        assert truth["label"] == s.label and truth["fields"] == s.fields and truth["text"]


def test_same_seed_same_bytes_other_seed_other_documents(tmp_path: Path) -> None:
    a = generate(tmp_path / "a", n_per_class=1, seed=3, classes=["invoice"])
    b = generate(tmp_path / "b", n_per_class=1, seed=3, classes=["invoice"])
    c = generate(tmp_path / "c", n_per_class=1, seed=4, classes=["invoice"])
    for fa, fb in zip(a[0].files, b[0].files, strict=True):
        assert fa.read_bytes() == fb.read_bytes(), fa.name
    assert a[0].fields != c[0].fields


def test_invoice_fields_are_consistent(tmp_path: Path) -> None:
    for s in generate(tmp_path, n_per_class=5, seed=11, classes=["invoice"], formats=("txt",)):
        f = s.fields
        assert round(sum(i["amount"] for i in f["line_items"]), 2) == f["subtotal"]
        assert round(f["subtotal"] + f["tax"], 2) == f["total"]
        assert f["invoice_number"] in s.text and f["vendor"] in s.text


def test_pdf_has_the_text_layer(tmp_path: Path) -> None:
    import pypdfium2 as pdfium

    sample = generate(tmp_path, n_per_class=1, seed=2, classes=["purchase_order"],
                      formats=("pdf",))[0]
    pdf = pdfium.PdfDocument(str(sample.files[0]))
    text = pdf[0].get_textpage().get_text_range()
    assert sample.fields["po_number"] in text and "PURCHASE ORDER" in text


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed")
def test_png_is_readable_by_ocr(tmp_path: Path) -> None:
    import pytesseract
    from PIL import Image

    sample = generate(tmp_path, n_per_class=1, seed=2, classes=["memo"], formats=("png",))[0]
    text = pytesseract.image_to_string(Image.open(sample.files[0]))
    assert sample.fields["from"].split()[1] in text


def test_unknown_format_or_class_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="formats"):
        generate(tmp_path, formats=("docx",))
    with pytest.raises(ValueError, match="classes"):
        generate(tmp_path, classes=("poem",))
