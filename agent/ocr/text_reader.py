"""The text reader for corpora (training, `papertrail index`): text files as they are, images
and PDFs through the cached `OcrService`, so re-training and re-indexing never re-OCR."""

from __future__ import annotations

import threading
from pathlib import Path

from agent.ocr.service import OcrService
from agent.settings import Settings
from classifiers.corpus import TEXT_SUFFIXES, TextReader, read_text_file


def ocr_text_reader(settings: Settings) -> TextReader:
    """A `TextReader` that starts the OCR service only when a file needs it; thread-safe."""
    service: OcrService | None = None
    lock = threading.Lock()

    def read(path: Path) -> str:
        nonlocal service
        if path.suffix.lower() in TEXT_SUFFIXES:
            return read_text_file(path)
        with lock:
            if service is None:
                service = OcrService(settings)
        return service.ocr_file(path).text

    return read
