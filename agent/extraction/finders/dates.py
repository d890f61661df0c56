"""The document date: a date on a date-labelled line, else the first valid date."""

from __future__ import annotations

import re

from agent.extraction.finders.base import Hit
from agent.extraction.layout import Line
from agent.extraction.normalize import find_dates

_DATE_LABEL = re.compile(
    r"(?:invoice|bill|receipt|doc(?:ument)?|issue|tax\s*invoice)?\s*date|dated|datum|"
    r"date\s*de\s*(?:la\s*)?facture|rechnungsdatum|factuurdatum|data\s*wystawienia|tarikh",
    re.IGNORECASE,
)
_OTHER_DATE = re.compile(
    r"due|expir|valid|deliver|livraison|leverings?|order|check[\s-]?(?:in|out)|f[äa]llig|"
    r"vervaldatum|[ée]ch[ée]ance|limite|paiement|payment|termin|period|from|to\b|birth|start|end",
    re.IGNORECASE,
)


def find_date(lines: list[Line], day_first: bool = True) -> Hit | None:
    """A date on a line labelled as the document date, else the first valid date."""
    first: Hit | None = None
    for line in lines:
        dates = find_dates(line.text, day_first)
        if not dates:
            continue
        value = dates[0].value
        if first is None:
            first = Hit(value, "date.first", line)
        label = _DATE_LABEL.search(line.text)
        if label and not _OTHER_DATE.search(line.text[: dates[0].start]):
            return Hit(value, "date.labelled", line)
    return first


def is_date_line(line: Line, day_first: bool = True) -> bool:
    return bool(find_dates(line.text, day_first))
