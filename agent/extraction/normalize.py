"""Normalisers: dates, amounts, currencies and company names as printed -> canonical values.

Pure functions, no state. Finders (`find_dates`, `find_amounts`) scan free text; parsers
(`parse_date`, `parse_amount`) accept one value and return None when it does not validate.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

MIN_YEAR, MAX_YEAR = 1990, 2100

MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    [
        "jan january janvier januar januari janv stycznia styczen",
        "feb february fevrier février februar februari fevr févr lutego luty",
        "mar march mars märz maerz maart marca marzec",
        "apr april avril kwietnia kwiecien avr",
        "may mai mei maja maj",
        "jun june juin juni czerwca czerwiec",
        "jul july juillet juli lipca lipiec juil",
        "aug august aout août augustus sierpnia sierpien",
        "sep sept september septembre wrzesnia wrzesien",
        "oct october octobre oktober okt pazdziernika pazdziernik",
        "nov november novembre listopada listopad",
        "dec december decembre décembre dezember dez grudnia grudzien",
    ],
    start=1,
):
    for _name in _names.split():
        MONTHS[_name] = _number
        MONTHS["".join(c for c in unicodedata.normalize("NFKD", _name)
                       if not unicodedata.combining(c))] = _number  # 'märz' -> 'marz' too

_MONTH_RE = "|".join(sorted((re.escape(m) for m in MONTHS), key=len, reverse=True))
_DATE_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("ymd", re.compile(r"(?<!\d)(?P<y>(?:19|20)\d\d)(?P<s>[-/.])(?P<m>\d{1,2})(?P=s)"
                       r"(?P<d>\d{1,2})(?!\d)")),
    ("dmy", re.compile(r"(?<![\w.\-/])(?P<a>\d{1,2})\s?(?P<s>[-/.])\s?(?P<b>\d{1,2})"
                       r"\s?(?P=s)\s?(?P<y>(?:19|20)?\d\d)"
                       r"(?:(?=\d{1,2}:\d\d)|(?![\d]|[.,\-/]\d))")),  # or a time glued on
    ("d_mon_y", re.compile(rf"(?<![\w])(?P<d>\d{{1,2}})(?:st|nd|rd|th|er)?(?:\.\s?|[\s\-/])?"
                           rf"(?P<mon>{_MONTH_RE})(?![^\W\d_])\.?[\s\-/.,']*"
                           rf"(?P<y>(?:19|20)?\d\d)(?!\d)",
                           re.IGNORECASE)),
    ("mon_d_y", re.compile(rf"(?<![\w])(?P<mon>{_MONTH_RE})(?![^\W\d_])\.?\s*(?P<d>\d{{1,2}})"
                           rf"(?:st|nd|rd|th)?\s*,?\s*(?P<y>(?:19|20)\d\d)(?!\d)", re.IGNORECASE)),
]


@dataclass(frozen=True)
class Found:
    """A value found in text, with the span it came from."""

    value: object
    start: int
    end: int
    rule: str


def _fold(text: str) -> str:
    """Lower case without accents (for month names)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def _year(raw: str) -> int:
    year = int(raw)
    return year + 2000 if year < 100 else year


def _make_date(year: int, month: int, day: int) -> dt.date | None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _date_from_match(rule: str, m: re.Match[str], day_first: bool) -> dt.date | None:
    if rule == "ymd":
        return _make_date(int(m["y"]), int(m["m"]), int(m["d"]))
    if rule == "dmy":
        a, b, year = int(m["a"]), int(m["b"]), _year(m["y"])
        first, second = (a, b) if day_first else (b, a)
        return _make_date(year, second, first) or _make_date(year, first, second)
    month = MONTHS.get(_fold(m["mon"]).rstrip("."))
    if month is None:
        return None
    return _make_date(_year(m["y"]), month, int(m["d"]))


def find_dates(text: str, day_first: bool = True) -> list[Found]:
    """Every valid date in `text`, in reading order (overlapping matches dropped).

    Numeric dates like 03/04/2019 are read day-first unless `day_first=False`; a reading that
    is impossible (month 13) falls back to the other order.
    """
    found: list[Found] = []
    for rule, pattern in _DATE_PATTERNS:
        for m in pattern.finditer(text):
            value = _date_from_match(rule, m, day_first)
            if value is None:
                continue
            if any(m.start() < f.end and f.start < m.end() for f in found):
                continue
            found.append(Found(value, m.start(), m.end(), rule))
    return sorted(found, key=lambda f: f.start)


def parse_date(value: str | dt.date | None, day_first: bool = True) -> dt.date | None:
    """One date in any supported format -> `datetime.date`, or None."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    dates = find_dates(str(value).strip(), day_first)
    return dates[0].value if dates else None  # type: ignore[return-value]


# ---------------------------------------------------------------- amounts

CURRENCY_SYMBOLS: dict[str, str] = {
    "RM": "MYR", "€": "EUR", "£": "GBP", "$": "USD", "US$": "USD", "S$": "SGD", "₹": "INR",
    "RS.": "INR", "RS": "INR", "ZŁ": "PLN", "ZL": "PLN", "¥": "JPY", "CHF": "CHF", "FR.": "CHF",
    "A$": "AUD", "C$": "CAD", "HK$": "HKD", "RP": "IDR", "₱": "PHP", "฿": "THB",
}
ISO_CODES = {
    "EUR", "USD", "GBP", "MYR", "SGD", "INR", "PLN", "CHF", "JPY", "CNY", "AUD", "CAD",
    "HKD", "IDR", "THB", "PHP", "SEK", "NOK", "DKK", "CZK", "HUF", "NZD", "ZAR", "BRL",
    "MXN", "KRW", "TWD", "VND", "AED", "SAR", "TRY", "RON",
}

_CURRENCY_TOKEN = re.compile(
    r"(?<![A-Za-z])(?:" + "|".join(sorted(ISO_CODES, key=len, reverse=True)) +
    r"|US\$|S\$|A\$|C\$|HK\$|RM|Rs\.?|zł|zl)(?![A-Za-z])|[€£$₹¥₱฿]",
    re.IGNORECASE,
)
_AMOUNT_RE = re.compile(
    r"(?<![\w.,/:-])(?P<neg>-\s?)?(?P<int>\d{1,3}(?:(?P<th>[,.'])\d{3})(?:(?P=th)\d{3})*|\d+)"
    r"(?:\s?(?P<dec>[.,])\s?(?P<frac>\d{2})|(?P<dec1>[.,])(?P<frac1>\d))?(?![\d])"
    r"(?![.,/:-]\d)(?!\s?%)"
)


def currency_code(token: str) -> str | None:
    """A currency symbol or code as printed -> ISO code ('RM' -> 'MYR', '€' -> 'EUR')."""
    raw = token.strip().upper()
    if raw in ISO_CODES:
        return raw
    return CURRENCY_SYMBOLS.get(raw) or CURRENCY_SYMBOLS.get(raw.rstrip("."))


def find_currencies(text: str) -> list[Found]:
    """Currency symbols and ISO codes in `text`, as ISO codes, in reading order."""
    found = []
    for m in _CURRENCY_TOKEN.finditer(text):
        token = m.group(0)
        if token.isalpha() and token.upper() in ISO_CODES and not token.isupper():
            continue  # "eur" inside prose, "Usd" ... only upper-case codes count
        code = currency_code(token)
        if code:
            found.append(Found(code, m.start(), m.end(), "currency.token"))
    return found


def _amount_value(m: re.Match[str]) -> Decimal | None:
    integer, sep = m["int"], m["th"]
    frac = m["frac"] if m["frac"] is not None else m["frac1"]
    dec = m["dec"] or m["dec1"]
    if sep and dec == sep:  # "1.234.567" with no decimal part matched oddly: treat as int
        return None
    digits = integer.replace(sep, "") if sep else integer
    if sep is None and frac is None and len(digits) > 9:
        return None  # a phone or id number, not an amount
    text = digits + (f".{frac}" if frac is not None else "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return -value if m["neg"] else value


def find_amounts(text: str) -> list[Found]:
    """Money-like numbers in `text` ('1,234.56', '1.234,56', '12 .30', '$1,200') in order.

    The value carries no currency; numbers glued to letters or slashes (ids, dates) are skipped.
    """
    masked = _CURRENCY_TOKEN.sub(lambda m: " " * len(m.group(0)), text)  # 'RM12.30' -> '  12.30'
    found = []
    for m in _AMOUNT_RE.finditer(masked):
        value = _amount_value(m)
        if value is not None:
            found.append(Found(value, m.start(), m.end(), "amount"))
    return found


def parse_amount(value: str | int | float | Decimal | None) -> Decimal | None:
    """One amount as printed ('RM 12.30', '1.234,56 EUR', '$1,200') -> Decimal, or None."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, int | float):
        return Decimal(str(value))
    text = _CURRENCY_TOKEN.sub(" ", str(value)).strip()
    amounts = find_amounts(text)
    if len(amounts) != 1:
        return None
    only = amounts[0]
    rest = (text[: only.start] + text[only.end:]).strip(" :=*")
    return None if rest else only.value  # type: ignore[return-value]


def same_amount(a: Decimal | None, b: Decimal | None) -> bool:
    return a is not None and b is not None and a.quantize(Decimal("0.01")) == b.quantize(
        Decimal("0.01"))


# ---------------------------------------------------------------- names and text

_PUNCT = re.compile(r"[^\w\s]")
_SPACES = re.compile(r"\s+")


def fold_text(text: str | None) -> str:
    """Comparison key: accents stripped, upper case, punctuation dropped, spaces collapsed."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).upper()
    return _SPACES.sub(" ", _PUNCT.sub(" ", plain)).strip()


def normalize_company(name: str | None) -> str:
    """Company comparison key: `fold_text` (so 'Acme  Ltd.' == 'ACME LTD')."""
    return fold_text(name)


def clean_value(text: str) -> str:
    """Display form: collapsed whitespace, stray separators trimmed."""
    return _SPACES.sub(" ", text).strip(" \t:;,-|*_=")
