"""Combine deterministic fields with the fields an LLM proposed while adjudicating.

The LLM's value for a field is used only when it validates after normalisation (a parseable
date, a positive amount, a known currency, a plausible identifier). It fills a gap; it replaces
a deterministic value only when it is *grounded* — found in the document text (when the text
is given) — so a hallucinated total cannot override a total printed on the page. Every value
taken from the LLM is recorded with provenance extractor 'llm' and the value it replaced.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from agent.extraction.models import FIELD_NAMES, ExtractedFields, FieldSource
from agent.extraction.normalize import (
    ISO_CODES,
    clean_value,
    currency_code,
    find_amounts,
    find_dates,
    fold_text,
    parse_amount,
    parse_date,
    same_amount,
)

ALIASES: dict[str, str] = {
    "vendor": "vendor", "company": "vendor", "issuer": "vendor", "seller": "vendor",
    "supplier": "vendor", "merchant": "vendor", "date": "date", "invoice_date": "date",
    "document_date": "date", "total": "total", "amount": "total", "total_amount": "total",
    "amount_due": "total", "currency": "currency", "invoice_number": "invoice_number",
    "invoice_no": "invoice_number", "number": "invoice_number", "receipt_number":
    "invoice_number", "address": "address", "vendor_address": "address",
}
_IDENTIFIER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9\-/_.# ]{0,63}$")


def _validate(field: str, raw: Any, day_first: bool) -> Any | None:
    """The normalised value, or None when `raw` does not validate for `field`."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if field == "date":
        return parse_date(raw if isinstance(raw, dt.date) else str(raw), day_first)
    if field == "total":
        value = parse_amount(raw if isinstance(raw, int | float | Decimal) else str(raw))
        return value if value is not None and value > 0 else None
    if field == "currency":
        code = currency_code(str(raw))
        return code if code in ISO_CODES else None
    text = clean_value(str(raw))
    if field == "invoice_number":
        return text if _IDENTIFIER.match(text) and any(c.isdigit() for c in text) else None
    return text if 2 <= len(text) <= 300 and any(c.isalpha() for c in text) else None


def _grounded(field: str, value: Any, text: str, day_first: bool) -> bool:
    """Whether `value` appears in the document text (after normalisation)."""
    if field == "date":
        return any(f.value == value for f in find_dates(text, day_first))
    if field == "total":
        amounts = [f.value for f in find_amounts(text)]
        return any(same_amount(a, value) for a in amounts)  # type: ignore[arg-type]
    if field == "currency":
        return True  # often implied (a symbol), checked by validation alone
    return fold_text(str(value)) in fold_text(text)


def _same(field: str, a: Any, b: Any) -> bool:
    if field == "total":
        return same_amount(a, b)
    if field in ("vendor", "address", "invoice_number"):
        return fold_text(str(a)) == fold_text(str(b))
    return a == b


def merge_fields(deterministic: ExtractedFields, llm_fields: Mapping[str, Any] | None, *,
                 text: str | None = None, day_first: bool = True) -> ExtractedFields:
    """`deterministic` with the LLM's valid fields filling gaps, and overriding disagreeing
    values only when grounded in `text` (always, when no text is given)."""
    if not llm_fields:
        return deterministic
    updates: dict[str, Any] = {}
    provenance = dict(deterministic.provenance)
    for key, raw in llm_fields.items():
        field = ALIASES.get(str(key).lower())
        if field is None or field not in FIELD_NAMES or field in updates:
            continue
        value = _validate(field, raw, day_first)
        if value is None:
            continue
        current = getattr(deterministic, field)
        if current is not None and _same(field, current, value):
            continue
        grounded = text is None or _grounded(field, value, text, day_first)
        if current is not None and not grounded:
            continue
        updates[field] = value
        provenance[field] = FieldSource(
            extractor="llm", rule="llm.grounded" if text is not None and grounded else "llm",
            snippet=str(raw)[:200], replaced=None if current is None else str(current),
        )
    if not updates:
        return deterministic
    return deterministic.model_copy(update={**updates, "provenance": provenance})


def llm_values(llm_fields: Mapping[str, Any] | None, day_first: bool = True) -> dict[str, Any]:
    """The LLM's fields that validate, normalised and under our field names (first alias wins):
    what it read, for comparison with the other sources."""
    out: dict[str, Any] = {}
    for key, raw in (llm_fields or {}).items():
        field = ALIASES.get(str(key).lower())
        if field in FIELD_NAMES and field not in out:
            value = _validate(field, raw, day_first)
            if value is not None:
                out[field] = value
    return out
