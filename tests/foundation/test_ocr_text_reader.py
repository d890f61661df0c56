"""Image and PDF corpora go through the project's OCR text reader, with its cache."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from agent.ocr.text_reader import ocr_text_reader
from agent.settings import Settings
from classifiers.corpus import load_corpus
from evals.samples import generate

pytestmark = pytest.mark.skipif(shutil.which("tesseract") is None,
                                reason="tesseract is not installed")


def test_png_and_pdf_corpus_is_read_through_cached_ocr(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    generate(docs / "png", n_per_class=1, seed=4, classes=["invoice", "memo"], formats=("png",))
    generate(docs / "pdf", n_per_class=1, seed=4, classes=["invoice", "memo"], formats=("pdf",))
    csv = docs / "labels.csv"
    rows = [f"{p.relative_to(docs)},{p.parent.name}" for p in sorted(docs.rglob("*"))
            if p.suffix in (".png", ".pdf")]
    csv.write_text("path,label\n" + "\n".join(rows) + "\n")
    settings = Settings(data_dir=tmp_path / "var", ocr_workers=1)
    corpus = load_corpus(csv, ocr_text_reader(settings), progress=False)
    assert len(corpus) == 4
    for doc in corpus.documents:
        word = "INVOICE" if doc.label == "invoice" else "SUBJECT"
        assert word.lower() in doc.text.lower(), (doc.source, doc.text[:200])
    cached = list((settings.cache_dir / "ocr").rglob("*.json"))
    assert len(cached) == 4
    again = load_corpus(csv, ocr_text_reader(settings), progress=False)
    assert again.content_hash() == corpus.content_hash()


def test_text_files_are_read_as_they_are_without_starting_ocr(tmp_path: Path) -> None:
    memo = tmp_path / "memo.md"
    memo.write_bytes(b"\xef\xbb\xbfMEMO\nTo: all staff \xff\n")
    read = ocr_text_reader(Settings(data_dir=tmp_path / "var"))
    assert read(memo) == "\ufeffMEMO\nTo: all staff \ufffd\n"  # what training always read
    assert not (tmp_path / "var" / "cache" / "ocr").exists()
