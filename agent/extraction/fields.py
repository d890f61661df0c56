"""One finder per field. Each takes the document's lines and returns a `Hit` or None.

Finders are deterministic and general: keywords in several languages, layout position,
company suffixes. They never know the vendor. Document-type extractors combine them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from agent.extraction.layout import Line
from agent.extraction.normalize import clean_value, find_amounts, find_currencies, find_dates


@dataclass(frozen=True)
class Hit:
    value: object
    rule: str
    line: Line


# ---------------------------------------------------------------- total

_NOT_TOTAL = re.compile(
    r"sub[\s-]?total|total\s*(?:qty|quantity|items?|disc|discount|savings?|saved|tax|gst|vat|"
    r"excl|excluding|before|w/o|net of|weight|pcs|units?|points?)|items?\s*total|"
    r"(?:tax|gst|vat|sst)\s*(?:total|amount|amt)|rounding\s*adj|change|tendered|"
    r"excl\.?\s*(?:gst|vat|tax)|before\s*(?:gst|tax)|amount\s*excl|net\s*amount|"
    r"total\s*(?:ht|netto)|netto|untaxed|sans\s+tva|ohne",
    re.IGNORECASE,
)
# (pattern, strength): the strongest keyword on the page wins; ties go to the largest amount.
_TOTAL_KEYWORDS: list[tuple[re.Pattern[str], int]] = [
    (re.compile(r"round(?:ed|ing)?\s*(?:total|amount|amt)|total\s*round(?:ed|ing)|"
                r"grand\s*total|amount\s*(?:due|payable)|total\s*(?:due|payable|to\s*pay)|"
                r"balance\s*due|total\s*(?:amount\s*)?(?:incl|inclusive|including|\(incl|"
                r"with)|nett?\s*total|total\s*nett?\b|total\s*ttc|montant\s*ttc|net\s*[àa]\s*payer|"
                r"totaal\s*(?:te\s*betalen|incl)|te\s*betalen|gesamtbetrag|"
                r"rechnungsbetrag|endbetrag|zu\s*zahlen|nale[żz]no[śs][ćc]|do\s*zap[łl]aty",
                re.IGNORECASE), 3),
    (re.compile(r"total\s*(?:amount|amt|sales?|rm|myr|payable)|amount\s*paid|total\s*paid|"
                r"totaal|gesamt|summe|montant\s*total|razem|suma", re.IGNORECASE), 2),
    (re.compile(r"\btotal\b|\btotal(?=[:\s]|rm|\d)|\bamount\b|\bamt\b|\bjumlah\b",
                re.IGNORECASE), 1),
]


def _keyword_strength(text: str) -> int:
    if _NOT_TOTAL.search(text):
        cleaned = _NOT_TOTAL.sub(" ", text)
        if not any(p.search(cleaned) for p, _ in _TOTAL_KEYWORDS):
            return 0
        text = cleaned
    return max((s for p, s in _TOTAL_KEYWORDS if p.search(text)), default=0)


def _sensible(value: Decimal) -> bool:
    return Decimal("0") < value < Decimal("10000000")


def _amounts_after_keyword(line: Line) -> list[Decimal]:
    values = [f.value for f in find_amounts(line.text)]
    return [v for v in values if isinstance(v, Decimal) and _sensible(v)]


def find_total(lines: list[Line]) -> Hit | None:
    """The amount on the strongest TOTAL-like line (or the line after it, for split columns);
    among equally strong lines the largest amount, later lines winning ties."""
    candidates: list[tuple[int, Decimal, int, Line, str]] = []
    for i, line in enumerate(lines):
        strength = _keyword_strength(line.text)
        if strength == 0:
            continue
        amounts = _amounts_after_keyword(line)
        rule = "total.keyword"
        source = line
        if not amounts and i + 1 < len(lines) and _keyword_strength(lines[i + 1].text) == 0:
            amounts = _amounts_after_keyword(lines[i + 1])
            source, rule = lines[i + 1], "total.keyword_next_line"
        # prefer amounts written with decimals: '80.90' over a quantity '2'
        decimals = [a for a in amounts if a != a.to_integral_value() or "." in str(a)]
        amounts = decimals or amounts
        if amounts:
            candidates.append((strength, amounts[-1], i, source, rule))
    if not candidates:
        return None
    strength, value, _, line, rule = max(candidates, key=lambda c: (c[0], c[1], c[2]))
    return Hit(value, f"{rule}.s{strength}", line)


# ---------------------------------------------------------------- date

_DATE_LABEL = re.compile(
    r"(?:invoice|bill|receipt|doc(?:ument)?|issue|tax\s*invoice)?\s*date|dated|datum|"
    r"date\s*de\s*(?:la\s*)?facture|rechnungsdatum|factuurdatum|data\s*wystawienia|tarikh",
    re.IGNORECASE,
)
_OTHER_DATE = re.compile(
    r"due|expir|valid|deliver|livraison|leverings?|order|check[\s-]?(?:in|out)|f[äa]llig|"
    r"vervaldatum|[ée]ch[ée]ance|termin|period|from|to\b|birth|start|end",
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


# ---------------------------------------------------------------- invoice number

_NUMBER_LABEL = re.compile(
    r"(?P<label>(?:tax\s*)?invoice|inv|bill|receipt|rcpt|cash\s*(?:sale|bill)|doc(?:ument)?|"
    r"facture|factuur|rechnung|faktura|fattura|order|transaction|trans|trx|ref(?:erence)?|"
    r"slip|cs|check|chk|table)"
    r"\s*(?:no|number|num|nbr|nr|nummer|n°|n[ºo°]|#|id)\.?\s*[:#.]?\s*(?:[:#]\s*)?"
    r"(?P<value>[A-Z0-9][A-Z0-9\-/_.:]{0,30}[A-Z0-9]|[A-Z0-9])",
    re.IGNORECASE,
)
_NUMBER_LABEL_BARE = re.compile(
    r"(?P<label>invoice|facture|factuur|rechnung|faktura)\s*[:#]\s*"
    r"(?P<value>[A-Z0-9][A-Z0-9\-/_.]{1,30}[A-Z0-9])",
    re.IGNORECASE,
)
_LABEL_PRIORITY = {"invoice": 0, "inv": 0, "tax invoice": 0, "facture": 0, "factuur": 0,
                   "rechnung": 0, "faktura": 0, "fattura": 0, "bill": 1, "receipt": 1,
                   "rcpt": 1, "document": 2, "doc": 2}


def find_invoice_number(lines: list[Line]) -> Hit | None:
    """The identifier after 'Invoice No', 'Bill No', 'Receipt #', 'Factuurnummer', ...
    Invoice labels beat receipt/bill labels, which beat document/order/reference labels."""
    best: tuple[int, int, Hit] | None = None
    for line in lines:
        for pattern in (_NUMBER_LABEL, _NUMBER_LABEL_BARE):
            for m in pattern.finditer(line.text):
                value = m["value"].strip(".:-/")
                if not value or not any(c.isdigit() for c in value):
                    continue
                label = re.sub(r"\s+", " ", m["label"].lower())
                rank = _LABEL_PRIORITY.get(label, 3)
                if best is None or (rank, line.index) < best[:2]:
                    best = (rank, line.index, Hit(value, f"invoice_number.{label}", line))
    return best[2] if best else None


# ---------------------------------------------------------------- currency

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


# ---------------------------------------------------------------- vendor and address

COMPANY_SUFFIX = re.compile(
    r"\b(?:sdn\.?\s*bhd|bhd|berhad|sdn|ltd|limited|inc|incorporated|llc|llp|plc|corp(?:oration)?|"
    r"co\.?\s*ltd|gmbh|ag|kg|b\.?\s?v|n\.?\s?v|s\.?\s?a|s\.?\s?a\.?\s?s|sarl|s\.?r\.?l|sp\.?\s*z\s*o\.?\s*o|"
    r"spółka|pte|pty|enterprise|enterprises|trading|company|restaurant|restoran|"
    r"hardware|store|stores|mart|supermarket|shop|café|cafe|bakery|pharmacy|services?)\b\.?",
    re.IGNORECASE,
)
_TRIVIAL = re.compile(
    r"^(?:tax\s*invoice|invoice|receipt|official\s*receipt|cash\s*(?:sale|bill|receipt)|"
    r"simplified\s*tax\s*invoice|bill|facture|factuur|rechnung|faktura|welcome|thank\s*you|"
    r"original|copy|duplicate|page\s*\d+|customer\s*copy)\b",
    re.IGNORECASE,
)
_SELLER_LABEL = re.compile(
    r"^(?:seller|vendor|supplier|sold\s*by|issued\s*by|from|sprzedawca|verk[äa]ufer|"
    r"fournisseur|leverancier|lieferant)\s*[:\-]\s*(?P<value>.+)",
    re.IGNORECASE,
)
_STOP_ADDRESS = re.compile(
    r"\b(?:tel|phone|fax|h/?p|mobile|telefon|email|e-mail|www\.|http|gst|sst|vat|tax|"
    r"co\.?\s*(?:no|reg)|company\s*(?:no|reg)|reg(?:istration)?\.?\s*no|roc|business\s*reg|"
    r"invoice|receipt|cashier|date|time|table|bill|order|nip|btw|kvk|siret|siren|ust|"
    r"ABN|GSTIN|member|counter|doc)\b|@",
    re.IGNORECASE,
)
_REG_NUMBER = re.compile(r"^\(?\s*(?:co\.?\s*(?:no|reg)\.?|company\s*no\.?)?[\s:.]*"
                         r"[A-Z]{0,3}\d[\d\-A-Z]{3,}[\s\-]*[A-Z]?\s*\)?$", re.IGNORECASE)
_ADDRESS_HINT = re.compile(
    r"\b(?:no\.?|lot|jalan|jln|lorong|taman|tmn|road|rd|street|st|avenue|ave|lane|floor|"
    r"blok|block|bandar|kampung|kg|batu|persiaran|plaza|building|suite|unit|straße|strasse|"
    r"str\.|weg|rue|ul\.|\d{5})\b",
    re.IGNORECASE,
)


def _vendor_like(line: Line) -> bool:
    return (line.letters >= 3 and line.letters >= line.digits
            and not _TRIVIAL.match(line.text) and not _STOP_ADDRESS.search(line.text)
            and not _REG_NUMBER.match(line.text))


def find_vendor(lines: list[Line], header_lines: int = 6) -> Hit | None:
    """'Seller: X' when labelled; else the top line carrying a company suffix (joined with the
    line above when the suffix stands alone, e.g. 'SDN BHD'); else the first non-trivial line."""
    for line in lines:
        if m := _SELLER_LABEL.match(line.text):
            return Hit(clean_value(m["value"]), "vendor.labelled", line)
    header = lines[:header_lines]
    for i, line in enumerate(header):
        if not COMPANY_SUFFIX.search(line.text) or _STOP_ADDRESS.search(line.text):
            continue
        name = line.text
        stripped = COMPANY_SUFFIX.sub("", name).strip(" .,()")
        if sum(c.isalpha() for c in stripped) < 3 and i > 0 and _vendor_like(header[i - 1]):
            return Hit(clean_value(f"{header[i - 1].text} {name}"), "vendor.suffix_joined", line)
        return Hit(clean_value(name), "vendor.suffix", line)
    for line in header:
        if _vendor_like(line):
            return Hit(clean_value(line.text), "vendor.first_line", line)
    return None


def find_address(lines: list[Line], vendor: Hit | None, max_lines: int = 5,
                 day_first: bool = True) -> Hit | None:
    """Lines after the vendor up to the first date/phone/tax-id/label line, joined."""
    if vendor is None or vendor.rule == "vendor.labelled":
        start = vendor.line.index + 1 if vendor else 0
        if vendor is None:
            return None
    else:
        start = vendor.line.index + 1
    parts: list[str] = []
    first: Line | None = None
    for line in lines[start:start + max_lines + 2]:
        if not parts and (_REG_NUMBER.match(line.text) or COMPANY_SUFFIX.fullmatch(line.text)):
            continue  # '(JM0517726)' or a stray 'SDN BHD' under the name
        if _STOP_ADDRESS.search(line.text) or is_date_line(line, day_first):
            break
        if line.letters + line.digits < 3:
            continue
        parts.append(line.text)
        first = first or line
        if len(parts) >= max_lines:
            break
    if not parts or first is None:
        return None
    address = clean_value(" ".join(parts))
    if not _ADDRESS_HINT.search(address) and len(parts) < 2:
        return None
    return Hit(address, "address.after_vendor", first)


def date_value(hit: Hit | None) -> dt.date | None:
    return hit.value if hit and isinstance(hit.value, dt.date) else None
