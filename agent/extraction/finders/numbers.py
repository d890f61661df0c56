"""The invoice / receipt / bill number after its label, in several languages."""

from __future__ import annotations

import re

from agent.extraction.finders.base import Hit
from agent.extraction.layout import Line

_LABEL = (
    r"(?P<label>(?:tax\s*)?invoice|inv|bill|receipt|rcpt|cash\s*(?:sale|bill)|doc(?:ument)?|"
    r"facture|factuur|rechnung|faktura|fattura|order|booking|transaction|trans|trx|"
    r"ref(?:erence)?|slip|cs|check|chk|table)"
    r"s?\s*(?:nummer|number|numero|num|nbr|nr|no|n[ºo°]|#|id)\.?"
)
_VALUE = r"(?=[A-Z0-9\-/_.:]*\d)(?P<value>[A-Z0-9][A-Z0-9\-/_.:]{0,30}[A-Z0-9]|[0-9])"
_NUMBER_LABEL = re.compile(_LABEL + r"\s*[:#.]?\s*(?:[:#]\s*)?" + _VALUE, re.IGNORECASE)
_LABEL_ALONE = re.compile(r"^" + _LABEL + r"\s*[:#.]*$", re.IGNORECASE)
_VALUE_ALONE = re.compile(r"^[:#\s]*" + _VALUE + r"$", re.IGNORECASE)
_NUMBER_LABEL_BARE = re.compile(
    r"(?P<label>invoice|facture|factuur|rechnung|faktura)(?:\s*[:#]\s*|\s+)"
    r"(?=[A-Z0-9\-/_.]*\d)(?P<value>[A-Z0-9][A-Z0-9\-/_.]{2,30}[A-Z0-9])(?![\w/-])",
    re.IGNORECASE,
)
_LABEL_PRIORITY = {"invoice": 0, "inv": 0, "tax invoice": 0, "facture": 0, "factuur": 0,
                   "rechnung": 0, "faktura": 0, "fattura": 0, "bill": 1, "receipt": 1,
                   "rcpt": 1, "document": 2, "doc": 2}


def find_invoice_number(lines: list[Line]) -> Hit | None:
    """The identifier after 'Invoice No', 'Bill No', 'Receipt #', 'Factuurnummer', ...
    Invoice labels beat receipt/bill labels, which beat document/order/reference labels."""
    best: tuple[int, int, Hit] | None = None

    def consider(label: str, raw: str, line: Line, rule: str) -> None:
        nonlocal best
        value = raw.strip(".:-/")
        if not value or not any(c.isdigit() for c in value):
            return
        label = re.sub(r"\s+", " ", label.lower())
        rank = _LABEL_PRIORITY.get(label, 3)
        if best is None or (rank, line.index) < best[:2]:
            best = (rank, line.index, Hit(value, f"invoice_number.{label}{rule}", line))

    for i, line in enumerate(lines):
        for pattern in (_NUMBER_LABEL, _NUMBER_LABEL_BARE):
            for m in pattern.finditer(line.text):
                consider(m["label"], m["value"], line, "")
        alone = _LABEL_ALONE.match(line.text)
        below = _VALUE_ALONE.match(lines[i + 1].text) if alone and i + 1 < len(lines) else None
        if alone and below:  # 'Booking ID' with 'IBZY2087' on the next line
            consider(alone["label"], below["value"], lines[i + 1], "_next_line")
    return best[2] if best else None
