"""Layout-aware key-value pairing: a label cell and its value to the right on the same row or
directly below in the same column, from word boxes (`agent.extraction.words`).

Column layouts break the text-line finders: 'Rechnungsnr.' and '30064443' printed a column
apart, or a header row 'Klant  Order  Factuur datum  Factuur' over a row of values, come out of
a text layer or OCR as separate lines. Here a label is matched against a vocabulary per field
(several languages), and its value is, in this order: the rest of its own cell ('Invoice No:
INV-1'), the nearest cell to its right on the same row, or the first cell below it that shares
its column (overlapping horizontally, within `BELOW_ROWS` rows) and is not itself a label. The
value must validate for the field (an identifier with a digit, a date, an amount).
Nothing here knows a particular vendor.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from agent.extraction.finders.total import _amounts_after_keyword, _keyword_strength
from agent.extraction.layout import Line
from agent.extraction.normalize import find_amounts, find_currencies, find_dates
from agent.extraction.words import Cell, PageCells, Word

BELOW_ROWS = 3  # a value below its label sits within this many rows
BELOW_GAP = 2.5  # ... and within this many text heights of the label's bottom


@dataclass(frozen=True)
class Pair:
    """A value read from a label's neighbour: where it is and how it was paired."""

    field: str
    value: object
    rule: str  # e.g. 'pair.invoice_number.right'
    strength: int  # how specific the label is: higher wins (see `agent.extraction.pairing`)
    label: str  # the label's text, for the evidence
    page: int
    bbox: tuple[int, int, int, int]  # left, top, width, height of the value's words
    size: tuple[int, int]  # the image / page the box is in
    confidence: float  # 0-1: its least confident word
    order: tuple[int, int, int]  # page, row, left: where on the document (ties: later wins)


_NO = r"(?:nummer|number|numero|numéro|num|nbr|nr|no|n[º°o]|#|id)\.?"
_INVOICE_WORD = r"(?:tax\s*)?invoice|inv|facture|factuur|rechnung|faktura|fattura|factura"
_OTHER_DOC = r"bill|receipt|credit\s*note|document|doc"
# (pattern, strength): the whole label, anchored at the start of its cell.
_NUMBER_LABELS: list[tuple[re.Pattern[str], int]] = [
    (re.compile(rf"(?:{_INVOICE_WORD})\s*{_NO}|rechnungs-?(?:nummer|nr\.?)|factuurnummer|"
                r"fakturanummer|num[ée]ro\s*(?:de\s*)?(?:la\s*)?facture|n[º°o]\s*(?:de\s*)?facture",
                re.IGNORECASE), 3),
    (re.compile(rf"(?:{_INVOICE_WORD})(?=\s|:|$)", re.IGNORECASE), 2),  # 'Factuur' over a value
    (re.compile(rf"(?:{_OTHER_DOC})\s*{_NO}", re.IGNORECASE), 1),
    # the text-line finder's weakest labels too: only when nothing names the invoice
    (re.compile(rf"(?:booking|order|ref(?:erence)?|transaction)\s*{_NO}", re.IGNORECASE), 0),
]
_HASH = re.compile(r"#")  # '# 123' right under an INVOICE title
_TITLE = re.compile(rf"^(?:{_INVOICE_WORD})\.?$", re.IGNORECASE)
_IDENTIFIER = re.compile(r"^#?\s*(?P<value>(?=[A-Za-z0-9\-/_.]*\d)"
                         r"[A-Za-z0-9][A-Za-z0-9\-/_.]{0,40})[.,:;]?$")
_DATE_LABELS: list[tuple[re.Pattern[str], int]] = [
    (re.compile(r"(?:invoice|bill|receipt|issue|tax\s*invoice|document)\s*date|"
                r"rechnungsdatum|factuur\s*datum|factuurdatum|date\s*(?:de\s*(?:la\s*)?)?facture|"
                r"date\s*d['’]?[ée]mission|data\s*wystawienia|fakturadatum|data\s*fattura",
                re.IGNORECASE), 2),
    (re.compile(r"date|dated|datum|data|fecha", re.IGNORECASE), 1),
]
_SEPARATORS = re.compile(r"^[\s:#.\-–]*")
_SPLIT_THOUSANDS = re.compile(r"(\d)\s+([,.]\d{3}(?!\d))")


def _label(patterns: list[tuple[re.Pattern[str], int]], text: str) -> tuple[int, int] | None:
    """(strength, end of the label) when `text` starts with one of `patterns` as whole words
    (or with a label ending in a mark, glued to its value: 'n°562044387')."""
    for pattern, strength in patterns:
        m = pattern.match(text)
        if m and (m.end() == len(text) or not text[m.end()].isalnum()
                  or not text[m.end() - 1].isalnum()):
            return strength, m.end()
    return None


def _rest(cell: Cell, end: int) -> Cell | None:
    """What follows the label (its first `end` characters) in `cell`, separators dropped: the
    words overlapping that text, the first one cut where the label ends."""
    text = cell.text
    rest = _SEPARATORS.sub("", text[end:])
    if not rest:
        return None
    start = len(text) - len(rest)
    offset, words = 0, []
    for word in cell.words:
        stop = offset + len(word.text)
        if stop > start:
            cut = max(0, start - offset)
            words.append(word if cut == 0 else Word(word.text[cut:], word.conf, word.left,
                                                    word.top, word.right, word.bottom))
        offset = stop + 1
    return Cell(cell.page, cell.row, tuple(words), cell.size, cell.exact) if words else None


def _is_label(cell: Cell) -> bool:
    text = cell.text
    return bool(_label(_NUMBER_LABELS, text) or _label(_DATE_LABELS, text)
                or (_keyword_strength(text) and not find_amounts(text))
                or (text.endswith(":") and len(text) > 2))


def neighbours(page: PageCells, cell: Cell) -> list[tuple[str, Cell]]:
    """Candidate value cells of a label cell: the nearest to its right on its row, then the
    cells below in its column (nearest first), stopping at the next label."""
    found: list[tuple[str, Cell]] = []
    row = page.rows[cell.row]
    right = [c for c in row if c.left >= cell.right]
    if right:
        found.append(("right", right[0]))
    limit = cell.bottom + BELOW_GAP * max(cell.height, page.line_height) * BELOW_ROWS
    for below in page.rows[cell.row + 1:cell.row + 1 + BELOW_ROWS]:
        column = [c for c in below if c.left < cell.right and cell.left < c.right
                  and c.top <= limit]
        if not column:
            continue
        nearest = min(column, key=lambda c: abs(c.left - cell.left))
        if _is_label(nearest):
            break
        found.append(("below", nearest))
        break
    return found


def _order(cell: Cell) -> tuple[int, int, int]:
    return cell.page, cell.row, cell.left


def _pair(field: str, value: object, how: str, strength: int, label: Cell, source: Cell,
          words: tuple[Word, ...] | None = None) -> Pair:
    return Pair(field, value, f"pair.{field}.{how}", strength, label.text, source.page,
                source.bbox(words), source.size, source.confidence, _order(label))


def _identifier(cell: Cell) -> str | None:
    """The identifier the cell starts with ('#' dropped); a word ending in '-' or '/', or
    followed by one starting so, goes on in the next (OCR splits 'F-2026- 14793')."""
    words = [w.text for w in cell.words]
    if words[0] == "#" and len(words) > 1:
        words = words[1:]
    first = words[0]
    for more in words[1:]:
        glued = (first[-1] in "-/" and more[:1].isalnum()) or (
            more[:1] in ("-", "/") and more[1:2].isalnum())
        if not glued:
            break
        first += more
    m = _IDENTIFIER.match(first)
    if not m or find_dates(first):
        return None
    return m["value"].strip(".-/")


def find_number_pairs(pages: list[PageCells]) -> list[Pair]:
    """Invoice-number candidates: invoice labels beat bare 'Invoice'/'#' beat bill/receipt
    beat booking/order/reference."""
    found: list[Pair] = []
    for page in pages:
        for cell in page.cells:
            hit = _label(_NUMBER_LABELS, cell.text)
            if hit is None and _HASH.match(cell.text) and _under_title(page, cell):
                hit = (2, 1)
            if hit is None:
                continue
            strength, end = hit
            rest = _rest(cell, end)
            candidates = [("inline", rest)] if rest is not None else neighbours(page, cell)
            for how, source in candidates:
                value = _identifier(source)
                if value:
                    found.append(_pair("invoice_number", value, how, strength, cell, source))
                    break
    return found


def _under_title(page: PageCells, cell: Cell) -> bool:
    """Whether the cell right above `cell` in its column is an 'INVOICE' title."""
    for row in reversed(page.rows[max(0, cell.row - 2):cell.row]):
        above = [c for c in row if c.left < cell.right and cell.left < c.right]
        if above:
            return any(_TITLE.match(c.text) for c in above)
    return False


def find_date_pairs(pages: list[PageCells], day_first: bool = True) -> list[Pair]:
    found: list[Pair] = []
    for page in pages:
        for cell in page.cells:
            hit = _label(_DATE_LABELS, cell.text)
            if hit is None:
                continue
            strength, end = hit
            rest = _rest(cell, end)
            candidates = [("inline", rest)] if rest is not None else neighbours(page, cell)
            for how, source in candidates:
                dates = find_dates(source.text, day_first)
                if dates and dates[0].start <= 2:
                    found.append(_pair("date", dates[0].value, how, strength, cell, source))
                    break
    return found


def _amount(cell: Cell) -> Decimal | None:
    """The amount when the cell holds one amount (currency marks allowed) and nothing else."""
    masked = cell.text
    for found in find_currencies(masked):
        masked = masked.replace(str(found.value), " ")
    masked = re.sub(r"[$€£¥₹]|\b(?:RM|Rs\.?|EUR|USD|GBP|INR|PLN|CHF|TTC|HT)\b", " ", masked)
    masked = _SPLIT_THOUSANDS.sub(r"\1\2", masked)  # OCR's '12 ,675.52'
    amounts = find_amounts(masked)
    if len(amounts) != 1 or sum(c.isalpha() for c in masked) > 0:
        return None
    rest = masked[:amounts[0].start] + masked[amounts[0].end:]
    if any(c.isdigit() for c in rest):  # digits the amount did not take: not one amount
        return None
    value = amounts[0].value
    return value if isinstance(value, Decimal) and Decimal(0) < value < Decimal(10_000_000) \
        else None


def find_total_pairs(pages: list[PageCells]) -> list[Pair]:
    """Amount-payable candidates: a total label cell (keyword strength as `find_total`) and the
    rightmost amount on its row, else the amount below it in its column."""
    found: list[Pair] = []
    for page in pages:
        for cell in page.cells:
            strength = _keyword_strength(cell.text)
            if not strength:
                continue
            if find_amounts(cell.text):  # 'Total EUR 34,73' in one cell
                inline = _amounts_after_keyword(Line(0, cell.text))
                if inline:
                    found.append(_pair("total", inline[-1], "inline", strength, cell, cell))
                continue
            row = [c for c in page.rows[cell.row] if c.left >= cell.right]
            amounts = [(c, v) for c in row if (v := _amount(c)) is not None]
            if amounts:
                source, value = amounts[-1]
                found.append(_pair("total", value, "right", strength, cell, source))
                continue
            for how, source in neighbours(page, cell):
                if how == "below" and (value := _amount(source)) is not None:
                    found.append(_pair("total", value, how, strength, cell, source))
    return found


def best(pairs: list[Pair]) -> Pair | None:
    """The strongest pair; among equals the first on the document (numbers and dates are
    printed at the top) -- totals use `best_total`."""
    return min(pairs, key=lambda p: (-p.strength, p.order), default=None)


def best_total(pairs: list[Pair]) -> Pair | None:
    """The strongest total; among equals the last on the document (as `find_total`)."""
    return max(pairs, key=lambda p: (p.strength, p.order), default=None)
