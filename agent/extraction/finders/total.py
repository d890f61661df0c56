"""The amount payable: keyword strength, same-line or column-layout values, rounding."""

from __future__ import annotations

import re
from decimal import Decimal
from difflib import SequenceMatcher

from agent.extraction.finders.base import Hit
from agent.extraction.layout import Line
from agent.extraction.normalize import find_amounts, find_currencies

_NOT_TOTAL = re.compile(  # lines that mention a total but are not the amount payable
    r"sub[\s-]?total|total\s*(?:qty|quantity|items?|disc|discount|savings?|saved|tax|gst|vat|"
    r"excl|excluding|before|w/o|net of|weight|pcs|units?|points?)|items?\s*total|"
    r"(?:tax|gst|vat|sst)\s*(?:total|amount|amt)|rounding\s*adj|change|tendered|"
    r"excl(?:uding|usive|\.)?\s*(?:of\s*)?(?:gst|vat|tax|sst)|before\s*(?:gst|tax)|"
    r"amount\s*excl|net\s*amount|total\s*(?:ht|netto)|netto|untaxed|sans\s+tva|ohne|"
    r"incl(?:udes|uded)\s*[\d.]+\s*%",
    re.IGNORECASE,
)
# (pattern, strength): the strongest keyword on the page wins.
_TOTAL_KEYWORDS: list[tuple[re.Pattern[str], int]] = [
    (re.compile(
        r"round(?:ed|ing)?\s*(?:total|amount|amt)|total\s*round(?:ed|ing)|grand\s*total|"
        r"amount\s*(?:due|payable)|total\s*(?:amount|amt|sales)?\s*(?:due|payable|to\s*pay)|"
        r"final\s*total|balance\s*due|total\s*(?:sales|amount|amt|rm)?\s*\(?\s*(?:incl|with)|"
        r"incl(?:usive|uding|\.)?\s*(?:of\s*)?(?:gst|vat|tax|sst)|nett?\s*total|total\s*nett?\b|"
        r"total\s*ttc|montant\s*ttc|net\s*[àa]\s*payer|totaal\s*(?:te\s*betalen|incl)|"
        r"te\s*betalen|gesamtbetrag|rechnungsbetrag|endbetrag|zu\s*zahlen|"
        r"nale[żz]no[śs][ćc]|do\s*zap[łl]aty",
        re.IGNORECASE), 3),
    (re.compile(r"total\s*(?:amount|amt|sales?|rm|myr|payable)|amount\s*paid|total\s*paid|"
                r"totaal|gesamt|summe|montant\s*total|razem|suma", re.IGNORECASE), 2),
    # bare total, with OCR misreads (TOTA1, T0TAL, a lost first letter)
    (re.compile(r"\b(?:total|[t7][o0]ta[l1]|otal)(?![a-z])|\bjumlah\b", re.IGNORECASE), 1),
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


_CURRENCY_ONLY = re.compile(r"(?<![A-Za-z])(?:RM|MYR|USD|EUR|GBP|SGD)(?![A-Za-z])|[$€£]",
                            re.IGNORECASE)
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


def _like(word: str, target: str) -> bool:
    """`word` is `target` but for an OCR slip or two ('Rourding', 'Adjusthent')."""
    return SequenceMatcher(None, word.lower(), target).ratio() >= 0.8


def _rounded_after_adjustment(lines: list[Line], i: int) -> bool:
    """Line `i` is named just 'Rounding' (and a currency, maybe misread: 'RN', 'RH') and the
    line above it is a rounding adjustment: then it carries the rounded amount payable
    ('Rounding Adjustment RM -.02' then 'Rounding RM 177.20')."""
    if i == 0:
        return False
    words = re.findall(r"[A-Za-z]+", lines[i].text)
    above = re.findall(r"[A-Za-z]+", lines[i - 1].text)
    named = bool(words) and _like(words[0], "rounding") and all(
        len(w) <= 3 for w in words[1:])  # 'RM', or its misreading
    return named and any(_like(w, "rounding") for w in above) and any(
        _like(w, "adjustment") or w.lower() in ("adj", "adjust") for w in above)


def find_total(lines: list[Line]) -> Hit | None:
    """The amount on the strongest TOTAL-like line (or under it, for column layouts).

    Strength: a total just after a rounding adjustment (or a line named just 'Rounding' right
    under one) > grand/rounded/payable/incl.-tax totals > 'total sales/amount' > a bare
    'total'. Ties go to the last such line."""
    candidates: list[tuple[int, Decimal, int, Line, str]] = []
    for i, line in enumerate(lines):
        strength = _keyword_strength(line.text)
        if strength == 0 and _rounded_after_adjustment(lines, i):
            strength = 4
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
