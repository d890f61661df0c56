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

EXTRACTOR_VERSION = "extract-2026.11.1"
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
