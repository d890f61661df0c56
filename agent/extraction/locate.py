"""Where a field's value sits on the page: the OCR words of its source line that hold it.

Lines are numbered as `agent.extraction.layout.split_lines` numbers them on the document text;
an OCR'd page's text is its word boxes in order (both engines assemble it that way), so line k's
words are the next `len(line.split())` boxes of its page.
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from agent.extraction.layout import _SPACES
from agent.extraction.normalize import find_amounts, find_dates, fold_text, same_amount
from agent.ocr.models import Box, OcrResult


@dataclass(frozen=True)
class LineWords:
    page: int
    words: tuple[Box, ...]  # empty for plain text, and for text layers read without boxes
    exact: bool  # the page's text is not an OCR guess
    size: tuple[int, int] = (0, 0)  # width, height of the image the boxes are in


@dataclass(frozen=True)
class Location:
    page: int
    bbox: tuple[int, int, int, int] | None  # left, top, width, height in the OCR'd image
    word_confidence: float  # 0-1: the least confident word of the value (1 for exact text)
    image_size: tuple[int, int] | None = None  # that image's width, height (engines differ)


def line_words(result: OcrResult) -> list[LineWords]:
    """One entry per non-empty line of `result.text`, in `split_lines` order. A text-layer
    page's boxes (`agent.ocr.pdf_words`) are matched to its lines word by word; a line whose
    words are not all matched gets none."""
    out: list[LineWords] = []
    for page in result.pages:
        boxes, k = page.boxes, 0
        exact = page.method != "ocr"
        lines = [_SPACES.sub(" ", raw).strip()
                 for raw in page.text.replace("\f", "\n").splitlines()]
        lines = [line for line in lines if line]
        if exact:
            for words in _aligned(lines, boxes):
                out.append(LineWords(page.page, words, exact, (page.width, page.height)))
            continue
        for clean in lines:
            n = len(clean.split(" "))
            words = tuple(boxes[k:k + n]) if len(boxes) >= k + n else ()
            out.append(LineWords(page.page, words, exact, (page.width, page.height)))
            k += n
    return out


def _aligned(lines: list[str], boxes: list[Box]) -> list[tuple[Box, ...]]:
    """Per line, its words' boxes when every word was matched in order, else ()."""
    tokens = [(i, word) for i, line in enumerate(lines) for word in line.split(" ")]
    found: list[list[Box | None]] = [[None] * len(line.split(" ")) for line in lines]
    if boxes:
        matcher = SequenceMatcher(None, [t for _, t in tokens], [b[0] for b in boxes],
                                  autojunk=False)
        starts = [0]
        for line in lines:
            starts.append(starts[-1] + len(line.split(" ")))
        for block in matcher.get_matching_blocks():
            for j in range(block.size):
                line_no, _ = tokens[block.a + j]
                found[line_no][block.a + j - starts[line_no]] = boxes[block.b + j]
    return [tuple(b for b in words if b is not None) if all(words) else () for words in found]


def locate(field: str, value: Any, line_index: int | None, line_text: str,
           lines: list[LineWords]) -> Location | None:
    """The value's words on its line; the whole line when the value cannot be pinned down."""
    if line_index is None or not 0 <= line_index < len(lines):
        return None
    entry = lines[line_index]
    if not entry.words:
        return Location(entry.page, None, 1.0 if entry.exact else 0.0)
    span = _span(field, value, line_text)
    words, offset = [], 0
    for box in entry.words:
        start, end = offset, offset + len(box[0])
        if span is None or (start < span[1] and span[0] < end):
            words.append(box)
        offset = end + 1
    words = words or list(entry.words)
    left = min(w[2] for w in words)
    top = min(w[3] for w in words)
    right = max(w[2] + w[4] for w in words)
    bottom = max(w[3] + w[5] for w in words)
    return Location(entry.page, (left, top, right - left, bottom - top),
                    1.0 if entry.exact else round(min(w[1] for w in words) / 100, 3),
                    entry.size if entry.size[0] > 0 and entry.size[1] > 0 else None)


def _span(field: str, value: Any, text: str) -> tuple[int, int] | None:
    """Character span of the value in the line text (`text` with single spaces)."""
    if field == "total":
        for found in reversed(find_amounts(text)):
            if same_amount(found.value, value):  # type: ignore[arg-type]
                return found.start, found.end
        return None
    if field == "date":
        for found in find_dates(text):
            if str(found.value) == str(value):
                return found.start, found.end
        return None
    folded, needle = text.upper(), str(value).upper()
    at = folded.find(needle)
    if at >= 0:
        return at, at + len(needle)
    first = fold_text(str(value)).split(" ")[0] if value else ""
    at = folded.find(first) if first else -1
    return (at, len(text)) if at >= 0 else None
