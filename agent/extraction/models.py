"""The extraction result: typed, normalised fields plus where each one came from (for lineage)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field

FieldName = Literal["vendor", "date", "total", "currency", "invoice_number", "address"]
FIELD_NAMES: tuple[FieldName, ...] = (
    "vendor", "date", "total", "currency", "invoice_number", "address",
)

EXTRACTOR_VERSION = "extract-2026.12.1"
"""Bump when a rule changes the output for the same text; lineage records it."""


class FieldSource(BaseModel):
    """Provenance of one field value."""

    extractor: str = Field(description="Who produced it: e.g. 'receipt', 'invoice' or 'llm'.")
    rule: str = Field(description="Which pattern or heuristic matched, e.g. 'total.keyword'.")
    snippet: str = Field("", description="The source text the value was read from.")
    line: int | None = Field(None, description="0-based line index in the text, when known.")
    replaced: str | None = Field(
        None, description="The earlier value this one overrode (merges only), as a string."
    )


class ExtractedFields(BaseModel):
    """Normalised key fields of a business document. Every field is optional."""

    vendor: str | None = Field(None, description="Issuer / company name as printed.")
    date: dt.date | None = Field(None, description="Document date (serialises as YYYY-MM-DD).")
    total: Decimal | None = Field(None, description="Amount payable, tax included.")
    currency: str | None = Field(None, description="ISO 4217 code, e.g. 'EUR', 'MYR'.")
    invoice_number: str | None = None
    address: str | None = Field(None, description="Issuer address, lines joined by spaces.")
    provenance: dict[str, FieldSource] = Field(
        default_factory=dict, description="Field name -> where its value came from."
    )
    doc_type: str | None = None
    extractor_version: str = EXTRACTOR_VERSION

    def values(self) -> dict[str, object]:
        """Only the field values (no provenance), JSON-friendly."""
        data = self.model_dump(mode="json", include=set(FIELD_NAMES))
        return {name: data[name] for name in FIELD_NAMES}

    def missing(self) -> list[str]:
        return [name for name in FIELD_NAMES if getattr(self, name) is None]


class FieldEvidence(BaseModel):
    """Where one field's value came from, who else read it, and how far to trust it."""

    value: object = Field(description="The value as JSON (the field's chosen value).")
    engine: str | None = Field(None, description="The reading the value was taken from: an "
                               "OCR engine ('tesseract', 'rapidocr'), 'text_layer', 'text' or "
                               "'llm'.")
    page: int | None = Field(None, description="1-based page of its source words.")
    bbox: list[int] | None = Field(None, description="[left, top, width, height] of its source "
                                   "words in that page's OCR image (pixels), or on a PDF "
                                   "text-layer page (tenths of a point); None for plain text.")
    image_size: list[int] | None = Field(None, description="[width, height] of the image `bbox` "
                                         "is in: each engine may read a differently scaled page.")
    rule: str | None = Field(None, description="The extractor rule that matched.")
    finder: str | None = Field(None, description="Which finder produced the value: 'lines' "
                               "(text-line finders), 'layout' (label/value pairing on word "
                               "boxes) or 'llm'.")
    finders: dict[str, object] = Field(default_factory=dict, description="Each finder's own "
                                       "value in the value's reading (with layout pairing).")
    word_confidence: float | None = Field(None, description="Least confident source word, 0-1 "
                                          "(1 for text layers); None when not located.")
    sources: dict[str, object] = Field(default_factory=dict, description="Each source's own "
                                       "value: every reading's extractor, and the LLM's.")
    agreement: str = Field("single", description="'agree' (every source that read a value "
                           "read this one), 'disagree', or 'single' (one source).")
    checks: dict[str, bool | None] = Field(default_factory=dict, description="Cross-field "
                                           "checks speaking for this field and their outcome.")
    doubts: list[str] = Field(default_factory=list, description="Known ways this value may "
                              "be wrong that the sources' agreement cannot rule out "
                              "(agent.extraction.vendor_doubts); each caps the confidence.")
    repairs: list[str] = Field(default_factory=list, description="OCR misreadings put right in "
                               "the value, as 'read -> written' (receipt addresses: "
                               "agent.extraction.address_words).")
    confidence: float = Field(description="0-1, from the word confidence, the agreement, "
                              "the checks and the doubts (agent.extraction.confidence).")
