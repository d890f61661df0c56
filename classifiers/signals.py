"""What a classifier reads besides the text: the page signals OCR measured.

The agent computes them when it reads a document (OCR confidence, layout features from the word
boxes); training reads them from the same OCR cache, so a bundle sees in production exactly the
signals it was fitted on.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field


class DocumentSignals(BaseModel):
    """Page signals of one document; every field may be missing (e.g. a plain-text upload)."""

    model_config = ConfigDict(frozen=True)

    ocr_confidence: float | None = Field(
        None, description="Mean OCR word confidence, 0-100 (100 for text layers).")
    layout: tuple[float, ...] | None = Field(
        None, description="`classifiers.layout.layout_features` of the document's OCR pages.")
    thumbnail: tuple[float, ...] | None = Field(
        None, description="`classifiers.page_image.thumbnail_features` of the first page.")


NO_SIGNALS = DocumentSignals()


@dataclass(frozen=True)
class ReadDocument:
    """A document file as a corpus reader returns it: its text and its page signals."""

    text: str
    signals: DocumentSignals = NO_SIGNALS
