"""Fit a long document into a fixed token budget: keep its head and its tail.

The first lines of a business document (letterhead, title, "INVOICE", "MEMORANDUM") and its
last lines (signature, totals, "Sincerely") carry most of its type; the middle is cut.
"""

from __future__ import annotations

from collections.abc import Sequence


def head_tail(ids: Sequence[int], budget: int, head_fraction: float = 0.75) -> list[int]:
    """Keep `budget` ids: the first `head_fraction` of the budget and the rest from the end."""
    if budget <= 0:
        return []
    if len(ids) <= budget:
        return list(ids)
    head = round(budget * head_fraction)
    tail = budget - head
    return list(ids[:head]) + (list(ids[-tail:]) if tail else [])
