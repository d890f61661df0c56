"""Corpus readers (training, `papertrail index`): text files as they are, images and PDFs
through the cached `OcrService`, so re-training and re-indexing never re-OCR."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from agent.ocr.models import OcrResult
from agent.ocr.service import OcrService
from agent.ocr.signals import document_signals
from agent.settings import Settings
from classifiers.corpus import TEXT_SUFFIXES, TextReader, read_text_file
from classifiers.signals import DocumentSignals, ReadDocument


def _lazy_ocr(settings: Settings) -> Callable[[Path], OcrResult]:
    """OCR of one file by a service started only when a file needs it; thread-safe."""
    service: OcrService | None = None
    lock = threading.Lock()

    def ocr(path: Path) -> OcrResult:
        nonlocal service
        with lock:
            if service is None:
                service = OcrService(settings)
        return service.ocr_file(path)

    return ocr


def ocr_text_reader(settings: Settings) -> TextReader:
    """A `TextReader` returning the text alone."""
    ocr = _lazy_ocr(settings)

    def read(path: Path) -> str:
        if path.suffix.lower() in TEXT_SUFFIXES:
            return read_text_file(path)
        return ocr(path).text

    return read


def ocr_document_reader(settings: Settings) -> TextReader:
    """A `TextReader` returning the text with the page signals the classifier reads, computed
    the way the graph computes them for an upload."""
    ocr = _lazy_ocr(settings)

    def read(path: Path) -> ReadDocument:
        if path.suffix.lower() in TEXT_SUFFIXES:
            return ReadDocument(read_text_file(path), DocumentSignals(ocr_confidence=100.0))
        result = ocr(path)
        return ReadDocument(result.text, document_signals(result, path.read_bytes()))

    return read
