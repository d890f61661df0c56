"""Field evidence: checks, fusion of two readings, location of the source words, confidence."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from agent.extraction.checks import date_plausible, one_currency, total_arithmetic
from agent.extraction.confidence import field_confidence
from agent.extraction.document import read_fields, reading_of
from agent.extraction.layout import split_lines
from agent.extraction.locate import line_words, locate
from agent.extraction.models import ExtractedFields
from agent.ocr.models import OcrEngineInfo, OcrResult, PageText

RECEIPT = """KEDAI MAJU SDN BHD
NO 12 JALAN MERDEKA 81100 JOHOR
Date: 25/12/2018
Sub Total 80.00
GST 6% 4.80
Total RM 84.80
Cash 100.00
Change 15.20"""


def _fields(**values: object) -> ExtractedFields:
    return ExtractedFields(**values)


def test_total_arithmetic_passes_contradicts_or_says_it_cannot_tell() -> None:
    lines = split_lines(RECEIPT)
    ok = total_arithmetic(_fields(total=Decimal("84.80")), lines)
    assert ok.passed is True and "subtotal + tax" in ok.message
    wrong = total_arithmetic(_fields(total=Decimal("94.80")), lines)
    assert wrong.passed is False and "84.80" in wrong.message
    change_only = split_lines("TOTAL 9.50\nCASH 20.00\nCHANGE 10.50")
    assert total_arithmetic(_fields(total=Decimal("9.50")), change_only).passed is True
    assert total_arithmetic(_fields(total=Decimal("9.50")), split_lines("TOTAL 9.50")
                            ).passed is None


def test_a_subtotal_equal_to_the_amount_paid_is_the_total_when_no_total_is_printed() -> None:
    from agent.extraction import extract_fields

    text = "LITTLE SHOP SDN BHD\n18-03-2018\nSUBTOTAL RM53.60\nCASH RM100.00\nCHANGE RM46.40\n"
    fields = extract_fields("receipt", text)
    assert fields.total == Decimal("53.60")
    assert fields.provenance["total"].rule == "total.subtotal_paid"
    unpaid = extract_fields("receipt", text.replace("46.40", "40.00"))
    assert unpaid.total is None  # the subtotal alone says nothing of what was payable


def test_the_amount_paid_must_be_the_total_to_the_cent() -> None:
    """Printed parts may leave out a rounding; what was paid may not: a total 2 cents off the
    amount paid is the amount before rounding."""
    paid = split_lines("TOTAL 177.22\nCREDIT RM 177.20\nCHANGE RM .00")
    before_rounding = total_arithmetic(_fields(total=Decimal("177.22")), paid)
    assert before_rounding.passed is False and "tendered - change = 177.20" in \
        before_rounding.message
    assert total_arithmetic(_fields(total=Decimal("177.20")), paid).passed is True
    parts = split_lines("SUB TOTAL 10.00\nGST 0.63\nTOTAL 10.65")
    assert total_arithmetic(_fields(total=Decimal("10.65")), parts).passed is True


def test_date_and_currency_checks() -> None:
    today = dt.date(2026, 11, 30)
    assert date_plausible(_fields(date=dt.date(2018, 12, 25)), today).passed is True
    assert date_plausible(_fields(date=dt.date(2027, 1, 1)), today).passed is False
    assert one_currency(_fields(), split_lines("Total RM 12.30")).passed is True
    assert one_currency(_fields(), split_lines("Total EUR 12.30\nUSD 13.00")).passed is False


def test_confidence_rises_with_agreement_and_checks_and_falls_on_contradiction() -> None:
    alone = field_confidence(0.9, 0, 0, [])
    assert field_confidence(0.9, 1, 0, []) > alone
    assert field_confidence(0.9, 0, 0, [True]) > alone
    assert field_confidence(0.9, 0, 1, []) < alone
    assert field_confidence(0.99, 1, 0, [False]) <= 0.3
    assert field_confidence(None, 0, 0, []) == 0.5


def _ocr(text: str) -> OcrResult:
    """A one-page OCR result whose word boxes follow the text: word i at x = 100 * i."""
    boxes, y = [], 0
    for line in text.splitlines():
        for i, word in enumerate(line.split()):
            boxes.append((word, 95.0 if word != "84.80" else 61.0, 100 * i, y, 90, 20))
        y += 30
    page = PageText(page=1, text=text, confidence=90.0, method="ocr", seconds=0.1,
                    words=len(boxes), width=1000, height=400, boxes=boxes)
    return OcrResult(sha256="0" * 64, pages=[page], cache_key="k", engine=OcrEngineInfo(
        name="tesseract", version="5", options={}))


def test_the_total_is_located_on_its_words_with_their_confidence() -> None:
    result = _ocr(RECEIPT)
    words = line_words(result)
    assert len(words) == len(split_lines(RECEIPT))
    where = locate("total", Decimal("84.80"), 5, "Total RM 84.80", words)
    assert where is not None and where.page == 1
    assert where.bbox == (200, 150, 90, 20) and where.word_confidence == 0.61
    assert where.image_size == (1000, 400)  # the reader's own image: engines scale differently


def test_fused_readings_carry_sources_agreement_and_a_confirmed_total_wins() -> None:
    wrong = RECEIPT.replace("Total RM 84.80", "Total RM 34.80")
    first = reading_of("receipt", "rapidocr", _ocr(wrong))
    second = reading_of("receipt", "tesseract", _ocr(RECEIPT))
    found = read_fields([first, second], today=dt.date(2026, 11, 30))
    total = found.evidence["total"]
    assert found.fields.total == Decimal("84.80") and total.engine == "tesseract"
    assert total.sources == {"rapidocr": "34.80", "tesseract": "84.80"}
    assert total.agreement == "disagree" and total.checks["total_arithmetic"] is True
    vendor = found.evidence["vendor"]
    assert vendor.agreement == "agree" and vendor.engine == "rapidocr"
    assert vendor.confidence > total.confidence


def test_readings_that_agree_but_for_case_keep_the_consistent_spelling() -> None:
    invoice = "ACME SUPPLIES LTD\nInvoice number: INV-2001\nDate: 2026-03-14\nTotal due: 10.00"
    first = reading_of("invoice", "rapidocr", _ocr(invoice.replace("INV-", "INv-")))
    second = reading_of("invoice", "tesseract", _ocr(invoice))
    found = read_fields([first, second], today=dt.date(2026, 11, 30))
    number = found.evidence["invoice_number"]
    assert found.fields.invoice_number == "INV-2001" and number.engine == "tesseract"
    assert number.agreement == "agree"
    assert read_fields([second, first]).fields.invoice_number == "INV-2001"


def test_readings_that_agree_but_for_spaces_keep_the_spaced_name() -> None:
    receipt = "BLUEBIRD STORE\n8 Main Street\n10115 Berlin\nDate: 2026-03-14\nTOTAL 10.00"
    first = reading_of("receipt", "rapidocr", _ocr(receipt.replace("BLUEBIRD STORE",
                                                                   "BLUEBIRDSTORE")))
    second = reading_of("receipt", "tesseract", _ocr(receipt))
    found = read_fields([first, second], today=dt.date(2026, 11, 30))
    vendor = found.evidence["vendor"]
    assert found.fields.vendor == "BLUEBIRD STORE" and vendor.engine == "tesseract"
    assert vendor.agreement == "agree"
    assert read_fields([second, first]).fields.vendor == "BLUEBIRD STORE"


def test_look_alike_characters_follow_their_token() -> None:
    from agent.extraction.confusables import fix_confusables

    assert fix_confusables("L0T 3, Ja1an SS21/39, 433O0 Leve1 6") == \
        "LOT 3, Jalan SS21/39, 43300 Level 6"
    assert fix_confusables("TOTAL 8O.90 RM1O.00 INV-20417 UPTOWN3") == \
        "TOTAL 80.90 RM1O.00 INV-20417 UPTOWN3"
    assert fix_confusables("Bristol BS1 4QA, London SW1") == "Bristol BS1 4QA, London SW1"
    assert fix_confusables("KMF F00DICI0US SDN BHD ORDER0001") == \
        "KMF FOODICIOUS SDN BHD ORDER0001"
