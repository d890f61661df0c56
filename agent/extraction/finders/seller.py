"""The issuer from the page layout: a seller/payee label and the name beside or under it, else
the company name heading the block of registration lines (VAT id, IBAN, trade register,
share capital) in its column -- the seller's block, which the buyer's 'Bill to' block lacks.

Rules, strongest first:
- `issuer.labelled`: 'Sold by:', 'Service Provider:', 'Seller', 'Sprzedawca', ... with the name
  in the same cell, to the right or below; payee phrases ('Account holder: X', 'Titulaire du
  compte : X', 'payable to X') anywhere in a cell;
- `issuer.registration`: a name-like cell in the same column block as a registration cell and
  either carrying a legal form (B.V., AG, SAS, Ltd) or directly above that registration line;
  a name starting the registration cell itself ('Free SAS au capital de ...') counts too;
- `issuer.letterhead`: the company name (legal form) printed largest in the top third of
  page 1.
Blocks under a recipient label ('Bill to', 'Factuuradres', 'Nabywca') are skipped, and their
names (`buyer_names`) are never the issuer: `agent.extraction.pairing` also drops a text-line
vendor that is one of them.
"""

from __future__ import annotations

import re

from agent.extraction.finders.pairs import Pair, neighbours
from agent.extraction.finders.parties import _LEGAL_FORM
from agent.extraction.normalize import clean_value, find_amounts, find_dates, fold_text
from agent.extraction.words import Cell, PageCells

_SELLER = re.compile(
    r"^(?:seller|vendor|supplier|service\s*provider|sold\s*by|issued\s*by|bill(?:ed)?\s*from|"
    r"from|sprzedawca|verk[äa]ufer|lieferant|fournisseur|[ée]metteur|vendeur|leverancier|"
    r"verkoper|proveedor|fornitore)\s*[:\-]?\s*(?=\W|$)",
    re.IGNORECASE,
)
_PAYEE = re.compile(
    r"(?:account\s*holder|beneficiary|titulaire\s*du\s*compte|kontoinhaber|rekeninghouder|"
    r"t\.?\s?n\.?\s?v\.|(?:cheques?|checks?|payments?)\s*(?:payable\s*to|to\s*be\s*made\s*in\s*"
    r"favou?r\s*of)|payable\s*to|in\s*favou?r\s*of)\s*[:\-]?\s*",
    re.IGNORECASE,
)
_RECIPIENT = re.compile(
    r"^(?:bill(?:ed)?\s*to|ship(?:ped)?\s*to|sold\s*to|invoice\s*to|deliver(?:ed|y)?\s*to|"
    r"customer|client|buyer|recipient|factuuradres|afleveradres|rechnungsadresse|"
    r"lieferadresse|kunde|empf[äa]nger|nabywca|odbiorca|adresse\s*de\s*(?:facturation|"
    r"livraison)|destinataire|shipping\s*address|billing\s*address)\b",
    re.IGNORECASE,
)
_REGISTRATION = re.compile(
    r"\b(?:vat|tva|btw|iva|mwst|ust-?id(?:nr)?|ustid|uid|nip|regon|kvk|k\.v\.k|siret|siren|"
    r"rcs|rsc|hrb|hra|registergericht|handelsregister|gstin|cin|abn|company\s*(?:no|number|"
    r"reg)|registered\s*(?:office|in|number)|reg(?:istration)?\.?\s*no|si[èe]ge\s*social|"
    r"capital|iban|swift|bic|steuer-?nr|tax\s*id|chamber\s*of\s*commerce)\b",
    re.IGNORECASE,
)
_CONTACT = re.compile(r"@|www\.|https?:|\b(?:tel|phone|fax|e-?mail|telefon)\b", re.IGNORECASE)
_NAME_CUT = re.compile(r"\s+(?:au\s+capital|capital|registered|with\s+registered)\b|\s[-–|,]\s",
                       re.IGNORECASE)
_TITLE = re.compile(r"^(?:tax\s*)?(?:invoice|facture|factuur|rechnung|faktura|receipt|"
                    r"bill|page)\b", re.IGNORECASE)
_DIGITS = re.compile(r"\d")
BLOCK_GAP = 4.0  # rows further apart than this many text heights start a new block
LETTERHEAD = 1.3  # a letterhead name is at least this many median text heights tall


def name_like(text: str) -> bool:
    """A company name: 2-60 characters, mostly letters, at most 7 words, no sentence, label,
    amount, date, contact or registration detail."""
    text = clean_value(text)
    words = text.split()
    letters = sum(c.isalpha() for c in text)
    if not 2 <= len(text) <= 60 or not words or len(words) > 7 or letters < len(text) / 2:
        return False
    if text.startswith("(") or text.endswith(":") or ":" in text or _TITLE.match(text):
        return False
    if _CONTACT.search(text) or _REGISTRATION.search(text) or find_dates(text):
        return False
    if any("." in str(f.value) for f in find_amounts(text)):
        return False
    bare = _LEGAL_FORM.sub(" ", text)
    return sum(c.isalpha() for c in bare) >= 3


def _name(text: str) -> str:
    return clean_value(_NAME_CUT.split(text, maxsplit=1)[0])


def _column(page: PageCells, cell: Cell) -> list[Cell]:
    """The cells sharing `cell`'s column (left-aligned or centred alike) in the contiguous run
    of rows around it, top to bottom."""
    tol = 1.5 * page.line_height
    centre = (cell.left + cell.right) / 2

    def same(c: Cell) -> bool:
        return abs(c.left - cell.left) <= tol or abs((c.left + c.right) / 2 - centre) <= tol

    block = [cell]
    for step in (-1, 1):
        last, index = cell, cell.row + step
        while 0 <= index < len(page.rows):
            found = [c for c in page.rows[index] if same(c)]
            if not found:
                index += step
                if abs(index - last.row) > 2:
                    break
                continue
            near = found[0]
            gap = (last.top - near.bottom) if step < 0 else (near.top - last.bottom)
            if gap > BLOCK_GAP * page.line_height:
                break
            block.append(near)
            last, index = near, index + step
    return sorted(block, key=lambda c: c.row)


def _labelled(page: PageCells) -> list[Pair]:
    found: list[Pair] = []
    for cell in page.cells:
        m = _SELLER.match(cell.text)
        payee = None if m else _PAYEE.search(cell.text)
        match = m or payee
        if match is None:
            continue
        rest = cell.text[match.end():]
        if rest.strip() and name_like(_name(rest)):
            found.append(_issuer(_name(rest), "labelled", 3, cell, cell))
            continue
        if rest.strip():
            continue
        for _how, source in _below_or_right(page, cell):
            if name_like(_name(source.text)):
                found.append(_issuer(_name(source.text), "labelled", 3, cell, source))
                break
    return found


def _below_or_right(page: PageCells, cell: Cell) -> list[tuple[str, Cell]]:
    """Like `neighbours`, but a note in parentheses under the label is skipped."""
    found = neighbours(page, cell)
    column = _column(page, cell)
    below = [c for c in column if c.row > cell.row][:3]
    return found + [("below", c) for c in below if not c.text.startswith("(")]


def _registration(page: PageCells) -> list[Pair]:
    found: list[Pair] = []
    for cell in page.cells:
        if not _REGISTRATION.search(cell.text) or len(_DIGITS.findall(_with_value(
                page, cell))) < 4:
            continue  # a registration line carries its number ('Ohne MwSt.' is a header)
        head = _name(cell.text)
        if head != clean_value(cell.text) and name_like(head) and _LEGAL_FORM.search(head):
            found.append(_issuer(head, "registration", 2, cell, cell))
            continue
        column = _column(page, cell)
        above = [c for c in column if c.row < cell.row]
        if any(_RECIPIENT.match(c.text) for c in above):
            continue
        for i, candidate in enumerate(reversed(above)):
            name = _name(candidate.text)
            if not name_like(name):
                continue
            heads = i == 0 and candidate is column[0]  # directly above, heading the block
            if _LEGAL_FORM.search(name) or heads:
                found.append(_issuer(name, "registration", 2 if _LEGAL_FORM.search(name)
                                     else 1, cell, candidate))
                break
    return found


def _with_value(page: PageCells, cell: Cell) -> str:
    """The cell's text and, when it ends in a colon, the next cell of its row ('VAT ID:' and
    its number a column apart)."""
    right = [c for c in page.rows[cell.row] if c.left >= cell.right]
    return f"{cell.text} {right[0].text}" if cell.text.endswith(":") and right else cell.text


def _issuer(name: str, how: str, strength: int, label: Cell, source: Cell) -> Pair:
    return Pair("vendor", name, f"pair.vendor.{how}", strength, label.text, source.page,
                source.bbox(), source.size, source.confidence,
                (source.page, source.row, source.left))


def _letterhead(page: PageCells, buyers: set[str]) -> list[Pair]:
    """The company name (with a legal form) printed largest in the top third of the first page
    (a letterhead), unless it is the buyer's."""
    if page.page != 1:
        return []
    top = [c for c in page.cells if c.bottom <= page.size[1] / 3
           and c.height >= LETTERHEAD * page.line_height and name_like(c.text)
           and _LEGAL_FORM.search(c.text) and not any(ch.isdigit() for ch in c.text)
           and _fold(_name(c.text)) not in buyers]
    if not top:
        return []
    cell = max(top, key=lambda c: (c.height, -c.top))
    return [_issuer(_name(cell.text), "letterhead", 1, cell, cell)]


def buyer_names(pages: list[PageCells]) -> set[str]:
    """Folded names under a recipient label ('Bill to:', 'Factuuradres', 'Customer'): what the
    issuer is not."""
    names: set[str] = set()
    for page in pages:
        for cell in page.cells:
            m = _RECIPIENT.match(cell.text)
            if m is None:
                continue
            rest = clean_value(cell.text[m.end():])
            if rest and name_like(rest):
                names.add(_fold(_name(rest)))
                continue
            column = [c for c in _column(page, cell) if c.row > cell.row][:2]
            names.update(_fold(_name(c.text)) for c in column if name_like(_name(c.text)))
    return names


def _fold(text: str) -> str:
    return fold_text(text).replace(" ", "")


def find_issuer_pairs(pages: list[PageCells]) -> list[Pair]:
    """Issuer candidates from every page (labelled ones first); never a buyer's name."""
    buyers = buyer_names(pages)
    found = [p for page in pages for p in _labelled(page)]
    found += [p for page in pages for p in _registration(page)]
    found += [p for page in pages for p in _letterhead(page, buyers)]
    return [p for p in found if _fold(str(p.value)) not in buyers]


def best_issuer(pairs: list[Pair]) -> Pair | None:
    """The strongest; among equals the one most candidates name, then the first."""
    if not pairs:
        return None
    votes = {}
    for p in pairs:
        key = clean_value(str(p.value)).upper()
        votes[key] = votes.get(key, 0) + 1
    return min(pairs, key=lambda p: (-p.strength, -votes[clean_value(str(p.value)).upper()],
                                     p.order))
