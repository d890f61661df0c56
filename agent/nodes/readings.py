"""The readings a document's fields are extracted from: the OCR node's (with its word boxes
from the OCR cache, and a PDF's text-layer word boxes read from the PDF itself) and, under the
`auto` OCR policy, RapidOCR's second reading of receipts and invoices. Each comes with what
lineage records: engine, version, pages, and why it was read."""

from __future__ import annotations

from typing import Any

from agent.extraction.document import make_reading, reading_text
from agent.extraction.fusion import Reading
from agent.extraction.models import ExtractedFields
from agent.ocr.models import OcrResult
from agent.ocr.pdf_words import with_text_layer_words
from agent.services import Services
from agent.state import DocumentState


def text_reading(label: str, text: str, services: Services, engine: str = "text",
                 result: OcrResult | None = None) -> tuple[Reading, dict[str, Any]]:
    """The extractor on one text: a reading, and the extractor's values and provenance."""
    values, provenance = services.extractor(label, text)
    fields = ExtractedFields.model_validate({**values, "doc_type": label,
                                             "provenance": provenance.get("provenance", {})})
    return make_reading(label, engine, text, fields, result), {"values": values, **provenance}


def _engine_of(result: OcrResult) -> str:
    methods = {page.method for page in result.pages}
    return result.engine.name if "ocr" in methods else "+".join(sorted(methods)) or "text"


def document_readings(state: DocumentState, services: Services
                      ) -> tuple[list[Reading], dict[str, Any], list[dict[str, Any]]]:
    """Readings best first, the primary reading's extractor output (values + provenance), and
    one lineage entry per reading."""
    label = state.label or ""
    first = _cached_ocr(state, services)
    reading, extracted = text_reading(label, reading_text(first) if first else state.text,
                                      services, _engine_of(first) if first else "text", first)
    log = [_log(first, "the OCR step's reading") if first else
           {"engine": "text", "reason": "the OCR step's text (no word boxes)"}]
    readings = [reading]
    second = services.second_reader
    reason = second.reason(label, first) if second is not None and first else None
    if reason:
        result = second.read(services.store.blobs.get(state.doc_id), state.filename, first)
        again, _ = text_reading(label, reading_text(result), services, result.engine.name,
                                result)
        readings.insert(0, again)  # the second engine reads key fields better: it goes first
        log.append(_log(result, reason))
    return readings, extracted, log


def _cached_ocr(state: DocumentState, services: Services) -> OcrResult | None:
    """The OCR step's result with its word boxes, from the cache it was written to; None when
    it would have to be computed again (no cache, or a page failed and was not cached)."""
    pages = state.ocr.get("pages") or []
    if services.ocr.cache is None or any(p.get("error") for p in pages) or not pages:
        return None
    data = services.store.blobs.get(state.doc_id)
    result = services.ocr.ocr_bytes(data, state.filename)
    if result.text != state.text:
        return None
    return with_text_layer_words(result, data)  # word boxes of text-layer pages, for pairing


def _log(result: OcrResult, reason: str) -> dict[str, Any]:
    return {"engine": result.engine.model_dump(), "reason": reason, "cached": result.cached,
            "pages": [{"page": p.page, "method": p.method, "engine": result.engine.name
                       if p.method == "ocr" else p.method, "confidence": p.confidence,
                       "seconds": p.seconds} for p in result.pages]}
