"""Word boxes of a PDF's text layer, in the same form as OCR words.

Pages read from a text layer carry no boxes in the OCR result (the OCR step keeps their text
only); extraction (layout pairing, field evidence) and the review screen read them here, so a
field's place on the page is known for born-digital PDFs too. Boxes are in tenths of a point
from the top-left corner of the page; `PageText.width`/`height` are the page size in the same
unit, so a box divided by them gives its place on any rendering.
"""

from __future__ import annotations

import pypdfium2 as pdfium

from agent.ocr.models import Box, OcrResult, PageText
from agent.pdfium_lock import PDFIUM_LOCK

SCALE = 10  # points x 10: integer boxes with sub-point precision


def text_layer_words(data: bytes, pages: set[int]) -> list[PageText]:
    """For each page number in `pages` (1-based), its text-layer words as a PageText whose
    `width`, `height` and boxes are in tenths of a point, top-left origin (text left empty)."""
    found: list[PageText] = []
    with PDFIUM_LOCK:
        pdf = pdfium.PdfDocument(data)
        try:
            for number in sorted(pages):
                if not 1 <= number <= len(pdf):
                    continue
                page = pdf[number - 1]
                try:
                    width, height = page.get_size()
                    textpage = page.get_textpage()
                    try:
                        boxes = _words(textpage, height)
                    finally:
                        textpage.close()
                finally:
                    page.close()
                found.append(PageText(page=number, text="", confidence=100.0,
                                      method="text_layer", seconds=0.0,
                                      width=round(width * SCALE), height=round(height * SCALE),
                                      boxes=boxes))
        finally:
            pdf.close()
    return found


def with_text_layer_words(result: OcrResult, data: bytes) -> OcrResult:
    """`result` with its text-layer pages' word boxes and page size filled in from the PDF
    `data`; unchanged when it has no such page or `data` is not a readable PDF."""
    wanted = {p.page for p in result.pages if p.method == "text_layer" and not p.boxes}
    if not wanted or not data.startswith(b"%PDF"):
        return result
    try:
        words = {p.page: p for p in text_layer_words(data, wanted)}
    except pdfium.PdfiumError:
        return result
    pages = [page.model_copy(update={"boxes": words[page.page].boxes,
                                     "width": words[page.page].width,
                                     "height": words[page.page].height})
             if page.page in words else page for page in result.pages]
    return result.model_copy(update={"pages": pages})


def _words(textpage: pdfium.PdfTextPage, page_height: float) -> list[Box]:
    words: list[Box] = []
    text, left, bottom, right, top = "", 0.0, 0.0, 0.0, 0.0
    for index in range(textpage.count_chars()):
        char = textpage.get_text_range(index, 1)
        if not char or char.isspace():
            if text:
                words.append(_box(text, left, bottom, right, top, page_height))
            text = ""
            continue
        c_left, c_bottom, c_right, c_top = textpage.get_charbox(index)
        if not text:
            left, bottom, right, top = c_left, c_bottom, c_right, c_top
        else:
            left, bottom = min(left, c_left), min(bottom, c_bottom)
            right, top = max(right, c_right), max(top, c_top)
        text += char
    if text:
        words.append(_box(text, left, bottom, right, top, page_height))
    return words


def _box(text: str, left: float, bottom: float, right: float, top: float,
         page_height: float) -> Box:
    return (text, 100.0, round(left * SCALE), round((page_height - top) * SCALE),
            round((right - left) * SCALE), round((top - bottom) * SCALE))
