"""Cross-field checks: do the numbers printed on the document agree with the extracted fields?

Each check says passed (True), contradicted (False) or not applicable (None, nothing to check
against), which fields it speaks for, and why. They feed the fields' confidence and the
`checks_pass` rule.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from pydantic import BaseModel, Field

from agent.extraction.layout import Line
from agent.extraction.models import ExtractedFields
from agent.extraction.normalize import find_amounts, find_currencies

TOLERANCE = Decimal("0.02")  # printed parts may leave out a rounding of up to 2 cents
PAID_TOLERANCE = Decimal("0.005")  # the amount paid is the total itself, rounding included

_SUBTOTAL = re.compile(r"sub[\s-]?total|total\s*(?:excl|before|w/o|net\b)|amount\s*excl|"
                       r"total\s*(?:sales\s*)?\(?excl", re.IGNORECASE)
_TAX = re.compile(r"\b(?:gst|vat|sst|tax|tva|mwst|btw|ust)\b(?!\s*(?:no|reg|id|invoice|summary))",
                  re.IGNORECASE)
_ROUNDING = re.compile(r"round(?:ing)?\s*(?:adj|adjustment)?|pembundaran", re.IGNORECASE)
_TENDERED = re.compile(r"\b(?:cash|tender(?:ed)?|paid|payment|tunai|visa|master|card|credit)\b",
                       re.IGNORECASE)
_CHANGE = re.compile(r"\b(?:change|baki|kembali)\b", re.IGNORECASE)


class CheckResult(BaseModel):
    name: str
    passed: bool | None = Field(description="None when there was nothing to check against.")
    fields: list[str] = Field(description="The fields this check speaks for.")
    message: str


_CENTS_ONLY = re.compile(r"(?<![\d.,])[.,](\d{2})\b")  # 'CHANGE RM .00', OCR's ',00'


def _last_amount(line: Line) -> Decimal | None:
    values = [f.value for f in find_amounts(line.text) if isinstance(f.value, Decimal)]
    with_cents = [v for v in values if "." in str(v)]
    if not with_cents and (cents := _CENTS_ONLY.findall(line.text)):
        return Decimal(f"0.{cents[-1]}")
    return with_cents[-1] if with_cents else None


def _first(lines: list[Line], pattern: re.Pattern[str],
           exclude: re.Pattern[str] | None = None) -> Decimal | None:
    for line in lines:
        wanted = pattern.search(line.text) and not (exclude and exclude.search(line.text))
        if wanted and (value := _last_amount(line)) is not None:
            return value
    return None


def amount_paid(lines: list[Line]) -> Decimal | None:
    """Tendered - change, when both are printed."""
    tendered = _first(lines, _TENDERED, exclude=_CHANGE)
    change = _first(lines, _CHANGE)
    return None if tendered is None or change is None else tendered - change


def paid_subtotal(lines: list[Line]) -> tuple[Decimal, Line] | None:
    """For receipts that print no total line: a subtotal equal, to the cent, to the amount paid
    (the subtotal is then the total: nothing was added after it)."""
    paid = amount_paid(lines)
    if paid is None:
        return None
    for line in lines:
        if _SUBTOTAL.search(line.text) and (value := _last_amount(line)) is not None:
            return (value, line) if value > 0 and abs(value - paid) <= PAID_TOLERANCE else None
    return None


def total_arithmetic(fields: ExtractedFields, lines: list[Line]) -> CheckResult:
    """The total equals subtotal + tax (+ rounding), or cash tendered - change. Printed parts
    may leave a rounding of a few cents unprinted; the amount paid (tendered - change) may not:
    a total that differs from it is the amount before rounding, not the amount payable."""
    total = fields.total
    if total is None:
        return CheckResult(name="total_arithmetic", passed=None, fields=["total"],
                           message="no total to check")
    subtotal = _first(lines, _SUBTOTAL)
    tax = _first(lines, _TAX, exclude=re.compile(r"sub[\s-]?total|incl|total\s*(?:amount|"
                                                  r"incl)", re.IGNORECASE))
    rounding = _first(lines, _ROUNDING) or Decimal("0")
    if rounding and any(_ROUNDING.search(x.text) and "-" in x.text for x in lines):
        rounding = -abs(rounding)
    paid = amount_paid(lines)
    sums: dict[str, Decimal] = {}
    if subtotal is not None and tax is not None:
        sums["subtotal + tax"] = subtotal + tax
        sums["subtotal + tax + rounding"] = subtotal + tax + rounding
    if subtotal is not None:
        sums["subtotal + rounding"] = subtotal + rounding
    if paid is not None:
        sums["tendered - change"] = paid
    if not sums:
        return CheckResult(name="total_arithmetic", passed=None, fields=["total"],
                           message="no subtotal, tax or tendered/change amounts printed")
    for how, value in sums.items():
        if abs(value - total) <= (PAID_TOLERANCE if how == "tendered - change" else TOLERANCE):
            return CheckResult(name="total_arithmetic", passed=True, fields=["total"],
                               message=f"total {total} = {how} ({value})")
    shown = ", ".join(f"{how} = {value}" for how, value in sums.items())
    return CheckResult(name="total_arithmetic", passed=False, fields=["total"],
                       message=f"total {total} does not match the printed amounts ({shown})")


def date_plausible(fields: ExtractedFields, today: dt.date, max_age_years: int = 30
                   ) -> CheckResult:
    """A document date neither in the future nor older than `max_age_years`."""
    if fields.date is None:
        return CheckResult(name="date_plausible", passed=None, fields=["date"],
                           message="no date to check")
    oldest = today.replace(year=today.year - max_age_years)
    ok = oldest <= fields.date <= today
    return CheckResult(name="date_plausible", passed=ok, fields=["date"],
                       message=f"date {fields.date} {'is' if ok else 'is not'} between "
                       f"{oldest} and {today}")


def one_currency(fields: ExtractedFields, lines: list[Line]) -> CheckResult:
    """Every currency printed is the same one (two currencies: which one is the total in?)."""
    seen = sorted({str(f.value) for line in lines for f in find_currencies(line.text)})
    if not seen:
        return CheckResult(name="one_currency", passed=None, fields=["currency", "total"],
                           message="no currency printed")
    ok = len(seen) == 1
    return CheckResult(name="one_currency", passed=ok, fields=["currency", "total"],
                       message=f"currencies printed: {', '.join(seen)}")


def run_checks(fields: ExtractedFields, lines: list[Line],
               today: dt.date | None = None) -> list[CheckResult]:
    today = today or dt.date.today()
    return [total_arithmetic(fields, lines), date_plausible(fields, today),
            one_currency(fields, lines)]
