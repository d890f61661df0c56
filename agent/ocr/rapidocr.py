"""RapidOCR (PP-OCRv4 ONNX models inside the `rapidocr-onnxruntime` wheel): one page image in,
text lines with scores out, assembled like Tesseract's `PageOcr` (reading-order text, word boxes,
confidences 0-100).

onnxruntime and the models are loaded only when a page is first read, once per process and set
of options: importing this module, building the engine or asking its version costs nothing, so
worker processes that never read with RapidOCR start as fast as before.
"""

from __future__ import annotations

import threading
import unicodedata
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from agent.ocr.engine import OcrEngine, PageOcr, WordBox
from agent.ocr.models import OcrEngineInfo
from agent.ocr.options import RapidOcrOptions
from papertrail.errors import ConfigurationError

PACKAGE = "rapidocr-onnxruntime"
_NOT_IN_KEY = {"kind", "intra_op_threads"}  # options that do not change the text read


class RapidOcrMissingError(ConfigurationError):
    code = "rapidocr_missing"


@dataclass(frozen=True)
class _Loaded:
    ocr: Any  # rapidocr_onnxruntime.RapidOCR
    lock: threading.Lock  # one page at a time per loaded engine: it uses every thread it has


_LOADED: dict[str, _Loaded] = {}
_LOADING = threading.Lock()


def _load(options: RapidOcrOptions) -> _Loaded:
    """The RapidOCR instance for these options, built on first use and kept for the process."""
    key = options.model_dump_json()
    with _LOADING:
        if key not in _LOADED:
            try:
                from rapidocr_onnxruntime import RapidOCR
            except ImportError:
                raise _missing() from None
            ocr = RapidOCR(
                det_limit_side_len=options.det_limit_side_len,
                det_limit_type=options.det_limit_type,
                intra_op_num_threads=options.intra_op_threads, inter_op_num_threads=1,
                use_angle_cls=options.use_angle_cls, text_score=options.text_score,
                print_verbose=False,
            )
            _LOADED[key] = _Loaded(ocr, threading.Lock())
        return _LOADED[key]


def _missing() -> RapidOcrMissingError:
    return RapidOcrMissingError(
        f"RapidOCR is not installed: `pip install '{PACKAGE}>=1.4.4,<1.5'` (a project "
        "dependency), or set PAPERTRAIL_OCR_POLICY=tesseract to read with Tesseract only.")


class RapidOcrEngine(OcrEngine[RapidOcrOptions]):
    @property
    def threads_per_page(self) -> int:
        return self.options.intra_op_threads

    def version(self) -> str:
        try:
            return metadata.version(PACKAGE)
        except metadata.PackageNotFoundError:
            raise _missing() from None

    def info(self) -> OcrEngineInfo:
        return OcrEngineInfo(name=self.options.kind, version=self.version(),
                             options=self.options.model_dump(exclude=_NOT_IN_KEY))

    def read_page(self, image: Path, timeout: float) -> PageOcr:
        """onnxruntime cannot be interrupted mid-page, so `timeout` is not enforced here: a
        page is read to its end (at `det_limit_side_len` a page takes seconds, not minutes)."""
        loaded = _load(self.options)
        with loaded.lock:
            result, _ = loaded.ocr(str(image), use_cls=self.options.use_angle_cls)
        return assemble([(box, str(text), float(score)) for box, text, score in result or []])


Segment = tuple[Any, str, float]
"""One detected text line: its 4 corner points, its text, its score 0-1."""


def clean(text: str) -> str:
    """Compatibility forms folded (the recogniser's Chinese vocabulary gives full-width '（',
    '：', '，' for Latin punctuation), single spaces."""
    return " ".join(unicodedata.normalize("NFKC", text).translate(_IDEOGRAPHIC).split())


_IDEOGRAPHIC = str.maketrans({"。": ".", "、": ","})


def assemble(segments: list[Segment]) -> PageOcr:
    """Segments on the same row (vertical centres within half a line height) become one line,
    left to right; rows top to bottom. Word boxes split a segment's box by character count."""
    placed = []
    for corners, text, score in segments:
        text = clean(text)
        if not text:
            continue
        xs, ys = [p[0] for p in corners], [p[1] for p in corners]
        left, top, right, bottom = min(xs), min(ys), max(xs), max(ys)
        placed.append((left, top, right, bottom, text, score))
    placed.sort(key=lambda s: (s[1] + s[3]) / 2)
    rows: list[list[tuple]] = []
    for seg in placed:
        centre, height = (seg[1] + seg[3]) / 2, seg[3] - seg[1]
        if rows:
            row = rows[-1]
            row_centre = sum((s[1] + s[3]) / 2 for s in row) / len(row)
            row_height = sum(s[3] - s[1] for s in row) / len(row)
            if abs(centre - row_centre) <= 0.5 * min(height, row_height):
                row.append(seg)
                continue
        rows.append([seg])
    lines: list[str] = []
    boxes: list[WordBox] = []
    for row in rows:
        row.sort(key=lambda s: s[0])
        lines.append(" ".join(s[4] for s in row))
        for seg in row:
            boxes.extend(_word_boxes(*seg))
    mean = sum(b.confidence for b in boxes) / len(boxes) if boxes else 0.0
    return PageOcr(text="\n".join(lines), confidence=round(mean, 2), words=len(boxes),
                   boxes=tuple(boxes))


def _word_boxes(left: float, top: float, right: float, bottom: float, text: str,
                score: float) -> list[WordBox]:
    """The segment's words, each given the share of its width its characters take."""
    width = max(right - left, 1.0)
    per_char = width / max(len(text), 1)
    out, offset = [], 0
    for word in text.split(" "):
        out.append(WordBox(word, round(100 * score, 1), int(left + offset * per_char),
                           int(top), max(1, int(len(word) * per_char)), max(1, int(bottom - top))))
        offset += len(word) + 1
    return out
