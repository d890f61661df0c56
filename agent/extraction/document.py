"""A document's fields with their evidence: extract from every reading, fuse, merge the LLM's
grounded fields, run the cross-field checks, locate each value and score its confidence."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from pydantic import BaseModel, Field

from agent.extraction.address_words import AddressRepair, repair_address
from agent.extraction.checks import CheckResult, run_checks
from agent.extraction.confidence import field_confidence
from agent.extraction.confusables import fix_confusables
from agent.extraction.extractors import ExtractionOptions, extract_fields
from agent.extraction.fusion import Reading, fuse, same
from agent.extraction.layout import split_lines
from agent.extraction.locate import Location, line_words, locate
from agent.extraction.merge import llm_values, merge_fields
from agent.extraction.models import FIELD_NAMES, ExtractedFields, FieldEvidence
from agent.extraction.pairing import LAYOUT_TYPES, combine, from_layout, layout_pairs
from agent.extraction.vendor_doubts import vendor_doubts
from agent.ocr.models import PAGE_SEPARATOR, OcrResult


class DocumentFields(BaseModel):
    fields: ExtractedFields
    evidence: dict[str, FieldEvidence] = Field(default_factory=dict)
    checks: list[CheckResult] = Field(default_factory=list)

    def confidences(self) -> dict[str, float]:
        return {name: e.confidence for name, e in self.evidence.items()}


def read_fields(readings: list[Reading], llm_fields: dict[str, Any] | None = None,
                today: dt.date | None = None) -> DocumentFields:
    """`readings` best first (the first wins a disagreement no check settles)."""
    fused_fields, fused = fuse(readings)
    repaired = _address_repair(fused_fields, readings)
    if repaired is not None:
        fused_fields = fused_fields.model_copy(update={"address": repaired.text})
    repairs = {"address": [f"{was} -> {now}" for was, now in repaired.changes]} \
        if repaired is not None else {}
    llm = llm_values(llm_fields)
    fields = merge_fields(fused_fields, llm_fields, text="\n".join(r.text for r in readings)) \
        if llm_fields else fused_fields
    total_from = fused["total"].reading if "total" in fused else 0
    checks = run_checks(fields, readings[total_from or 0].lines if readings else [], today)
    evidence: dict[str, FieldEvidence] = {}
    for name in FIELD_NAMES:
        value = getattr(fields, name)
        if value is None:
            continue
        read = [getattr(r.fields, name) for r in readings]
        sources: dict[str, Any] = {r.engine: _json(v) for r, v in zip(readings, read,
                                                                        strict=True)}
        source = fields.provenance.get(name)
        if name in llm:
            sources["llm"] = _json(llm[name])
        doubts: list[str] = []
        finders: dict[str, Any] = {}
        if source is not None and source.extractor == "llm":
            engine, location, rule, finder = "llm", None, source.rule, "llm"
            others = [v for v in read if v is not None]
        else:
            pick = fused[name].reading or 0
            reading = readings[pick]
            engine, rule = reading.engine, source.rule if source else None
            finder = "layout" if from_layout(fields, name) else "lines"
            pair = reading.pairs.get(name)
            if finder == "layout" and pair is not None:
                location = Location(pair.page, pair.bbox, pair.confidence, pair.size)
            else:
                location = locate(name, value, source.line if source else None,
                                  source.snippet if source else "", reading.words)
            others = [v for i, v in enumerate(read) if i != pick and v is not None]
            others += [llm[name]] if name in llm else []
            if reading.pairs:
                finders = reading.finder_values(name)
            if name == "vendor":
                doubts = vendor_doubts(str(value), readings, pick)
        own = [v for k, v in finders.items() if k != finder and v is not None]
        finder_agree = sum(same(name, value, v) for v in own)
        agreeing = sum(same(name, value, v) for v in others)
        own_checks = {c.name: c.passed for c in checks if name in c.fields}
        word_conf = location.word_confidence if location else None
        evidence[name] = FieldEvidence(
            value=_json(value), engine=engine, page=location.page if location else None,
            bbox=list(location.bbox) if location and location.bbox else None, rule=rule,
            finder=finder, finders={k: _json(v) for k, v in finders.items()},
            image_size=list(location.image_size) if location and location.image_size else None,
            word_confidence=word_conf, sources=sources, agreement=_agreement(
                agreeing, len(others) - agreeing),
            checks=own_checks, doubts=doubts, repairs=repairs.get(name, [])
            if finder != "llm" else [], confidence=field_confidence(
                word_conf, agreeing, len(others) - agreeing, list(own_checks.values()),
                silent=sum(v is None for v in read), finders_agreeing=finder_agree,
                finders_disagreeing=len(own) - finder_agree, doubted=bool(doubts)),
        )
    return DocumentFields(fields=fields, evidence=evidence, checks=checks)


_WORDS = re.compile(r"[A-Z0-9]+")


def _address_repair(fields: ExtractedFields, readings: list[Reading]) -> AddressRepair | None:
    """A receipt's address with misread address words put right. Only with two readings or
    more: a word every reading printed the same way is kept, and one reading alone cannot tell
    a misreading from a street name the vocabulary lacks."""
    if fields.doc_type != "receipt" or not fields.address or len(readings) < 2:
        return None
    confirmed = set.intersection(*(set(_WORDS.findall(r.text.upper())) for r in readings))
    repair = repair_address(fields.address, confirmed)
    return repair if repair.changes else None


def _agreement(agreeing: int, disagreeing: int) -> str:
    if disagreeing:
        return "disagree"
    return "agree" if agreeing else "single"


def _json(value: Any) -> Any:
    return None if value is None else (value if isinstance(value, str) else str(value))


def reading_text(result: OcrResult) -> str:
    """The text fields are extracted from: OCR'd pages with look-alike characters put right
    (`agent.extraction.confusables`), text layers as they are."""
    return PAGE_SEPARATOR.join(fix_confusables(p.text) if p.method == "ocr" else p.text
                               for p in result.pages)


def make_reading(doc_type: str, engine: str, text: str, fields: ExtractedFields,
                 result: OcrResult | None, day_first: bool = True) -> Reading:
    """A reading from the text-line finders' `fields` on `text` and, for the types in
    `LAYOUT_TYPES`, layout pairing on the result's word boxes, the two combined."""
    pairs = layout_pairs(result, day_first) if doc_type in LAYOUT_TYPES else {}
    return Reading(engine, text, combine(fields, pairs), split_lines(text),
                   line_words(result) if result is not None else [], pairs,
                   fields if pairs else None)


def reading_of(doc_type: str, engine: str, result: OcrResult,
               options: ExtractionOptions | None = None) -> Reading:
    """One OCR reading through the deterministic extractor of `doc_type` and, for invoices,
    layout pairing (benchmarks, tests). Text-layer pages need their word boxes filled in
    first (`agent.ocr.pdf_words.with_text_layer_words`) for pairing to see them."""
    text = reading_text(result)
    options = options or ExtractionOptions()
    return make_reading(doc_type, engine, text, extract_fields(doc_type, text, options), result,
                        options.day_first)
