"""Deterministic extractors on text snippets written for these tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from agent.extraction import (
    EXTRACTOR_VERSION,
    ExtractedFields,
    ExtractionOptions,
    extract_fields,
    register,
    registered_types,
)

RECEIPT = """\
TAN AH KOW
KEDAI RUNCIT MAJU JAYA SDN BHD
(123456-K)
NO 12, JALAN MERANTI 3,
TAMAN BUKIT INDAH, 81200 JOHOR BAHRU
TEL: 07-123 4567
GST ID: 000123456789
TAX INVOICE
Receipt No: CS-000912          Date: 03/04/2019 14:22
MILO 1KG          2     31.80
ROTI GARDENIA     1      3.90
SUB TOTAL               35.70
ROUNDING ADJ            -0.00
TOTAL ROUNDED           35.70
CASH                    50.00
CHANGE                  14.30
GST SUMMARY   AMOUNT(RM)  TAX(RM)
SR @ 6%           33.68     2.02
"""

COLUMN_RECEIPT = """\
MINI MART HARMONI ENTERPRISE
LOT 5, JALAN HARMONI 2
81100 JOHOR BAHRU
25-12-18 10:05
ITEM A 9.50
TOTAL SALES (EXCLUDING GST)
DISCOUNT
TOTAL SALES (INCLUSIVE OF GST)
CASH
RM
18.90
0.00
19.00
20.00
"""

INVOICE = """\
Globex Trading GmbH
Hauptstraße 5, 10115 Berlin
Rechnungsnr.: RE-2024-0042
Rechnungsdatum: 7. März 2024
Fälligkeitsdatum: 21.03.2024
Pos  Beschreibung         Betrag
1    Beratung            1.000,00 €
Summe netto          1.000,00 €
MwSt 19 %              190,00 €
Gesamtbetrag         1.190,00 €
"""


def test_receipt_fields_and_provenance() -> None:
    fields = extract_fields("receipt", RECEIPT)
    assert fields.vendor == "KEDAI RUNCIT MAJU JAYA SDN BHD"
    assert fields.address == "NO 12, JALAN MERANTI 3, TAMAN BUKIT INDAH, 81200 JOHOR BAHRU"
    assert fields.date == dt.date(2019, 4, 3)
    assert fields.total == Decimal("35.70")
    assert fields.invoice_number == "CS-000912"
    assert fields.currency == "MYR"  # from 'AMOUNT(RM)'
    assert fields.doc_type == "receipt" and fields.extractor_version == EXTRACTOR_VERSION
    total = fields.provenance["total"]
    assert total.extractor == "receipt" and total.snippet == "TOTAL ROUNDED 35.70"
    assert total.rule.startswith("total.keyword") and total.line is not None
    assert set(fields.provenance) == {"vendor", "address", "date", "total", "invoice_number",
                                      "currency"}


def test_receipt_column_layout_and_two_digit_year() -> None:
    fields = extract_fields("receipt", COLUMN_RECEIPT)
    assert fields.vendor == "MINI MART HARMONI ENTERPRISE"
    assert fields.address == "LOT 5, JALAN HARMONI 2 81100 JOHOR BAHRU"
    assert fields.date == dt.date(2018, 12, 25)
    assert fields.total == Decimal("19.00")  # third label -> third value, not the excl. one
    assert fields.provenance["total"].rule.startswith("total.column_block")


def test_a_line_named_rounding_under_a_rounding_adjustment_is_the_amount_payable() -> None:
    text = ("MINI MART HARMONI S/B\n25-12-18\nTotal Sales (Inclusive GST) RM 177.22\n"
            "Rounding Adjustment RM -.02\nRounding RM 177, 20\nCASH RM 200.00\n")
    fields = extract_fields("receipt", text)
    assert fields.total == Decimal("177.20")
    assert fields.provenance["total"].snippet.startswith("Rounding RM")
    # a bare rounding line with no adjustment above it is the adjustment itself
    plain = extract_fields("receipt", "SHOP\nTOTAL 10.03\nROUNDING 0.02\nCASH 20.00\n")
    assert plain.total == Decimal("10.03")


def test_invoice_german_labels_and_european_amounts() -> None:
    fields = extract_fields("invoice", INVOICE)
    assert fields.vendor == "Globex Trading GmbH"
    assert fields.invoice_number == "RE-2024-0042"
    assert fields.date == dt.date(2024, 3, 7)  # the invoice date, not the due date
    assert fields.total == Decimal("1190.00")
    assert fields.currency == "EUR"


def test_labelled_seller_wins_over_top_line() -> None:
    text = "Faktura nr: F 12/2021\nSprzedawca: Stacja Paliw Sp. z o.o.\nRazem: 316,83 PLN"
    fields = extract_fields("invoice", text)
    assert fields.vendor == "Stacja Paliw Sp. z o.o."
    assert fields.provenance["vendor"].rule == "vendor.labelled"
    assert fields.total == Decimal("316.83") and fields.currency == "PLN"


def test_month_first_option() -> None:
    text = "ACME INC\nDate: 04/03/2019\nTotal $12.00"
    us = extract_fields("receipt", text, ExtractionOptions(day_first=False))
    assert us.date == dt.date(2019, 4, 3)
    assert us.currency == "USD"


def test_unknown_type_and_empty_text_give_empty_model() -> None:
    for fields in (extract_fields("letter", RECEIPT), extract_fields("invoice", "  \n")):
        assert fields.values() == dict.fromkeys(fields.values())
        assert fields.provenance == {}
    assert extract_fields("letter", RECEIPT).doc_type == "letter"


def test_registry_accepts_new_types() -> None:
    @register("test_purchase_order")
    def _po(text: str, options: ExtractionOptions) -> ExtractedFields:
        return ExtractedFields(doc_type="test_purchase_order", invoice_number=text.strip())

    assert "test_purchase_order" in registered_types()
    assert {"invoice", "receipt"} <= set(registered_types())
    assert extract_fields("test_purchase_order", "PO-1").invoice_number == "PO-1"


def test_values_serialise_iso_date_and_decimal_total() -> None:
    values = extract_fields("receipt", RECEIPT).values()
    assert values["date"] == "2019-04-03"
    assert values["total"] == "35.70"


def test_address_skips_registration_ids_and_licence_notes() -> None:
    text = ("GOLDEN ARCHES RESTAURANTS SDN BHD\n(65351-M) LICENSEE OF MCDONALD'S LEVEL 6, "
            "BANGUNAN TH\nNO.3, JALAN SS21/39, 47400 PETALING JAYA\nTAXINVOICE\nTOTAL 8.60")
    fields = extract_fields("receipt", text)
    assert fields.address == "LEVEL 6, BANGUNAN TH NO.3, JALAN SS21/39, 47400 PETALING JAYA"


def test_invoice_number_on_the_line_below_its_label() -> None:
    text = "OYSTER HOTELS PVT LTD\nBooking ID\nIBZY2087\nINVOICE NO:\n: SP-18/06/04-1016956"
    fields = extract_fields("invoice", text)
    assert fields.invoice_number == "SP-18/06/04-1016956"
    assert fields.provenance["invoice_number"].rule == "invoice_number.invoice_next_line"
    assert extract_fields("invoice", "Booking ID\nIBZY2087").invoice_number == "IBZY2087"


def test_address_starts_after_a_registration_line_and_ends_at_a_misread_company_no() -> None:
    text = ("GERBANG ALAF RESTAURANTS SDN BHD\n(65351-M)\nLicensee of McDonald's\n"
            "Level 6, Bangunan TH, Damansara Uptown3\nNo.3, Jalan SS21/39, 47400 Petaling Jaya\n"
            "(GST ID No: 000504664064)\nTotal 12.00")
    assert extract_fields("receipt", text).address == \
        "Level 6, Bangunan TH, Damansara Uptown3 No.3, Jalan SS21/39, 47400 Petaling Jaya"
    shell = "SHELL ISNI PETRO TRADING\nConpany No :002643278-A\nLOT 2685 JLN GENTING KLANG\n" \
            "53300 KL\nTelephone 03-40212008\nTotal 12.00"
    assert extract_fields("receipt", shell).address == "LOT 2685 JLN GENTING KLANG 53300 KL"
