"""Where each extracted field's value stands on the page: the OCR words that spell it.

Until extraction records its own evidence, a field's box is the run of OCR words (from the
document's cached OCR result, found through its lineage) whose letters and digits, joined,
equal the value's. Boxes are given as percentages of the page, so they fit any rendering.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from agent.ocr.cache import OcrCache
from agent.ocr.models import OcrEngineInfo, OcrResult, PageText

_KEEP = re.compile(r"[^0-9a-z]+")
MAX_RUN = 8  # longest run of OCR words one value may span


@dataclass(frozen=True)
class FieldBox:
    field: str
    page: int
    left: float
    top: float
    width: float
    height: float
    source: str = "matched"  # "recorded": the extractor's own evidence; "matched": by words


def ocr_result(records: list[dict[str, Any]], cache: OcrCache) -> OcrResult | None:
    """The OCR result the document's `ocr` lineage record points at, if still cached."""
    for record in reversed(records):
        payload = record.get("payload") or {}
        if record.get("node") == "ocr" and payload.get("cache_key") and payload.get("engine"):
            try:
                engine = OcrEngineInfo.model_validate(payload["engine"])
            except ValueError:
                return None
            return cache.get(payload["cache_key"], engine)
    return None


def recorded_boxes(evidence: dict[str, Any], pages: list[PageText]) -> list[FieldBox]:
    """Boxes from the extractor's own field evidence (`{field: {page, bbox: [left, top,
    width, height], image_size: [width, height]}}` in the pixels of the image the engine
    read, which may be scaled unlike the page's first reading), where it recorded one."""
    sizes = {p.page: (p.width, p.height) for p in pages if p.width > 0 and p.height > 0}
    boxes: list[FieldBox] = []
    for name, item in evidence.items():
        bbox, page = (item or {}).get("bbox"), (item or {}).get("page")
        size = (item or {}).get("image_size") or sizes.get(page)
        if not bbox or len(bbox) != 4 or page not in sizes or not size or min(size) <= 0:
            continue
        width, height = size
        left, top, w, h = (float(v) for v in bbox)
        boxes.append(FieldBox(field=name, page=page, source="recorded",
                              left=round(100 * left / width, 3), top=round(100 * top / height, 3),
                              width=round(100 * w / width, 3), height=round(100 * h / height, 3)))
    return boxes


def _norm(text: str) -> str:
    return _KEEP.sub("", text.lower())


def value_text(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.2f}"
    return "" if value is None or isinstance(value, dict | list) else str(value)


def field_boxes(fields: dict[str, Any], pages: list[PageText]) -> list[FieldBox]:
    """One box per place a field's value is spelled by consecutive words of these pages."""
    boxes: list[FieldBox] = []
    for name, value in fields.items():
        target = _norm(value_text(value))
        if len(target) < 2:
            continue
        for page in pages:
            boxes.extend(_find(name, target, page))
    return boxes


def _find(name: str, target: str, page: PageText) -> list[FieldBox]:
    if not page.boxes or page.width <= 0 or page.height <= 0:
        return []
    words = [_norm(box[0]) for box in page.boxes]
    found: list[FieldBox] = []
    for start, word in enumerate(words):
        if not word or not target.startswith(word):
            continue
        joined, end = "", start
        while end < len(words) and end - start < MAX_RUN and len(joined) < len(target):
            joined += words[end]
            end += 1
        if joined == target:
            found.append(_union(name, page, page.boxes[start:end]))
    return found


def _union(name: str, page: PageText, boxes: list[tuple]) -> FieldBox:
    left = min(b[2] for b in boxes)
    top = min(b[3] for b in boxes)
    right = max(b[2] + b[4] for b in boxes)
    bottom = max(b[3] + b[5] for b in boxes)
    pad = 4  # pixels, so the frame does not cover the letters
    return FieldBox(
        field=name, page=page.page,
        left=round(100 * max(left - pad, 0) / page.width, 3),
        top=round(100 * max(top - pad, 0) / page.height, 3),
        width=round(100 * (right - left + 2 * pad) / page.width, 3),
        height=round(100 * (bottom - top + 2 * pad) / page.height, 3))
