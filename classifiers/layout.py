"""Page-layout features from OCR word boxes: cheap, scale-free signals a text model cannot see.

A table, a letter, a form and a news page can share words but not layout: tables align words
in columns, prose fills long lines from one margin, forms scatter short upper-case labels. The
features are fractions of the page (or counts on a log scale), so the same page scanned at
another resolution, or upscaled before OCR, gives the same vector.

The word boxes come from the OCR engine (`agent.ocr.models.OcrResult.layouts()` builds the
`PageLayout`s); this module knows nothing of OCR itself.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

Word = tuple[str, float, int, int, int, int]
"""text, confidence 0-100, left, top, width, height (pixels)."""

LAYOUT_FEATURE_NAMES: tuple[str, ...] = (
    "empty",  # 1 when no page has a word: every other feature is then 0
    "log_pages",  # log(1 + pages)
    "log_words_per_page",  # log(1 + words) per page
    "log_lines_per_page",  # log(1 + lines) per page
    "line_density",  # lines x median word height / page height: how full the page is
    "log_words_per_line",
    "word_height",  # mean word height / page height
    "word_height_spread",  # std / mean of word heights (mixed font sizes: ads, forms)
    "numeric_share",  # words that are numbers, amounts or dates
    "upper_share",  # all-caps words (of two letters or more)
    "low_confidence_share",  # words with confidence below LOW_CONFIDENCE
    "mean_confidence",  # mean word confidence / 100
    "text_top", "text_bottom", "text_left", "text_right",  # text extent, page fractions
    "ink_coverage",  # word-box area / page area
    "line_start_positions",  # left positions that explain 80 % of line starts, / 10
    "left_aligned_share",  # words whose left edge lines up with words on other lines
    "right_aligned_share",  # the same for right edges (right-aligned amounts)
    "top_share", "bottom_share",  # words in the top / bottom 10 % of the page
    "aspect_ratio",  # page height / width
)

LOW_CONFIDENCE = 50.0
START_BIN = 0.015  # page-width fraction: line starts this close count as one margin
ALIGN_BIN = 0.005  # the same for word edges (± one bin), narrow so prose does not align
ALIGN_MIN_LINES = 0.4  # an edge position is a column when this share of lines (>= 3) use it

_NUMERIC = re.compile(r"^[(\-+$€£]?\d[\d.,:/\-%)]*$")


@dataclass(frozen=True)
class PageLayout:
    """One OCRed page: the image size the boxes refer to and its words."""

    width: int
    height: int
    words: Sequence[Word]


def layout_features(pages: Sequence[PageLayout]) -> np.ndarray:
    """A fixed-length float32 vector (`LAYOUT_FEATURE_NAMES`) for a document's pages.

    Page features are averaged over the pages that have words; a document without any word
    gives zeros with `empty` = 1 and its page count.
    """
    vector = np.zeros(len(LAYOUT_FEATURE_NAMES), dtype=np.float32)
    vector[1] = math.log1p(len(pages))
    per_page = [f for page in pages if (f := _page_features(page)) is not None]
    if not per_page:
        vector[0] = 1.0
        return vector
    vector[2:] = np.mean(np.asarray(per_page, dtype=np.float64), axis=0)
    return vector


def _page_features(page: PageLayout) -> list[float] | None:
    if page.width <= 0 or page.height <= 0:
        return None
    words = [w for w in page.words if w[0].strip() and w[4] > 0 and w[5] > 0]
    if not words:
        return None
    width, height = float(page.width), float(page.height)
    lefts = np.array([w[2] for w in words], dtype=np.float64)
    tops = np.array([w[3] for w in words], dtype=np.float64)
    widths = np.array([w[4] for w in words], dtype=np.float64)
    heights = np.array([w[5] for w in words], dtype=np.float64)
    confs = np.array([w[1] for w in words], dtype=np.float64)
    texts = [w[0].strip() for w in words]
    n = len(words)
    lines = _lines(tops, heights)
    centres = (tops + heights / 2) / height
    return [
        math.log1p(n),
        math.log1p(len(lines)),
        min(len(lines) * float(np.median(heights)) / height, 2.0),
        math.log1p(n / len(lines)),
        float(heights.mean()) / height,
        float(heights.std() / heights.mean()),
        sum(bool(_NUMERIC.match(t)) for t in texts) / n,
        sum(t.isupper() and sum(c.isalpha() for c in t) >= 2 for t in texts) / n,
        float((confs < LOW_CONFIDENCE).mean()),
        float(confs.mean()) / 100,
        _clip(tops.min() / height),
        _clip((tops + heights).max() / height),
        _clip(lefts.min() / width),
        _clip((lefts + widths).max() / width),
        _clip(float((widths * heights).sum()) / (width * height)),
        _line_start_positions(lines, lefts / width),
        _aligned_share(lines, lefts / width),
        _aligned_share(lines, (lefts + widths) / width),
        float((centres < 0.1).mean()),
        float((centres > 0.9).mean()),
        height / width,
    ]


def _clip(value: float) -> float:
    return float(min(max(value, 0.0), 1.0))


def _lines(tops: np.ndarray, heights: np.ndarray) -> list[list[int]]:
    """Word indices grouped into text lines: a word joins the line above-left of it when their
    vertical extents overlap by at least half the smaller height (works across columns too)."""
    order = np.argsort(tops + heights / 2, kind="stable")
    lines: list[list[int]] = []
    span: tuple[float, float] = (0.0, 0.0)
    for index in order:
        top, bottom = float(tops[index]), float(tops[index] + heights[index])
        if lines:
            overlap = min(bottom, span[1]) - max(top, span[0])
            if overlap >= 0.5 * min(bottom - top, span[1] - span[0]):
                lines[-1].append(int(index))
                continue
        lines.append([int(index)])
        span = (top, bottom)
    return lines


def _bins(positions: np.ndarray, width: float) -> np.ndarray:
    return np.floor(np.clip(positions, 0.0, 1.0) / width).astype(np.int64)


def _line_start_positions(lines: list[list[int]], lefts: np.ndarray) -> float:
    """How many left positions (bins, neighbours merged) hold 80 % of the line starts, / 10:
    prose ~0.1, a two-column page ~0.2, a ragged form or advertisement much more."""
    starts = _bins(np.array([lefts[line].min() for line in lines]), START_BIN)
    counts = np.bincount(starts, minlength=int(starts.max()) + 3).astype(np.float64)
    used, covered, needed = 0, 0.0, 0.8 * len(lines)
    while covered < needed and counts.sum() > 0:
        peak = int(counts.argmax())
        window = slice(max(peak - 1, 0), peak + 2)
        covered += counts[window].sum()
        counts[window] = 0
        used += 1
    return min(used, 10) / 10


def _aligned_share(lines: list[list[int]], edges: np.ndarray) -> float:
    """Share of words whose edge is at a position (± one bin) that words of at least
    `ALIGN_MIN_LINES` of the lines (and 3) also use: table columns, not prose."""
    if len(lines) < 3:
        return 0.0
    bins = _bins(edges, ALIGN_BIN)
    size = int(bins.max()) + 3
    lines_at = np.zeros(size, dtype=np.float64)
    for line in lines:
        present = np.zeros(size, dtype=bool)
        for b in set(bins[line].tolist()):
            present[max(b - 1, 0):b + 2] = True
        lines_at += present
    threshold = max(3.0, ALIGN_MIN_LINES * len(lines))
    return float((lines_at[bins] >= threshold).mean())
