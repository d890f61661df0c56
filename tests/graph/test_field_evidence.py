"""Field evidence through the graph: the `auto` OCR policy re-reads an invoice with RapidOCR at
extraction, every field carries where it came from and how sure we are, lineage says which
engine read each page and why, and printed amounts that contradict the total send the document
to a person with the reason. Real Tesseract, real RapidOCR, real rules."""

from __future__ import annotations

import shutil

import pytest

from agent.services import extract_with_provenance
from agent.settings import Settings
from tests.graph.conftest import invoice_lines, upload

pytestmark = [
    pytest.mark.skipif(shutil.which("tesseract") is None, reason="Tesseract is not installed"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
]
pytest.importorskip("rapidocr_onnxruntime", reason="rapidocr-onnxruntime is not installed")


def _extract_record(pipeline, doc_id: str) -> dict:
    return next(r["payload"] for r in pipeline.services.lineage.records(doc_id)
                if r["node"] == "extract")


def test_an_invoice_read_by_two_engines_carries_evidence_and_is_approved(
        db_settings: Settings, open_pipeline) -> None:
    assert db_settings.ocr_policy == "auto"
    doc_id = upload(db_settings, invoice_lines())
    pipeline = open_pipeline(extractor=extract_with_provenance)
    state = pipeline.process(doc_id)
    assert state.status == "approved", state.review_reasons
    total = state.field_evidence["total"]
    assert total["value"] == "1165.50" and total["agreement"] == "agree"
    assert set(total["sources"]) == {"rapidocr", "tesseract"} and total["confidence"] >= 0.9
    assert total["page"] == 1 and len(total["bbox"]) == 4 and total["engine"] == "rapidocr"
    ocr = next(r["payload"] for r in pipeline.services.lineage.records(doc_id)
               if r["node"] == "ocr")
    assert ocr["page_engines"] == ["tesseract"] and ocr["reason"].startswith("policy auto")
    readings = _extract_record(pipeline, doc_id)["readings"]
    assert [r["engine"]["name"] for r in readings] == ["tesseract", "rapidocr"]
    assert "policy auto" in readings[1]["reason"] and readings[1]["pages"][0]["engine"] == \
        "rapidocr"
    results = {r["rule_id"]: r for r in state.rule_results}
    assert results["key-fields-confident"]["passed"] is True


def test_amounts_that_contradict_the_total_go_to_a_person_with_the_reason(
        db_settings: Settings, open_pipeline) -> None:
    doc_id = upload(db_settings, invoice_lines("Subtotal: EUR 1000.00", "VAT: EUR 100.00"))
    pipeline = open_pipeline(extractor=extract_with_provenance)
    state = pipeline.process(doc_id)
    assert state.status == "needs_review"
    reason = next(r for r in state.review_reasons if "amounts-consistent" in r)
    assert "1165.50" in reason and "subtotal + tax = 1100.00" in reason
    check = next(c for c in state.field_checks if c["name"] == "total_arithmetic")
    assert check["passed"] is False
    review = pipeline.services.store.reviews.get(doc_id)
    assert review.payload["field_evidence"]["total"]["checks"]["total_arithmetic"] is False


def test_the_tesseract_policy_reads_once(db_settings: Settings, open_pipeline) -> None:
    settings = db_settings.model_copy(update={"ocr_policy": "tesseract"})
    doc_id = upload(settings, invoice_lines())
    pipeline = open_pipeline(settings, extractor=extract_with_provenance)
    state = pipeline.process(doc_id)
    readings = _extract_record(pipeline, doc_id)["readings"]
    assert [r["engine"]["name"] for r in readings] == ["tesseract"]
    assert set(state.field_evidence["total"]["sources"]) == {"tesseract"}
