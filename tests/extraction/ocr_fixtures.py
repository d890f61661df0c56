"""A one-page OCR result built from text, for extraction tests that need readings."""

from __future__ import annotations

from agent.ocr.models import OcrEngineInfo, OcrResult, PageText


def ocr_result(text: str, engine: str) -> OcrResult:
    """`engine`'s reading of `text`: word i of a line boxed at x = 100 * i, confidence 96."""
    boxes, y = [], 0
    for line in text.splitlines():
        for i, word in enumerate(line.split()):
            boxes.append((word, 96.0, 100 * i, y, 90, 20))
        y += 30
    page = PageText(page=1, text=text, confidence=96.0, method="ocr", seconds=0.1,
                    words=len(boxes), width=1000, height=400, boxes=boxes)
    return OcrResult(sha256="0" * 64, pages=[page], cache_key=engine, engine=OcrEngineInfo(
        name=engine, version="1", options={}))
