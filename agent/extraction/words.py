"""Word boxes as rows and cells: the geometry layout pairing reads.

A page's words (Tesseract's, RapidOCR's, or a PDF text layer's: `agent.ocr.pdf_words`) are
grouped into *rows* (words whose vertical centres fall inside each other's span) and each row
into *cells* (runs of words separated by less than `CELL_GAP` x the row's text height: a wider
gap is a column break). A cell is the unit a label or a value is read from: 'Invoice No:' and
'INV-1' printed a column apart are two cells of one row; 'Invoice No: INV-1' is one cell.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from agent.ocr.models import OcrResult

CELL_GAP = 1.2  # a gap wider than this many text heights starts a new cell
MIN_CONFIDENCE = 0.0  # OCR words below this confidence (0-100) are dropped (noise boxes)


@dataclass(frozen=True)
class Word:
    text: str
    conf: float  # 0-100 (100 for text layers)
    left: int
    top: int
    right: int
    bottom: int

    @property
    def height(self) -> int:
        return self.bottom - self.top

    @property
    def middle(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass(frozen=True)
class Cell:
    page: int
    row: int  # index of its row on the page, top to bottom
    words: tuple[Word, ...]
    size: tuple[int, int]  # width, height of the image / page the boxes are in
    exact: bool  # text layer or plain text: no OCR guess

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def left(self) -> int:
        return min(w.left for w in self.words)

    @property
    def right(self) -> int:
        return max(w.right for w in self.words)

    @property
    def top(self) -> int:
        return min(w.top for w in self.words)

    @property
    def bottom(self) -> int:
        return max(w.bottom for w in self.words)

    @property
    def height(self) -> int:
        """Text height: the tallest word (a lone '.' or '-' has a tiny glyph box)."""
        return max(w.height for w in self.words)

    @property
    def confidence(self) -> float:
        """0-1: its least confident word."""
        return min(w.conf for w in self.words) / 100

    def bbox(self, words: tuple[Word, ...] | None = None) -> tuple[int, int, int, int]:
        chosen = words or self.words
        left, top = min(w.left for w in chosen), min(w.top for w in chosen)
        return (left, top, max(w.right for w in chosen) - left,
                max(w.bottom for w in chosen) - top)

    def tail(self, start: int) -> Cell:
        """The cell from its `start`-th word on (a value printed after its label)."""
        return Cell(self.page, self.row, self.words[start:], self.size, self.exact)


@dataclass(frozen=True)
class PageCells:
    page: int
    rows: list[list[Cell]]  # top to bottom; each row left to right
    size: tuple[int, int]
    line_height: float  # median word height on the page

    @property
    def cells(self) -> list[Cell]:
        return [cell for row in self.rows for cell in row]


def page_cells(result: OcrResult) -> list[PageCells]:
    """Rows and cells of every page that has word boxes (OCR'd pages; text-layer pages once
    `agent.ocr.pdf_words.with_text_layer_words` filled theirs in)."""
    found: list[PageCells] = []
    for page in result.pages:
        words = [Word(t, c, x, y, x + w, y + h) for t, c, x, y, w, h in page.boxes
                 if t.strip() and w > 0 and h > 0 and c >= MIN_CONFIDENCE]
        if not words:
            continue
        size = (page.width, page.height)
        rows = [_cells(row, page.page, i, size, page.method != "ocr")
                for i, row in enumerate(_rows(words))]
        found.append(PageCells(page.page, rows, size,
                               statistics.median(w.height for w in words)))
    return found


def _rows(words: list[Word]) -> list[list[Word]]:
    """Words grouped by vertical overlap: a word joins a recent row that overlaps at least half
    of the shorter of the two (a tiny '-' or '.' glyph too), rows kept top to bottom."""
    rows: list[list[Word]] = []
    spans: list[tuple[float, float]] = []
    for word in sorted(words, key=lambda w: (w.middle, w.left)):
        for i in range(len(rows) - 1, max(-1, len(rows) - 4), -1):
            top, bottom = spans[i]
            overlap = min(bottom, word.bottom) - max(top, word.top)
            if overlap >= 0.5 * min(bottom - top, word.height):
                rows[i].append(word)
                spans[i] = (min(top, word.top), max(bottom, word.bottom))
                break
        else:
            rows.append([word])
            spans.append((word.top, word.bottom))
    order = sorted(range(len(rows)), key=lambda i: sum(spans[i]))
    return [sorted(rows[i], key=lambda w: w.left) for i in order]


def _cells(row: list[Word], page: int, index: int, size: tuple[int, int],
           exact: bool) -> list[Cell]:
    height = max(statistics.median(w.height for w in row), 1)
    cells: list[list[Word]] = [[row[0]]]
    for before, word in zip(row, row[1:], strict=False):
        if word.left - before.right > CELL_GAP * height:
            cells.append([word])
        else:
            cells[-1].append(word)
    return [Cell(page, index, tuple(c), size, exact) for c in cells]
