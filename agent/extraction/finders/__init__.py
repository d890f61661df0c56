"""One finder per field. Each takes the document's lines and returns a `Hit` or None.

Finders are deterministic and general: keywords in several languages, layout position,
company suffixes, the document's own web domain. They never know a particular vendor.
Document-type extractors (`agent.extraction.extractors`) combine them.
"""

from agent.extraction.finders.base import Hit
from agent.extraction.finders.currency import find_currency
from agent.extraction.finders.dates import find_date, is_date_line
from agent.extraction.finders.numbers import find_invoice_number
from agent.extraction.finders.parties import find_address, find_issuer_by_domain, find_vendor
from agent.extraction.finders.total import find_total

__all__ = [
    "Hit", "find_address", "find_currency", "find_date", "find_invoice_number",
    "find_issuer_by_domain", "find_total", "find_vendor", "is_date_line",
]
