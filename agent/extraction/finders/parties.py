"""Who issued the document: vendor name (header, seller label, own web domain), address."""

from __future__ import annotations

import re

from agent.extraction.finders.base import Hit
from agent.extraction.finders.dates import is_date_line
from agent.extraction.layout import Line
from agent.extraction.legal_names import LEGAL_FORM, repair_legal_suffix
from agent.extraction.normalize import clean_value, find_amounts, fold_text

COMPANY_SUFFIX = re.compile(  # legal forms and shop words that end a business name
    r"\b(?:sdn\.?\s*bhd|s/b|bhd|berhad|sdn|ltd|limited|inc|incorporated|llc|llp|plc|"
    r"corp(?:oration)?|co\.?\s*ltd|gmbh|ag|kg|b\.?\s?v|n\.?\s?v|s\.?\s?a|s\.?\s?a\.?\s?s|sarl|"
    r"s\.?r\.?l|sp\.?\s*z\s*o\.?\s*o|spółka|pte|pty|enterprise|enterprises|trading|company|"
    r"restaurant|restoran|hardware|store|stores|mart|supermarket|shop|café|cafe|bakery|"
    r"pharmacy|services?)\b\.?",
    re.IGNORECASE,
)
_TRIVIAL = re.compile(  # header lines that are not the vendor
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
_STOP_ADDRESS = re.compile(  # phone, tax id, labels: the address has ended
    r"\b\d{2,4}-\d{3,4}\s?\d{3,4}\b|taxinvoice|@|"
    r"\b(?:tel|telephone|phone|fax|whatsapp|h/?p|mobile|telefon|email|e-mail|www\.|http|gst|"
    r"sst|vat|tax|co\.?\s*(?:no|reg)|co[mn]pany\s*(?:no|reg)|reg(?:istration)?\.?\s*no|roc|"
    r"business\s*reg|invoice|receipt|cashier|date|time|table|bill|order|nip|btw|kvk|siret|"
    r"siren|ust|ABN|GSTIN|member|counter|doc)\b",
    re.IGNORECASE,
)
_REG_NUMBER = re.compile(r"^\(?\s*(?:co\.?\s*(?:no|reg)\.?|co[mn]pany\s*no\.?)?[\s:.]*"
                         r"[A-Z]{0,3}\d[\d\-A-Z]{3,}[\s\-]*[A-Z]?\s*\)?$", re.IGNORECASE)
ADDRESS_HINT = re.compile(  # words and numbers that start or mark a postal address
    r"\b(?:no\.?|lot|level|tingkat|blk|jalan|jln|lorong|taman|tmn|road|rd|street|st|avenue|"
    r"ave|lane|floor|blok|block|bandar|kampung|kg|batu|persiaran|plaza|building|suite|unit|"
    r"straße|strasse|str\.|weg|rue|ul\.|\d{5})\b"
    r"|^\d{1,4}[A-Z]?,?\s+[A-Z][A-Za-z]{2,}\s+[A-Z][a-z]+\b",  # '21 Elm Grove': number, name
    re.IGNORECASE,
)
_LONG_NUMBER = re.compile(  # no postal address holds 7 digits in a row; 'TE1' is 'TEL' misread
    r"\d{7,}|\bte[1il]\b", re.IGNORECASE)
_TRAILING_REG = re.compile(  # '(519537-X)', '862725-U', '(Co. No. 12345 X)' after a name
    r"[\s,]*(?:[(\[{]\s*(?:co\.?\s*(?:no|reg)\.?\s*:?\s*)?\d[\dA-Z]{3,}(?:[\s-]*[A-Z\d])?"
    r"\s*[)\]}]*|(?:co\.?\s*(?:no|reg)\.?\s*:?\s*)?\d{4,}[\s-]*[A-Z]?)$",
    re.IGNORECASE,
)
_JOINER = re.compile(r"^(?:&|and\b|\+|co\.|\(m\))", re.IGNORECASE)


def vendor_like(line: Line) -> bool:
    """Could this line be a business name (letters, no prices, no labels, ids or contacts)?"""
    priced = any("." in str(f.value) for f in find_amounts(line.text))
    return (line.letters >= 3 and line.letters >= line.digits and not priced
            and not re.search(r"[#%]", line.text)
            and not _TRIVIAL.match(line.text) and not _STOP_ADDRESS.search(line.text)
            and not _REG_NUMBER.match(line.text))


def find_vendor(lines: list[Line], header_lines: int = 6) -> Hit | None:
    """'Seller: X' when labelled; else the top line naming a legal entity (`SDN BHD`, `S/B`,
    `LTD`, ...: the issuer of a tax receipt, also when a brand or shop line stands above it),
    else the top line carrying a shop word (joined with the line above when the suffix stands
    alone, e.g. 'SDN BHD'); else the first non-trivial line. Legal suffixes OCR misread
    (`INTERNATIONALSDN`, `SIN BHD`, `5/B`) are put right in the value
    (`agent.extraction.legal_names`)."""
    for i, line in enumerate(lines):
        if m := _SELLER_LABEL.match(line.text):
            value = clean_value(m["value"])
            below = [x for x in lines[i + 1:i + 3] if not x.text.startswith("(")]
            if not value and below:  # 'Service Provider:' with the name below (notes skipped)
                line, value = below[0], clean_value(below[0].text)
            if sum(c.isalpha() for c in value) >= 2:
                return Hit(value, "vendor.labelled", line)
    raw = lines[:header_lines]
    header = [Line(x.index, repair_legal_suffix(x.text).text) for x in raw]
    for pattern in (LEGAL_FORM, COMPANY_SUFFIX):
        for i, line in enumerate(header):
            if pattern.search(line.text) and not _STOP_ADDRESS.search(line.text):
                value, rule = _suffix_name(header, i)
                return Hit(value, rule, raw[i])
    for line in raw:
        if vendor_like(line):
            return Hit(clean_value(line.text), "vendor.first_line", line)
    return None


def _suffix_name(header: list[Line], i: int) -> tuple[str, str]:
    """The name on header line `i` (which carries a suffix), joined with the line above or
    below when the name is split over two lines."""
    line = header[i]
    name = _TRAILING_REG.sub("", line.text)
    follow = header[i + 1].text if i + 1 < len(header) else ""
    if name.endswith("&") or (follow and COMPANY_SUFFIX.fullmatch(follow)):
        name = f"{name} {_TRAILING_REG.sub('', follow)}"  # name continued on the next line
    if i > 0 and _JOINER.match(name) and vendor_like(header[i - 1]):
        return clean_value(f"{header[i - 1].text} {name}"), "vendor.suffix_joined"
    stripped = COMPANY_SUFFIX.sub("", name).strip(" .,()")
    if sum(c.isalpha() for c in stripped) < 3 and i > 0 and vendor_like(header[i - 1]):
        return clean_value(f"{header[i - 1].text} {name}"), "vendor.suffix_joined"
    return clean_value(name), "vendor.suffix"


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
            if (stop or dated or not ADDRESS_HINT.search(line.text)
                    or _REG_NUMBER.match(line.text)):
                continue  # a registration number ('(65351-M)') is not where it starts
        elif stop or dated or _LONG_NUMBER.search(line.text):
            head = line.text[: stop.start()] if stop else ("" if dated else line.text)
            if number := _LONG_NUMBER.search(head):  # a phone or tax number ends it too
                head = head[: number.start()]
                head = head if ADDRESS_HINT.search(head) else ""
            if sum(c.isalpha() for c in head) >= 3:
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
    hint = ADDRESS_HINT.search(text)
    if hint and hint.start() > 0:
        prefix = text[: hint.start()]
        if len(prefix.split()) >= 3 and not any(c.isdigit() for c in prefix):
            return text[hint.start():]
    return text
