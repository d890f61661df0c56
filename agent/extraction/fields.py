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
from agent.extraction.normalize import (
    clean_value,
    find_amounts,
    find_currencies,
    find_dates,
    fold_text,
)


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
    r"excl(?:uding|usive|\.)?\s*(?:of\s*)?(?:gst|vat|tax|sst)|before\s*(?:gst|tax)|amount\s*excl|net\s*amount|"
    r"total\s*(?:ht|netto)|netto|untaxed|sans\s+tva|ohne|"
    r"incl(?:udes|uded)\s*[\d.]+\s*%",
    re.IGNORECASE,
)
# (pattern, strength): the strongest keyword on the page wins; ties go to the largest amount.
_TOTAL_KEYWORDS: list[tuple[re.Pattern[str], int]] = [
    (re.compile(r"round(?:ed|ing)?\s*(?:total|amount|amt)|total\s*round(?:ed|ing)|"
                r"grand\s*total|amount\s*(?:due|payable)|total\s*(?:amount|amt|sales)?\s*(?:due|payable|to\s*pay)|final\s*total|"
                r"balance\s*due|total\s*(?:sales|amount|amt|rm)?\s*\(?\s*(?:incl|with)|"
                r"incl(?:usive|uding|\.)?\s*(?:of\s*)?(?:gst|vat|tax|sst)|nett?\s*total|total\s*nett?\b|total\s*ttc|montant\s*ttc|net\s*[àa]\s*payer|"
                r"totaal\s*(?:te\s*betalen|incl)|te\s*betalen|gesamtbetrag|"
                r"rechnungsbetrag|endbetrag|zu\s*zahlen|nale[żz]no[śs][ćc]|do\s*zap[łl]aty",
                re.IGNORECASE), 3),
    (re.compile(r"total\s*(?:amount|amt|sales?|rm|myr|payable)|amount\s*paid|total\s*paid|"
                r"totaal|gesamt|summe|montant\s*total|razem|suma", re.IGNORECASE), 2),
    (re.compile(r"\btotal(?![a-z])|\bjumlah\b",
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


_ROUNDING = re.compile(r"\bround(?:ing)?\b|\bpembundaran\b|\barrondi", re.IGNORECASE)


def _amounts_after_keyword(line: Line) -> list[Decimal]:
    """Sensible amounts on a line; whole numbers only when the line names a currency
    (OCR often drops decimal points: '331600' is not a total, 'EUR 1200' is)."""
    values = [f.value for f in find_amounts(line.text)]
    values = [v for v in values if isinstance(v, Decimal) and _sensible(v)]
    with_cents = [v for v in values if "." in str(v)]
    if with_cents:
        return with_cents
    return values if find_currencies(line.text) else []


def _amount_only(line: Line) -> Decimal | None:
    """The amount when the line is just an amount (currency symbols allowed), else None."""
    masked = _CURRENCY_ONLY.sub(" ", line.text)
    amounts = find_amounts(masked)
    if len(amounts) != 1 or any(c.isalpha() for c in masked):
        return None
    value = amounts[0].value  # money has cents here: a bare '1' is a quantity
    ok = isinstance(value, Decimal) and 0 <= value < 10_000_000 and "." in str(value)
    return value if ok else None  # type: ignore[return-value]


def _currency_only(line: Line) -> bool:
    return not _CURRENCY_ONLY.sub("", line.text).strip(" :.()")


def _value_below(lines: list[Line], i: int) -> tuple[Decimal, Line, str] | None:
    """For column layouts: the amount printed under a label, or in the value block that
    follows a block of labels (the k-th label takes the k-th value)."""
    j = i + 1
    while j < len(lines) and _currency_only(lines[j]):
        j += 1
    if j < len(lines) and (value := _amount_only(lines[j])):
        return value, lines[j], "total.next_line"
    start = i
    while start > 0 and _is_label(lines[start - 1]):
        start -= 1
    end = i
    while end + 1 < len(lines) and (_is_label(lines[end + 1]) or _currency_only(lines[end + 1])):
        end += 1
    labels = [k for k in range(start, end + 1) if _is_label(lines[k])]
    values: list[tuple[Decimal, Line]] = []
    for line in lines[end + 1:]:
        if _currency_only(line):
            continue
        value = _amount_only(line)
        if value is None:
            break
        values.append((value, line))
    if len(values) >= len(labels):
        value, line = values[labels.index(i)]
        rule = "total.column_block"
    elif values:  # fewer values than labels: the total usually comes first
        value, line = values[0]
        rule = "total.column_first"
    else:
        return None
    return (value, line, rule) if _sensible(value) else None


def _is_label(line: Line) -> bool:
    return line.letters >= 3 and not find_amounts(_CURRENCY_ONLY.sub(" ", line.text))


_CURRENCY_ONLY = re.compile(r"(?<![A-Za-z])(?:RM|MYR|USD|EUR|GBP|SGD)(?![A-Za-z])|[$€£]",
                            re.IGNORECASE)


def find_total(lines: list[Line]) -> Hit | None:
    """The amount on the strongest TOTAL-like line (or under it, for column layouts).

    Strength: a total just after a rounding adjustment > grand/rounded/payable/incl.-tax
    totals > 'total sales/amount' > a bare 'total'. Ties go to the last such line."""
    candidates: list[tuple[int, Decimal, int, Line, str]] = []
    for i, line in enumerate(lines):
        strength = _keyword_strength(line.text)
        if strength == 0:
            continue
        if any(_ROUNDING.search(x.text) for x in lines[max(0, i - 3):i]):
            strength = 4  # a total right after a rounding adjustment is the amount paid
        amounts = _amounts_after_keyword(line)
        if amounts:
            candidates.append((strength, amounts[-1], i, line, "total.keyword"))
        elif _is_label(line) and (below := _value_below(lines, i)):
            value, source, rule = below
            candidates.append((strength, value, i, source, rule))
    if not candidates:
        return None
    strength, value, _, line, rule = max(candidates, key=lambda c: (c[0], c[2]))
    return Hit(value, f"{rule}.s{strength}", line)


# ---------------------------------------------------------------- date

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


# ---------------------------------------------------------------- invoice number

_NUMBER_LABEL = re.compile(
    r"(?P<label>(?:tax\s*)?invoice|inv|bill|receipt|rcpt|cash\s*(?:sale|bill)|doc(?:ument)?|"
    r"facture|factuur|rechnung|faktura|fattura|order|transaction|trans|trx|ref(?:erence)?|"
    r"slip|cs|check|chk|table)"
    r"s?\s*(?:nummer|number|numero|num|nbr|nr|no|n[ºo°]|#|id)\.?\s*[:#.]?\s*(?:[:#]\s*)?"
    r"(?=[A-Z0-9\-/_.:]*\d)(?P<value>[A-Z0-9][A-Z0-9\-/_.:]{0,30}[A-Z0-9]|[0-9])",
    re.IGNORECASE,
)
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
    r"\b(?:sdn\.?\s*bhd|s/b|bhd|berhad|sdn|ltd|limited|inc|incorporated|llc|llp|plc|corp(?:oration)?|"
    r"co\.?\s*ltd|gmbh|ag|kg|b\.?\s?v|n\.?\s?v|s\.?\s?a|s\.?\s?a\.?\s?s|sarl|s\.?r\.?l|sp\.?\s*z\s*o\.?\s*o|"
    r"spółka|pte|pty|enterprise|enterprises|trading|company|restaurant|restoran|"
    r"hardware|store|stores|mart|supermarket|shop|café|cafe|bakery|pharmacy|services?)\b\.?",
    re.IGNORECASE,
)
_TRIVIAL = re.compile(
    r"^(?:tax\s*invoice|invoice|receipt|official\s*receipt|cash\s*(?:sale|bill|receipt)|"
    r"simplified\s*tax\s*invoice|bill|facture|factuur|rechnung|faktura|welcome|thank\s*you|"
    r"original|copy|kopie|copie|duplicate|page\s*\d+|customer\s*copy)\b",
    re.IGNORECASE,
)
_SELLER_LABEL = re.compile(
    r"^(?:seller|vendor|supplier|service\s*provider|sold\s*by|issued\s*by|from|sprzedawca|"
    r"verk[äa]ufer|fournisseur|leverancier|lieferant)\s*[:\-]\s*(?P<value>.*)",
    re.IGNORECASE,
)
_STOP_ADDRESS = re.compile(
    r"\b\d{2,4}-\d{3,4}\s?\d{3,4}\b|taxinvoice|\b(?:tel|telephone|phone|fax|whatsapp|h/?p|mobile|telefon|email|e-mail|www\.|http|gst|sst|vat|tax|"
    r"co\.?\s*(?:no|reg)|company\s*(?:no|reg)|reg(?:istration)?\.?\s*no|roc|business\s*reg|"
    r"invoice|receipt|cashier|date|time|table|bill|order|nip|btw|kvk|siret|siren|ust|"
    r"ABN|GSTIN|member|counter|doc)\b|@",
    re.IGNORECASE,
)
_REG_NUMBER = re.compile(r"^\(?\s*(?:co\.?\s*(?:no|reg)\.?|company\s*no\.?)?[\s:.]*"
                         r"[A-Z]{0,3}\d[\d\-A-Z]{3,}[\s\-]*[A-Z]?\s*\)?$", re.IGNORECASE)
_ADDRESS_HINT = re.compile(
    r"\b(?:no\.?|lot|level|tingkat|blk|jalan|jln|lorong|taman|tmn|road|rd|street|st|avenue|ave|lane|floor|"
    r"blok|block|bandar|kampung|kg|batu|persiaran|plaza|building|suite|unit|straße|strasse|"
    r"str\.|weg|rue|ul\.|\d{5})\b",
    re.IGNORECASE,
)


_TRAILING_REG = re.compile(  # '(519537-X)', '862725-U', '(Co. No. 12345 X)' after a name
    r"[\s,]*(?:[(\[{]\s*(?:co\.?\s*(?:no|reg)\.?\s*:?\s*)?\d[\dA-Z]{3,}(?:[\s-]*[A-Z\d])?"
    r"\s*[)\]}]*|(?:co\.?\s*(?:no|reg)\.?\s*:?\s*)?\d{4,}[\s-]*[A-Z]?)$",
    re.IGNORECASE,
)
_JOINER = re.compile(r"^(?:&|and\b|\+|co\.|\(m\))", re.IGNORECASE)


def _vendor_like(line: Line) -> bool:
    priced = any("." in str(f.value) for f in find_amounts(line.text))
    return (line.letters >= 3 and line.letters >= line.digits and not priced
            and not re.search(r"[#%]", line.text)
            and not _TRIVIAL.match(line.text) and not _STOP_ADDRESS.search(line.text)
            and not _REG_NUMBER.match(line.text))


def find_vendor(lines: list[Line], header_lines: int = 6) -> Hit | None:
    """'Seller: X' when labelled; else the top line carrying a company suffix (joined with the
    line above when the suffix stands alone, e.g. 'SDN BHD'); else the first non-trivial line."""
    for i, line in enumerate(lines):
        if m := _SELLER_LABEL.match(line.text):
            value = clean_value(m["value"])
            below = [x for x in lines[i + 1:i + 3] if not x.text.startswith("(")]
            if not value and below:  # 'Service Provider:' with the name below (notes skipped)
                line, value = below[0], clean_value(below[0].text)
            if sum(c.isalpha() for c in value) >= 2:
                return Hit(value, "vendor.labelled", line)
    header = lines[:header_lines]
    for i, line in enumerate(header):
        if not COMPANY_SUFFIX.search(line.text) or _STOP_ADDRESS.search(line.text):
            continue
        name = _TRAILING_REG.sub("", line.text)
        follow = header[i + 1].text if i + 1 < len(header) else ""
        if name.endswith("&") or (follow and COMPANY_SUFFIX.fullmatch(follow)):
            name = f"{name} {_TRAILING_REG.sub('', follow)}"  # name continued on the next line
        if i > 0 and _JOINER.match(name) and _vendor_like(header[i - 1]):
            return Hit(clean_value(f"{header[i - 1].text} {name}"), "vendor.suffix_joined", line)
        stripped = COMPANY_SUFFIX.sub("", name).strip(" .,()")
        if sum(c.isalpha() for c in stripped) < 3 and i > 0 and _vendor_like(header[i - 1]):
            return Hit(clean_value(f"{header[i - 1].text} {name}"), "vendor.suffix_joined", line)
        return Hit(clean_value(name), "vendor.suffix", line)
    for line in header:
        if _vendor_like(line):
            return Hit(clean_value(line.text), "vendor.first_line", line)
    return None


_LEGAL_FORM = re.compile(
    r"\b(?:sdn\.?\s*bhd|bhd|berhad|ltd|limited|inc|incorporated|llc|llp|plc|corp(?:oration)?|"
    r"gmbh|ag|kg|b\.\s?v|n\.\s?v|s\.\s?a|sas|sarl|s\.?r\.?l|sp\.?\s*z\s*o\.?\s*o|pte|pty|"
    r"pvt)\b\.?",
    re.IGNORECASE,
)
_HOST = re.compile(r"(?:@|www\.|https?://)([a-z0-9.-]+\.[a-z]{2,})", re.IGNORECASE)
_NAME_END = re.compile(r"\s+[-–—|]\s+|\s*[,;:(]|\s+(?:au capital|capital|registered)\b",
                       re.IGNORECASE)


def _squash(text: str) -> str:
    return fold_text(text).replace(" ", "")


def find_issuer_by_domain(lines: list[Line], max_lines: int = 80) -> Hit | None:
    """Invoices: the company name that matches the document's own web/e-mail domain
    ('QualityHosting AG' for qualityhosting.de), preferring names with a legal form."""
    domains = {host.lower().split(".")[-2] for line in lines for host in _HOST.findall(line.text)}
    domains = {d.replace("-", "") for d in domains if len(d) >= 3}
    if not domains:
        return None
    best: tuple[int, int, Hit] | None = None
    for line in lines[:max_lines]:
        name = clean_value(_NAME_END.split(line.text, maxsplit=1)[0])
        words = name.split()
        if not 2 <= len(name) <= 60 or len(words) > 6 or "@" in name or "." in words[0]:
            continue
        if sum(c.isalpha() for c in name) < max(2, len(name) // 2):
            continue
        key = _squash(_LEGAL_FORM.sub(" ", name))
        if len(key) < 3 or not any(key.startswith(d.upper()) or d.upper().startswith(key)
                                   for d in domains):
            continue
        rank = 0 if _LEGAL_FORM.search(line.text) else 1
        if best is None or (rank, line.index) < best[:2]:
            best = (rank, line.index, Hit(name, "vendor.domain", line))
    return best[2] if best else None


def find_address(lines: list[Line], vendor: Hit | None, max_lines: int = 5,
                 day_first: bool = True, window: int = 6) -> Hit | None:
    """The vendor's address: starting at the first line after the vendor that looks like an
    address (number, street word, postcode), skipping registration/tax-id lines before it, and
    running until a phone/date/tax-id/label line (a line's text before such a label is kept)."""
    if vendor is None:
        return None
    start = vendor.line.index + 1
    parts: list[str] = []
    first: Line | None = None
    for line in lines[start:start + window + max_lines]:
        stop = _STOP_ADDRESS.search(line.text)
        dated = is_date_line(line, day_first)
        if not parts:
            if line.index >= start + window:
                break
            if stop or dated or not _ADDRESS_HINT.search(line.text):
                continue
        elif stop or dated:
            head = line.text[: stop.start()] if stop else ""
            if stop and sum(c.isalpha() for c in head) >= 3:
                parts.append(head)
            break
        parts.append(line.text)
        first = first or line
        if len(parts) >= max_lines:
            break
    if not parts or first is None:
        return None
    return Hit(clean_value(" ".join([_address_start(parts[0]), *parts[1:]])),
               "address.after_vendor", first)


_LEADING_REG = re.compile(r"^\(\s*[\dA-Z][\dA-Z\s-]{3,}\)\s*", re.IGNORECASE)


def _address_start(text: str) -> str:
    """Drop what precedes the address on its first line: a '(65351-M)' registration id, and
    words without digits before the first street word ("LICENSEE OF X'S LEVEL 6, ...")."""
    text = _LEADING_REG.sub("", text)
    hint = _ADDRESS_HINT.search(text)
    if hint and hint.start() > 0:
        prefix = text[: hint.start()]
        if len(prefix.split()) >= 3 and not any(c.isdigit() for c in prefix):
            return text[hint.start():]
    return text


def date_value(hit: Hit | None) -> dt.date | None:
    return hit.value if hit and isinstance(hit.value, dt.date) else None
