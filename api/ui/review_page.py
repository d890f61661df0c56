"""Everything the review screen shows about one document, gathered from the store, the review's
payload, the OCR cache and the lineage log."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from agent.filetypes import DocType
from agent.lineage import LineageLog
from agent.ocr.cache import OcrCache
from agent.ocr.models import PageText
from agent.ocr.pdf_words import text_layer_words
from agent.store import Document
from agent.store.models import Decision, Review
from api.app_resources import AppResources
from api.ui.claims import Claim
from api.ui.evidence import FieldBox, field_boxes, ocr_result, recorded_boxes, value_text

SHORTCUTS = [("a", "Approve"), ("r", "Reject"), ("l", "Relabel: choose the type, then Enter"),
             ("e", "Edit fields: change them, then Enter"), ("n", "Next document (skip)"),
             ("+ / -", "Zoom in / out"), ("0", "Zoom to fit"), ("?", "Show these keys")]


@dataclass
class ReviewScreen:
    document: Document
    review: Review
    payload: dict[str, Any]
    claim: Claim | None
    decision: Decision | None
    pages: list[int]
    boxes: list[FieldBox]
    fields: list[tuple[str, str]]
    lineage: list[dict[str, Any]] = field(default_factory=list)
    lineage_ok: bool | None = None
    shortcuts: list[tuple[str, str]] = field(default_factory=lambda: SHORTCUTS)

    def boxes_on(self, page: int) -> list[FieldBox]:
        return [box for box in self.boxes if box.page == page]

    @property
    def pending(self) -> bool:
        return self.review.status == "pending"


def review_screen(state: AppResources, document: Document, review: Review,
                  claim: Claim | None) -> ReviewScreen:
    payload = review.payload or {}
    log = LineageLog.from_settings(state.settings, state.store.db)
    records = log.records(document.id)
    fields = payload.get("fields") or {}
    result = ocr_result(records, OcrCache(state.settings.cache_dir / "ocr"))
    pages_read = list(result.pages) if result is not None else []
    if document.detected_type == DocType.PDF:  # text-layer pages: words from the PDF itself
        wanted = {p.page for p in pages_read if p.method == "text_layer"} if result else set(
            range(1, document.page_count + 1))
        if wanted:
            words = text_layer_words(state.store.blobs.get(document.id), wanted)
            pages_read = [p for p in pages_read if p.page not in wanted] + words
    pages = ([] if document.detected_type == DocType.TEXT
             else list(range(1, document.page_count + 1)))
    return ReviewScreen(
        document=document, review=review, payload=payload, claim=claim,
        decision=state.store.decisions.get(document.id), pages=pages,
        boxes=boxes_for(fields, payload.get("field_evidence") or {}, pages_read),
        fields=[(name, value_text(value)) for name, value in fields.items()],
        lineage=[timeline_entry(r) for r in records], lineage_ok=log.verify(document.id).ok)


def boxes_for(fields: dict[str, Any], evidence: dict[str, Any],
              pages: list[PageText]) -> list[FieldBox]:
    """The extractor's recorded boxes where it has them; found by matching words otherwise."""
    recorded = recorded_boxes(evidence, pages)
    located = {box.field for box in recorded}
    return recorded + field_boxes({k: v for k, v in fields.items() if k not in located}, pages)


def timeline_entry(record: dict[str, Any]) -> dict[str, Any]:
    """One lineage record as a line of the timeline: step, time and its telling values."""
    payload = record.get("payload") or {}
    keys = ("band", "label", "reviewer", "action", "status", "mean_confidence", "model",
            "rule_set", "version", "bundle_id", "outcome")
    facts = {k: payload[k] for k in keys if payload.get(k) not in (None, "", [], {})}
    return {"seq": record["seq"], "node": record["node"], "at": record["created_at"][:19],
            "facts": facts, "hash": record["hash"][:12], "signed": bool(record.get("signature"))}


def coerce_like(old: Any, new: str) -> Any:
    """A value typed in a form, as the type the field had (a number stays a number)."""
    if isinstance(old, bool):
        return new.strip().lower() in ("true", "yes", "1")
    if isinstance(old, int | float):
        try:
            number = float(new.replace(",", "").strip())
        except ValueError:
            return new
        return int(number) if isinstance(old, int) and number.is_integer() else number
    return new


def edited_fields(old: dict[str, Any], form: dict[str, str]) -> dict[str, Any]:
    """The fields whose value the form changed (`field:NAME` inputs), typed like before."""
    changed: dict[str, Any] = {}
    for key, text in form.items():
        if not key.startswith("field:"):
            continue
        name = key.removeprefix("field:")
        if name not in old:
            continue
        new = coerce_like(old[name], text.strip())
        if new != (old[name].strip() if isinstance(old[name], str) else old[name]):
            changed[name] = new
    return changed
