"""The currency: printed on the total's line, else the most frequent symbol or code."""

from __future__ import annotations

from collections import Counter

from agent.extraction.finders.base import Hit
from agent.extraction.layout import Line
from agent.extraction.normalize import find_currencies


def find_currency(lines: list[Line], total: Hit | None = None) -> Hit | None:
    """The currency printed on the total's line, else the most frequent one in the text."""
    if total is not None:
        on_total = find_currencies(total.line.text)
        if on_total:
            return Hit(on_total[0].value, "currency.total_line", total.line)
    counts: Counter[str] = Counter()
    first_line: dict[str, Line] = {}
    for line in lines:
        for found in find_currencies(line.text):
            code = str(found.value)
            counts[code] += 1
            first_line.setdefault(code, line)
    if not counts:
        return None
    code, _ = counts.most_common(1)[0]
    return Hit(code, "currency.most_frequent", first_line[code])
