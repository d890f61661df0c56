"""Normalisers: dates, amounts, currencies, company names."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from agent.extraction.normalize import (
    currency_code,
    find_amounts,
    find_currencies,
    find_dates,
    normalize_company,
    parse_amount,
    parse_date,
)

D = dt.date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("25/12/2018", D(2018, 12, 25)),
        ("25-12-18", D(2018, 12, 25)),
        ("Dec 25, 2018", D(2018, 12, 25)),
        ("December 25 , 2018", D(2018, 12, 25)),
        ("2018-12-25", D(2018, 12, 25)),
        ("25 DEC 2018", D(2018, 12, 25)),
        ("25DEC2018", D(2018, 12, 25)),
        ("25-Dec-18", D(2018, 12, 25)),
        ("12.03.2019", D(2019, 3, 12)),
        ("12/03/2019", D(2019, 3, 12)),  # day-first by default
        ("03/25/2019", D(2019, 3, 25)),  # impossible day-first reading falls back
        ("30- 04-18", D(2018, 4, 30)),  # OCR spacing
        ("19 april 2014", D(2014, 4, 19)),
        ("02 Juillet 2015", D(2015, 7, 2)),
        ("29 maart 2014", D(2014, 3, 29)),
        ("7. März 2020", D(2020, 3, 7)),
    ],
)
def test_parse_date_formats(text: str, expected: dt.date) -> None:
    assert parse_date(text) == expected


def test_month_first_is_configurable() -> None:
    assert parse_date("12/03/2019", day_first=False) == D(2019, 12, 3)


@pytest.mark.parametrize("text", ["", "31/02/2018", "12.30", "45/45/2018", "1.234,56",
                                  "tel 03-2163 2766", "no date here", "13/13/13"])
def test_parse_date_rejects(text: str) -> None:
    assert parse_date(text) is None


def test_find_dates_ignores_ids_and_mixed_separators() -> None:
    text = "ORD #07 -REG #19- 10/03/2018 22:43\nSP-NULL-18/06/04-1016956"
    assert [f.value for f in find_dates(text)] == [D(2018, 3, 10)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1,234.56", Decimal("1234.56")),
        ("1.234,56", Decimal("1234.56")),
        ("RM 12.30", Decimal("12.30")),
        ("RM12.30", Decimal("12.30")),
        ("$1,200", Decimal("1200")),
        ("12 .30", Decimal("12.30")),
        ("EUR 1165.50", Decimal("1165.50")),
        ("49,99 €", Decimal("49.99")),
        ("1.234.567,89", Decimal("1234567.89")),
        ("-5.00", Decimal("-5.00")),
        (4.11, Decimal("4.11")),
    ],
)
def test_parse_amount(text: str | float, expected: Decimal) -> None:
    assert parse_amount(text) == expected


@pytest.mark.parametrize("text", ["", "abc", "12.30 and 4.00", "25/12/2018", "6%", None])
def test_parse_amount_rejects(text: str | None) -> None:
    assert parse_amount(text) is None


def test_find_amounts_skips_percentages_times_and_ids() -> None:
    found = [f.value for f in find_amounts("GST @ 6% 12:30 INV-20417 Total RM8.60")]
    assert found == [Decimal("8.60")]


@pytest.mark.parametrize(("token", "code"), [("RM", "MYR"), ("€", "EUR"), ("£", "GBP"),
                                             ("$", "USD"), ("usd", "USD"), ("zł", "PLN")])
def test_currency_code(token: str, code: str) -> None:
    assert currency_code(token) == code


def test_find_currencies_needs_upper_case_codes() -> None:
    assert [f.value for f in find_currencies("Total EUR 10, paid in eur? RM 3")] == ["EUR", "MYR"]


def test_normalize_company_folds_case_space_punctuation_accents() -> None:
    assert normalize_company("  Acme   Ltd. ") == normalize_company("ACME LTD")
    assert normalize_company("Café Münster GmbH") == "CAFE MUNSTER GMBH"
    assert normalize_company(None) == ""
