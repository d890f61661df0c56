"""OCR results: per page text, confidence, how it was obtained and how long it took, and the
word boxes layout features are computed from."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from classifiers.layout import PageLayout

PAGE_SEPARATOR = "\n\f\n"

Method = Literal["text_layer", "ocr", "plain_text"]

Box = tuple[str, float, int, int, int, int]
"""One word: text, confidence 0-100, left, top, width, height (pixels of the image OCR read)."""


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
    width: int = Field(0, description="Width in pixels of the image OCR read (after any "
                       "upscaling); 0 for text-layer and plain-text pages.")
    height: int = Field(0, description="Height in pixels of the image OCR read; 0 when none.")
    estimated_dpi: float | None = Field(
        None, description="Resolution estimated from an image page's pixel size (see "
        "`agent.ocr.pages.estimate_dpi`); None for PDF and text pages.")
    scale: float = Field(1.0, description="How much the page image was enlarged before OCR.")
    boxes: list[Box] = Field(
        default_factory=list, description="Word boxes [text, conf, left, top, width, height] "
        "in the coordinates of the `width` x `height` image; empty for pages not OCRed (and in "
        "cache entries written before boxes were kept).")

    def layout(self) -> PageLayout | None:
        """The page's word boxes for `classifiers.layout`; None when the page has no image."""
        if self.method != "ocr" or self.width <= 0 or self.height <= 0:
            return None
        return PageLayout(self.width, self.height, tuple(self.boxes))


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

    def layouts(self) -> list[PageLayout]:
        """The OCRed pages as `PageLayout`s (text-layer and plain-text pages have none)."""
        return [layout for page in self.pages if (layout := page.layout()) is not None]

    @property
    def mean_confidence(self) -> float:
        """Mean of the page confidences, weighted by words where pages were OCRed."""
        if not self.pages:
            return 0.0
        total_words = sum(p.words for p in self.pages)
        if total_words == 0:
            return sum(p.confidence for p in self.pages) / len(self.pages)
        return sum(p.confidence * p.words for p in self.pages) / total_words
