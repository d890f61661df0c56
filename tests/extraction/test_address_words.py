"""Receipt addresses: misread address words put right where the readings disagree, phone and tax
numbers ending the address (agent.extraction.address_words, finders.parties.find_address)."""

from __future__ import annotations

import pytest

from agent.extraction import extract_fields
from agent.extraction.address_words import nearest_word, repair_address
from agent.extraction.document import DocumentFields, read_fields, reading_of
from tests.extraction.ocr_fixtures import ocr_result

TAIL = "Date: 25/12/2018\nTotal RM 84.80"


@pytest.mark.parametrize(("read", "written"), [
    ("KAWASAN PERINOUSTRIAN TAMPOI", "KAWASAN PERINDUSTRIAN TAMPOI"),  # one letter
    ("43300 SERI KENBANGAN, SELANGOR.", "43300 SERI KEMBANGAN, SELANGOR."),  # punctuation kept
    ("Ground Foor, Wsma UOA", "Ground Floor, Wisma UOA"),  # a dropped letter; case kept
    ("43300 SER I KEMBANGAN SELANGO R", "43300 SERI KEMBANGAN SELANGOR"),  # split words joined
    ("40300 SHAHALAM", "40300 SHAH ALAM"),  # run-together words split
    ("JALAN TAMPOI 7/4 TAMPOI81200 JOHOR", "JALAN TAMPOI 7/4 TAMPOI 81200 JOHOR"),  # postcode
    ("JALAN LPOH BATU 5", "JALAN IPOH BATU 5"),  # same length: the first letter may change
])
def test_misread_address_words_are_put_right(read: str, written: str) -> None:
    repair = repair_address(read)
    assert repair.text == written and repair.changes


@pytest.mark.parametrize("printed", [
    "NO 8 JALAN 7/118B DESA TUN RAZAK 56000 KUALA LUMPUR",  # every word known or short
    "LOT P.T. 2811 JALAN ANGSA TAMAN BERKELEY",  # 'ANGSA' would need a new first letter
    "JALAN SS21/39 UPTOWN3",  # codes with digits are not words
    "JALAN RALA",  # 'RAJA' and 'RAYA' are both one edit away: no unique word
])
def test_words_the_vocabulary_cannot_settle_are_left_alone(printed: str) -> None:
    assert repair_address(printed).text == printed
    assert repair_address(printed).changes == ()


def test_a_word_every_reading_printed_the_same_way_is_kept() -> None:
    assert nearest_word("TAHAN") == "TAMAN"
    assert repair_address("JALAN TAHAN 3", confirmed={"TAHAN"}).text == "JALAN TAHAN 3"
    assert repair_address("JALAN TAHAN 3").text == "JALAN TAMAN 3"


def _fields(*texts: str) -> DocumentFields:
    engines = ("rapidocr", "tesseract")
    return read_fields([reading_of("receipt", engine, ocr_result(text, engine))
                        for engine, text in zip(engines, texts, strict=False)])


def test_two_readings_disagreeing_on_a_word_get_it_spelled_right_with_the_repair_recorded(
) -> None:
    first = f"KEDAI MAJU SDN BHD\nNO 42 JALAN PBS 14/11\nTAMAN PERINOUSTRIAN\n{TAIL}"
    second = first.replace("PERINOUSTRIAN", "PERINDUSTRLAN")
    found = _fields(first, second)
    assert found.fields.address == "NO 42 JALAN PBS 14/11 TAMAN PERINDUSTRIAN"
    evidence = found.evidence["address"]
    assert evidence.repairs == ["PERINOUSTRIAN -> PERINDUSTRIAN"]
    assert evidence.sources == {"rapidocr": "NO 42 JALAN PBS 14/11 TAMAN PERINOUSTRIAN",
                                "tesseract": "NO 42 JALAN PBS 14/11 TAMAN PERINDUSTRLAN"}
    # both readings printed it so: a street name the vocabulary lacks, kept
    same = _fields(first, first)
    assert same.fields.address.endswith("PERINOUSTRIAN") and same.evidence["address"].repairs == []
    # one reading alone cannot tell a misreading from such a name
    alone = _fields(first)
    assert alone.fields.address.endswith("PERINOUSTRIAN")
    assert alone.evidence["address"].repairs == []
    # not a receipt: no Malaysian vocabulary applied
    invoice = read_fields([reading_of("invoice", "rapidocr", ocr_result(first, "rapidocr")),
                           reading_of("invoice", "tesseract", ocr_result(second, "tesseract"))])
    assert "PERINDUSTRIAN" not in (invoice.fields.address or "")


@pytest.mark.parametrize("after", [
    "GS7 I0 N0: 000181747712",  # a misread GST label before its number
    "TE1 : 603-28560385",  # 'TEL' misread
    "07 3823455 SIMPLIFIED TAX INVOICE",  # a phone number without a label
])
def test_a_phone_or_tax_number_ends_the_address(after: str) -> None:
    text = f"KEDAI MAJU SDN BHD\nNO 9 JALAN PERUBATAN 2\n55100 KUALA LUMPUR\n{after}\n{TAIL}"
    assert extract_fields("receipt", text).address == \
        "NO 9 JALAN PERUBATAN 2 55100 KUALA LUMPUR"


def test_address_text_before_a_number_on_its_line_is_kept() -> None:
    text = f"KEDAI MAJU SDN BHD\nNO 9 JALAN PERUBATAN 2\n55100 KUALA LUMPUR 0328560385\n{TAIL}"
    assert extract_fields("receipt", text).address == \
        "NO 9 JALAN PERUBATAN 2 55100 KUALA LUMPUR"
    text = text.replace("55100 KUALA LUMPUR 0328560385", "KL 0328560385")
    assert extract_fields("receipt", text).address == "NO 9 JALAN PERUBATAN 2"


def test_a_street_line_starting_with_its_house_number_starts_the_address() -> None:
    text = f"HARBOR MART\n47 Elm Grove\n10115 Berlin\nTel 921 5076571\n{TAIL}"
    assert extract_fields("receipt", text).address == "47 Elm Grove 10115 Berlin"
    items = f"HARBOR MART\n2 x COFFEE 3.50\n{TAIL}"  # an item line is not a street
    assert extract_fields("receipt", items).address is None
