"""Receipt vendor names: legal suffixes OCR misreads, the legal entity over a brand line, and the
doubts that keep such a name from auto-approval (agent.extraction.legal_names, vendor_doubts)."""

from __future__ import annotations

import datetime as dt
import random
import shutil
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from agent.extraction import extract_fields
from agent.extraction.confidence import DOUBTED
from agent.extraction.document import DocumentFields, read_fields, reading_of
from agent.extraction.legal_names import repair_legal_suffix
from agent.ocr import OcrService
from agent.rules import evaluate, load_rule_sets
from agent.settings import Settings
from evals.samples.financial import receipt
from evals.samples.layout import Page, font_families
from evals.samples.render import render_png
from evals.samples.values import Values
from tests.extraction.ocr_fixtures import ocr_result

TODAY = dt.date(2026, 11, 30)
TAIL = """NO 12 JALAN MERDEKA 81100 JOHOR
Date: 25/12/2018
Sub Total 80.00
GST 6% 4.80
Total RM 84.80"""


@pytest.mark.parametrize(("printed", "fixed"), [
    ("UNIHAKKA INTERNATIONALSDN BHD", "UNIHAKKA INTERNATIONAL SDN BHD"),
    ("KEDAI MAJU SIN BHD (123-X)", "KEDAI MAJU SDN BHD (123-X)"),
    ("KEDAI MAJU SDNBHD", "KEDAI MAJU SDN BHD"),
    ("KEDAI MAJU 5DN 8HD", "KEDAI MAJU SDN BHD"),
    ("Segi Cash & Carry Sdn. Rhd", "Segi Cash & Carry Sdn. Bhd"),
    ("Kedai Maju Son Bhd", "Kedai Maju Sdn Bhd"),
    ("99 SPEED MART 5/B (519537-X)", "99 SPEED MART S/B (519537-X)"),
])
def test_misread_legal_suffixes_are_put_right_by_their_shape(printed: str, fixed: str) -> None:
    repair = repair_legal_suffix(printed)
    assert repair.text == fixed and repair.found


@pytest.mark.parametrize("printed", [
    "MR. D.I.Y. (M) SDN BHD", "SEGI CASH & CARRY SDN.BHD", "MAKASSAR FRESH MARKET S/B.",
    "LOT 5/B, JALAN SS 2", "NO 5/B", "MASON BHD", "SINGAPORE BHD",
])
def test_names_printed_right_and_addresses_are_left_alone(printed: str) -> None:
    assert repair_legal_suffix(printed).text == printed
    assert repair_legal_suffix(printed).found == ()


def test_the_legal_entity_wins_over_a_shop_line_above_it() -> None:
    text = f"AA PHARMACY\nSUBANG HEALTHCARE SDN BHD (1118258-K)\n{TAIL}"
    fields = extract_fields("receipt", text)
    assert fields.vendor == "SUBANG HEALTHCARE SDN BHD"
    assert fields.address == "NO 12 JALAN MERDEKA 81100 JOHOR"  # still after the vendor line
    assert extract_fields("receipt", f"THAI DELICIOUS RESTAURANT\n{TAIL}").vendor == \
        "THAI DELICIOUS RESTAURANT"  # no legal entity printed: the shop line as before


def _fields(first: str, second: str) -> DocumentFields:
    return read_fields([reading_of("receipt", "rapidocr", ocr_result(first, "rapidocr")),
                        reading_of("receipt", "tesseract", ocr_result(second, "tesseract"))],
                       today=TODAY)


def _review_reasons(found: DocumentFields) -> list[str]:
    values = {k: v for k, v in found.fields.values().items() if v is not None}
    results = evaluate(load_rule_sets()["receipt"], values, "t", lambda *_: [], today=TODAY,
                       evidence={k: v.model_dump(mode="json") for k, v in found.evidence.items()},
                       checks=[c.model_dump() for c in found.checks])
    return [r.message for r in results if r.requires_review]


def test_two_engines_agreeing_on_a_misread_suffix_do_not_make_the_name_certain() -> None:
    misread = f"KEDAI MAJU INTERNATIONALSDN BHD\n{TAIL}"
    found = _fields(misread, misread)
    vendor = found.evidence["vendor"]
    assert found.fields.vendor == "KEDAI MAJU INTERNATIONAL SDN BHD"
    assert vendor.agreement == "agree" and vendor.confidence <= DOUBTED
    assert "INTERNATIONALSDN" in vendor.doubts[0]
    reasons = _review_reasons(found)
    assert any("vendor" in r and "legal suffix" in r for r in reasons), reasons
    # one engine printed it right: the agreement is real evidence again
    right = _fields(misread, misread.replace("INTERNATIONALSDN", "INTERNATIONAL SDN"))
    assert right.evidence["vendor"].doubts == [] and right.evidence["vendor"].confidence > 0.9
    assert _review_reasons(right) == []


def test_a_brand_line_above_the_legal_name_is_a_doubt() -> None:
    text = f"NYONYA COLORS\nLITTLE CRAVINGS SDN BHD (562007-D)\n{TAIL}"
    found = _fields(text, text)
    assert found.fields.vendor == "LITTLE CRAVINGS SDN BHD"
    assert "NYONYA COLORS" in found.evidence["vendor"].doubts[0]
    assert any("another name-like line" in r for r in _review_reasons(found))
    alone = _fields(TAIL.replace("NO 12", "LITTLE CRAVINGS SDN BHD\nNO 12", 1),
                    TAIL.replace("NO 12", "LITTLE CRAVINGS SDN BHD\nNO 12", 1))
    assert alone.evidence["vendor"].doubts == [] and _review_reasons(alone) == []


def test_a_second_name_line_below_the_first_is_a_doubt_an_id_line_is_not() -> None:
    text = f"FACE TO FACE NOODLE HOUSE\nFTOF NOODLE HOUSE\n(002049088-U)\n{TAIL}"
    found = _fields(text, text)
    assert found.fields.vendor == "FACE TO FACE NOODLE HOUSE"
    assert "'FTOF NOODLE HOUSE'" in found.evidence["vendor"].doubts[0]
    for below in ("CO-REG:860671-D", "GK101,GND FLR,ONE UTAMA", "(002049088-U)"):
        plain = f"MR. D.I.Y. (M) SDN BHD\n{below}\n{TAIL}"
        assert _fields(plain, plain).evidence["vendor"].doubts == [], below


def _generated_receipt(path: Path, legal_name: str, brand_line: bool) -> dict:
    """A receipt from the project's generator, rendered as a (noisy) scan."""
    rng = random.Random(f"vendor-doubts:{legal_name}:{brand_line}")
    page = Page(rng.choice(font_families()), margin=56.0)
    truth = receipt(page, Values(rng), legal_name=legal_name, brand_line=brand_line)
    render_png(page, path, np.random.default_rng(11), dpi=200)
    return truth


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="Tesseract is not installed")
@pytest.mark.parametrize(("printed", "brand_line", "vendor", "doubt"), [
    ("SILVERLINE TRADING SDN BHD (123456-X)", True, "SILVERLINE TRADING SDN BHD",
     "another name-like line"),
    ("SILVERLINE INTERNATIONALSDN BHD", False, "SILVERLINE INTERNATIONAL SDN BHD",
     "legal suffix"),
    ("SILVERLINE TRADING SDN BHD (123456-X)", False, "SILVERLINE TRADING SDN BHD", None),
])
def test_generated_receipts_through_tesseract(tmp_path: Path, printed: str, brand_line: bool,
                                              vendor: str, doubt: str | None) -> None:
    truth = _generated_receipt(tmp_path / "r.png", printed, brand_line)
    ocr = OcrService(Settings(data_dir=tmp_path, ocr_workers=1), use_cache=False)
    result = ocr.ocr_file(tmp_path / "r.png")
    found = read_fields([reading_of("receipt", "tesseract", result)], today=TODAY)
    assert found.fields.vendor == vendor
    assert found.fields.total == Decimal(str(truth["total"])).quantize(Decimal("0.01"))
    doubts = found.evidence["vendor"].doubts
    if doubt is None:
        assert doubts == []
    else:
        assert doubt in doubts[0] and found.evidence["vendor"].confidence <= DOUBTED
        assert any("vendor" in r for r in _review_reasons(found))
