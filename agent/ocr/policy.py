"""Which engine reads which page (`PAPERTRAIL_OCR_POLICY`).

- `tesseract`: the engine of `Settings.ocr` (Tesseract unless configured otherwise) reads all.
- `rapidocr`: RapidOCR (`Settings.rapidocr`) reads every page.
- `auto` (default): the first engine reads every page — the classifier needs text for every
  document and Tesseract is ~4x faster — and the OCR'd pages of documents classified as a type
  with key fields (receipts, invoices) are read a second time by RapidOCR at extraction, where
  a wrong total costs money. The second reader is built on its first such document.
"""

from __future__ import annotations

import threading
from collections.abc import Collection

from agent.ocr.models import OcrEngineInfo, OcrResult
from agent.ocr.options import OcrOptions
from agent.ocr.respace import respace
from agent.settings import Settings

KEY_FIELD_TYPES = ("receipt", "invoice")
"""Document types whose key fields (total, date, issuer) decide money."""


def primary_options(settings: Settings) -> OcrOptions:
    """The options of the engine that reads every page under the settings' policy."""
    return settings.rapidocr if settings.ocr_policy == "rapidocr" else settings.ocr


class SecondReader:
    """The `auto` policy's second reading: RapidOCR on the OCR'd pages of key-field types."""

    def __init__(self, settings: Settings, types: Collection[str] = KEY_FIELD_TYPES) -> None:
        self.settings = settings.model_copy(update={"ocr": settings.rapidocr,
                                                    "ocr_policy": "tesseract"})
        self.types = tuple(types)
        self._service = None
        self._lock = threading.Lock()

    @property
    def engine_kind(self) -> str:
        return self.settings.ocr.kind

    def reason(self, label: str | None, first: OcrResult) -> str | None:
        """Why this document is read again, or None when it is not."""
        if label not in self.types or first.engine.name == self.engine_kind:
            return None
        if not any(page.method == "ocr" and not page.error for page in first.pages):
            return None  # text layers and plain text are exact already
        return (f"policy auto: {label} pages are read again by {self.engine_kind} for their "
                "key fields")

    def read(self, data: bytes, filename: str, first: OcrResult) -> OcrResult:
        """The second engine's reading (cached like any OCR result), with the spaces between
        words it ran together taken from the first reading (`agent.ocr.respace`)."""
        from agent.ocr.service import OcrService

        with self._lock:
            if self._service is None:
                self._service = OcrService(self.settings)
        return respace(self._service.ocr_bytes(data, filename), first)


def primary_engine_info(settings: Settings) -> OcrEngineInfo:
    """Name, version and options of the engine that reads every page (bundles record it)."""
    from agent.ocr.engines import create_engine

    return create_engine(primary_options(settings)).info()


def second_reader(settings: Settings) -> SecondReader | None:
    """The second reader the policy asks for (only `auto` has one)."""
    return SecondReader(settings) if settings.ocr_policy == "auto" else None
