"""OCR: PDF text layers via pypdfium2, an OCR engine (Tesseract by default) for scanned pages.

`OcrService` is imported on first use: `agent.settings` composes `agent.ocr.options`, and the
service in turn needs the settings module.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from agent.ocr.models import PAGE_SEPARATOR, OcrEngineInfo, OcrResult, PageText

if TYPE_CHECKING:
    from agent.ocr.service import OcrService

__all__ = ["PAGE_SEPARATOR", "OcrEngineInfo", "OcrResult", "OcrService", "PageText"]


def __getattr__(name: str) -> Any:
    if name == "OcrService":
        from agent.ocr.service import OcrService

        return OcrService
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
