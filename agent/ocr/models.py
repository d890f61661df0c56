"""OCR results: per page text, confidence, how it was obtained and how long it took."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

PAGE_SEPARATOR = "\n\f\n"

Method = Literal["text_layer", "ocr", "plain_text"]


class PageText(BaseModel):
    page: int = Field(description="1-based page number.")
    text: str
    confidence: float = Field(
        description="Mean word confidence of the OCR engine, 0-100. Text layers and plain text "
        "are 100."
    )
    method: Method
    seconds: float = Field(description="Time to obtain this page's text (render + OCR).")
    words: int = 0
    error: str | None = Field(None, description="Why this page has no text (e.g. a timeout).")


class OcrEngineInfo(BaseModel):
    """The engine that read a document's `ocr` pages: enough to reproduce the text."""

    name: str = Field(description="The engine's kind, e.g. 'tesseract'.")
    version: str
    options: dict[str, Any] = Field(
        description="Every option it ran with: its own and the shared ones (dpi, "
        "text_layer_min_chars)."
    )


class OcrResult(BaseModel):
    sha256: str
    pages: list[PageText]
    engine: OcrEngineInfo
    cache_key: str
    cached: bool = False
    seconds: float = 0.0

    @property
    def text(self) -> str:
        return PAGE_SEPARATOR.join(page.text for page in self.pages)

    @property
    def mean_confidence(self) -> float:
        """Mean of the page confidences, weighted by words where pages were OCRed."""
        if not self.pages:
            return 0.0
        total_words = sum(p.words for p in self.pages)
        if total_words == 0:
            return sum(p.confidence for p in self.pages) / len(self.pages)
        return sum(p.confidence * p.words for p in self.pages) / total_words
