"""Compare fields as a person would: dates as dates, amounts as amounts, names folded."""

from __future__ import annotations

from typing import Any

from agent.extraction.normalize import fold_text, parse_amount, parse_date


def normalize_field(name: str, value: Any) -> str | None:
    if value in (None, ""):
        return None
    text = str(value).strip()
    if name in ("total", "amount"):
        amount = parse_amount(text)
        return f"{amount:.2f}" if amount is not None else fold_text(text)
    if name == "date":
        parsed = parse_date(text)
        return parsed.isoformat() if parsed else fold_text(text)
    return fold_text(text)


def fields_match(name: str, predicted: Any, truth: Any) -> bool:
    return normalize_field(name, predicted) == normalize_field(name, truth)
