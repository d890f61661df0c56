"""Deterministic extractors per document type, behind one registry.

An extractor is a callable `(text, options) -> ExtractedFields`. Register new types with
`@register("purchase_order")`; `extract_fields` looks the type up and returns an empty model
for types without fields.
"""

from __future__ import annotations

from collections.abc import Callable

from pydantic import BaseModel, Field

from agent.extraction.checks import paid_subtotal
from agent.extraction.finders import (
    Hit,
    find_address,
    find_currency,
    find_date,
    find_invoice_number,
    find_issuer_by_domain,
    find_total,
    find_vendor,
)
from agent.extraction.layout import split_lines
from agent.extraction.models import ExtractedFields, FieldSource


class ExtractionOptions(BaseModel):
    """Knobs of the deterministic extractors (data, passed in; no globals)."""

    day_first: bool = Field(True, description="Read ambiguous numeric dates as day/month.")
    header_lines: int = Field(6, ge=1, description="Top lines searched for the vendor name.")
    max_address_lines: int = Field(5, ge=1, description="Most lines joined into an address.")


TypeExtractor = Callable[[str, ExtractionOptions], ExtractedFields]
"""The extractor of one document type: text -> its fields (registered with `@register`)."""
_REGISTRY: dict[str, TypeExtractor] = {}


def register(doc_type: str) -> Callable[[TypeExtractor], TypeExtractor]:
    """Decorator: make `fn` the extractor for `doc_type` (replacing any earlier one)."""

    def wrap(fn: TypeExtractor) -> TypeExtractor:
        _REGISTRY[doc_type] = fn
        return fn

    return wrap


def registered_types() -> list[str]:
    return sorted(_REGISTRY)


def extract_fields(doc_type: str, text: str,
                   options: ExtractionOptions | None = None) -> ExtractedFields:
    """Fields of a `doc_type` document from its text; an empty model for unknown types."""
    extractor = _REGISTRY.get(doc_type)
    if extractor is None or not text.strip():
        return ExtractedFields(doc_type=doc_type)
    return extractor(text, options or ExtractionOptions())


def _source(extractor: str, hit: Hit) -> FieldSource:
    return FieldSource(extractor=extractor, rule=hit.rule, snippet=hit.line.text,
                       line=hit.line.index)


def _key_fields(name: str, text: str, options: ExtractionOptions,
                issuer_by_domain: bool = False) -> ExtractedFields:
    """The shared recipe: every finder once, each hit recorded with its provenance."""
    lines = split_lines(text)
    vendor = find_vendor(lines, options.header_lines)
    if issuer_by_domain and (vendor is None or vendor.rule != "vendor.labelled"):
        vendor = find_issuer_by_domain(lines) or vendor
    total = find_total(lines)
    if total is None and (paid := paid_subtotal(lines)):
        total = Hit(paid[0], "total.subtotal_paid", paid[1])
    hits: dict[str, Hit | None] = {
        "vendor": vendor,
        "date": find_date(lines, options.day_first),
        "total": total,
        "currency": find_currency(lines, total),
        "invoice_number": find_invoice_number(lines),
        "address": find_address(lines, vendor, options.max_address_lines, options.day_first),
    }
    found = {field: hit for field, hit in hits.items() if hit is not None}
    return ExtractedFields(
        doc_type=name,
        provenance={field: _source(name, hit) for field, hit in found.items()},
        **{field: hit.value for field, hit in found.items()},
    )


@register("receipt")
def extract_receipt(text: str, options: ExtractionOptions) -> ExtractedFields:
    return _key_fields("receipt", text, options)


@register("invoice")
def extract_invoice(text: str, options: ExtractionOptions) -> ExtractedFields:
    return _key_fields("invoice", text, options, issuer_by_domain=True)
