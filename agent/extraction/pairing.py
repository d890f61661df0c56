"""Layout pairing as a second finder beside the text-line finders, for document types whose
fields sit in column layouts (invoices).

Per field the two finders' values are compared. Agreement is evidence (it raises the field's
confidence, `agent.extraction.confidence`); on disagreement the value from the more specific
rule wins -- a labelled value beats a guess from position, an invoice-number label beats a
bare 'Invoice' -- and on a tie the text-line finder keeps its value (it was tuned first, on
more documents). The value taken from the layout is recorded with extractor '<type>.layout'
and its pairing rule, so lineage says which finder produced it.
"""

from __future__ import annotations

import re

from agent.extraction.finders.pairs import (
    Pair,
    best,
    best_total,
    find_date_pairs,
    find_number_pairs,
    find_total_pairs,
)
from agent.extraction.finders.seller import best_issuer, buyer_names, find_issuer_pairs
from agent.extraction.models import ExtractedFields, FieldSource
from agent.extraction.normalize import fold_text
from agent.extraction.words import page_cells
from agent.ocr.models import OcrResult

LAYOUT_TYPES = frozenset({"invoice"})
"""Document types read by layout pairing too (receipts are one narrow column: nothing to pair)."""

LAYOUT_SUFFIX = ".layout"
BUYERS = "buyers"  # key of the buyer names in `layout_pairs` (not a field)


def layout_pairs(result: OcrResult | None, day_first: bool = True) -> dict[str, Pair]:
    """The best pair per field from the result's word boxes; empty when it has none. Under
    `BUYERS`: a pseudo-pair whose value is the set of folded buyer names (see `combine`)."""
    if result is None or not any(page.boxes for page in result.pages):
        return {}
    pages = page_cells(result)
    chosen: dict[str, Pair | None] = {
        "invoice_number": best(find_number_pairs(pages)),
        "date": best(find_date_pairs(pages, day_first)),
        "total": best_total(find_total_pairs(pages)),
        "vendor": best_issuer(find_issuer_pairs(pages)),
    }
    found = {name: pair for name, pair in chosen.items() if pair is not None}
    buyers = buyer_names(pages)
    if buyers:
        found[BUYERS] = Pair(BUYERS, frozenset(buyers), "pair.buyers", 0, "", 0, (0, 0, 0, 0),
                             (0, 0), 1.0, (0, 0, 0))
    return found


_NUMBER_RANK = re.compile(r"^invoice_number\.(?P<label>[a-z ]+?)(?:_next_line)?$")
_INVOICE_LABELS = {"invoice", "inv", "tax invoice", "facture", "factuur", "rechnung", "faktura",
                   "fattura"}


def line_strength(field: str, rule: str) -> int:
    """The text-line finders' rules on the pairing's scale (higher = more specific label)."""
    if field == "vendor":
        return {"vendor.labelled": 3, "vendor.domain": 2, "vendor.suffix": 1,
                "vendor.suffix_joined": 1}.get(rule, 0)
    if field == "invoice_number":
        m = _NUMBER_RANK.match(rule)
        label = m["label"] if m else ""
        return 3 if label in _INVOICE_LABELS else 1 if label in ("bill", "receipt") else 0
    if field == "date":
        return 2 if rule == "date.labelled" else 0
    if field == "total":
        m = re.search(r"\.s(\d)$", rule)
        return int(m.group(1)) if m else 0
    return 0


def combine(lines: ExtractedFields, pairs: dict[str, Pair]) -> ExtractedFields:
    """`lines` with each field the layout pairing read more specifically taken from it."""
    if not pairs:
        return lines
    updates: dict[str, object] = {}
    provenance = dict(lines.provenance)
    buyers = pairs[BUYERS].value if BUYERS in pairs else frozenset()
    vendor = lines.vendor
    if vendor is not None and fold_text(vendor).replace(" ", "") in buyers:  # type: ignore
        updates["vendor"] = None  # the buyer's name is not the issuer
        provenance.pop("vendor", None)
        lines = lines.model_copy(update={"vendor": None, "provenance": provenance})
    for name, pair in pairs.items():
        if name == BUYERS:
            continue
        current = getattr(lines, name)
        source = lines.provenance.get(name)
        if current is not None and pair.strength <= line_strength(name, source.rule if source
                                                                  else ""):
            continue
        updates[name] = pair.value
        provenance[name] = FieldSource(
            extractor=f"{lines.doc_type or ''}{LAYOUT_SUFFIX}", rule=pair.rule,
            snippet=f"{pair.label} -> {pair.value}"[:200],
            replaced=None if current is None else str(current))
    if not updates:
        return lines
    return lines.model_copy(update={**updates, "provenance": provenance})


def from_layout(fields: ExtractedFields, name: str) -> bool:
    source = fields.provenance.get(name)
    return source is not None and source.extractor.endswith(LAYOUT_SUFFIX)
