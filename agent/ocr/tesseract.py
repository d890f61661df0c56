"""Tesseract through pytesseract: one page image in, text, word confidences and boxes out."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from functools import lru_cache
from pathlib import Path

import pytesseract

from agent.ocr.engine import OcrEngine, PageOcr, PageTimeoutError, WordBox
from agent.ocr.options import TesseractOptions
from papertrail.errors import ConfigurationError


class _TesseractEnvironment(Mapping[str, str]):
    """os.environ as it is now, plus OMP_THREAD_LIMIT=1, for Tesseract's processes only.

    On few cores Tesseract's own OpenMP threading is ~2.5x slower than one thread per process;
    we parallelise across pages instead. Setting the limit in os.environ would also cap torch's
    OpenMP pool in this process to one thread (the classifier ran at half speed that way), so
    the limit goes only to the environment pytesseract hands its subprocesses.
    """

    LIMIT = "OMP_THREAD_LIMIT"

    def __getitem__(self, key: str) -> str:
        if key == self.LIMIT and key not in os.environ:
            return "1"
        return os.environ[key]

    def __iter__(self) -> Iterator[str]:
        yield from os.environ
        if self.LIMIT not in os.environ:
            yield self.LIMIT

    def __len__(self) -> int:
        return len(os.environ) + (self.LIMIT not in os.environ)


pytesseract.pytesseract.environ = _TesseractEnvironment()  # read by its subprocess_args()


class TesseractMissingError(ConfigurationError):
    code = "tesseract_missing"


@lru_cache(maxsize=1)
def tesseract_version() -> str:
    try:
        return str(pytesseract.get_tesseract_version())
    except pytesseract.TesseractNotFoundError:
        raise TesseractMissingError(
            "Tesseract is not installed or not on PATH. Install it with "
            "`apt-get install -y tesseract-ocr` (or run `make install`)."
        ) from None


class TesseractEngine(OcrEngine[TesseractOptions]):
    def version(self) -> str:
        return tesseract_version()

    def read_page(self, image: Path, timeout: float) -> PageOcr:
        """One Tesseract run per page: its TSV gives words, confidences and boxes."""
        try:
            data = pytesseract.image_to_data(
                str(image),
                lang=self.options.lang,
                config=f"--psm {self.options.psm} --oem {self.options.oem}",
                timeout=timeout,
                output_type=pytesseract.Output.DICT,
            )
        except RuntimeError as exc:
            if "timeout" in str(exc).lower():
                raise PageTimeoutError(f"Tesseract took longer than {timeout:g} s") from None
            raise
        return _assemble(data)


def _assemble(data: dict[str, list]) -> PageOcr:
    """Rebuild reading-order text from Tesseract's word table; average the word confidences."""
    lines: dict[tuple[int, int, int], list[str]] = {}
    boxes: list[WordBox] = []
    for i, word in enumerate(data["text"]):
        word = (word or "").strip()
        conf = float(data["conf"][i])
        if not word or conf < 0:
            continue
        key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
        lines.setdefault(key, []).append(word)
        boxes.append(WordBox(word, conf, int(data["left"][i]), int(data["top"][i]),
                             int(data["width"][i]), int(data["height"][i])))
    out: list[str] = []
    previous: tuple[int, int] | None = None
    for (block, par, _line), words in lines.items():
        if previous is not None and previous != (block, par):
            out.append("")  # blank line between paragraphs
        out.append(" ".join(words))
        previous = (block, par)
    mean = sum(b.confidence for b in boxes) / len(boxes) if boxes else 0.0
    return PageOcr(text="\n".join(out), confidence=round(mean, 2), words=len(boxes),
                   boxes=tuple(boxes))
