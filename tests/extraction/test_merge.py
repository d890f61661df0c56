"""merge_fields: LLM fields fill gaps and override only when valid (and grounded)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from agent.extraction import ExtractedFields, FieldSource, merge_fields

TEXT = "ACME LTD\nInvoice No: A-17\nDate: 14/03/2026\nTotal due: EUR 1,165.50"


def _det() -> ExtractedFields:
    return ExtractedFields(
        vendor="ACME LTD", total=Decimal("1165.50"),
        provenance={"vendor": FieldSource(extractor="invoice", rule="vendor.suffix"),
                    "total": FieldSource(extractor="invoice", rule="total.keyword")},
    )


def test_llm_fills_gaps_after_normalisation() -> None:
    merged = merge_fields(_det(), {"date": "March 14, 2026", "currency": "€",
                                   "invoice_number": "A-17"}, text=TEXT)
    assert merged.date == dt.date(2026, 3, 14)
    assert merged.currency == "EUR"
    assert merged.invoice_number == "A-17"
    assert merged.provenance["date"].extractor == "llm"
    assert merged.provenance["date"].replaced is None
    assert merged.provenance["vendor"].extractor == "invoice"  # untouched


def test_invalid_llm_values_are_ignored() -> None:
    merged = merge_fields(_det(), {"date": "sometime", "total": "a lot", "currency": "XYZ",
                                   "invoice_number": "n/a", "address": "", "colour": "red"})
    assert merged == _det()


def test_grounded_llm_value_overrides_and_records_what_it_replaced() -> None:
    det = _det().model_copy(update={"total": Decimal("320.00")})
    merged = merge_fields(det, {"amount": "1.165,50"}, text=TEXT)
    assert merged.total == Decimal("1165.50")
    assert merged.provenance["total"].extractor == "llm"
    assert merged.provenance["total"].replaced == "320.00"


def test_ungrounded_llm_value_fills_no_override() -> None:
    merged = merge_fields(_det(), {"total": "9999.00", "issuer": "Evil Corp"}, text=TEXT)
    assert merged.total == Decimal("1165.50") and merged.vendor == "ACME LTD"


def test_agreeing_values_keep_deterministic_provenance() -> None:
    merged = merge_fields(_det(), {"company": "acme ltd.", "total": 1165.5}, text=TEXT)
    assert merged.provenance["vendor"].extractor == "invoice"
    assert merged.provenance["total"].extractor == "invoice"


def test_no_llm_fields() -> None:
    assert merge_fields(_det(), None) == _det()
    assert merge_fields(_det(), {}) == _det()
