"""Tesseract: one page image in, text, word confidences and boxes out.

Two bindings (`PAPERTRAIL_OCR_BINDING`): `api` (default) keeps Tesseract's library loaded in
this process through tesserocr, one engine per page slot; `cli` runs the `tesseract` command
through pytesseract, one process per page. Starting the command and loading its model costs
~0.15 s per page, about a third of a scanned page's OCR on one core (docs/benchmarks.md).
Both produce Tesseract's word table (TSV), read by the same code.
"""

from __future__ import annotations

import ctypes
import os
import queue
import re
import subprocess
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

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


@lru_cache(maxsize=1)
def tessdata_dir() -> str:
    """Where the language models are: $TESSDATA_PREFIX, else where the installed `tesseract`
    command finds them (Debian's tesseract-ocr packages put them there)."""
    if prefix := os.environ.get("TESSDATA_PREFIX"):
        return prefix
    tesseract_version()  # the clear error when the command (and its models) is missing
    listing = subprocess.run([pytesseract.pytesseract.tesseract_cmd, "--list-langs"],
                             capture_output=True, text=True, timeout=30)
    found = re.search(r'"([^"]+)"', listing.stdout + listing.stderr)
    if not found:
        raise TesseractMissingError("Cannot find Tesseract's language models: set "
                                    "TESSDATA_PREFIX to the folder holding eng.traineddata.")
    return found.group(1)


class TesseractEngine(OcrEngine[TesseractOptions]):
    def __init__(self, options: TesseractOptions) -> None:
        super().__init__(options)
        self._idle: queue.SimpleQueue[Any] = queue.SimpleQueue()  # loaded API engines

    def version(self) -> str:
        if self.options.binding == "api":
            import tesserocr

            return f"{tesserocr.tesseract_version().split()[1]} (tesserocr {tesserocr.__version__})"
        return tesseract_version()

    def read_page(self, image: Path, timeout: float) -> PageOcr:
        read = self._read_api if self.options.binding == "api" else self._read_cli
        return _assemble(read(image, timeout))

    def _read_api(self, image: Path, timeout: float) -> dict[str, list]:
        """Recognise with an engine loaded earlier; its TSV, in pytesseract's dictionary."""
        with self._api() as api:
            api.SetImageFile(str(image))
            if not api.Recognize(timeout=max(1, int(timeout * 1000))):
                raise PageTimeoutError(f"Tesseract took longer than {timeout:g} s")
            tsv = api.GetTSVText(0)
        return pytesseract.pytesseract.file_to_dict(f"{_TSV_HEADER}\n{tsv}", "\t", -1)

    @contextmanager
    def _api(self) -> Iterator[Any]:
        """An idle loaded engine, or a new one: at most one per page read at once (the OCR
        service's slots bound that), each loaded once. tesserocr releases the GIL while it
        recognises, so threads read pages in parallel."""
        try:
            api = self._idle.get_nowait()
        except queue.Empty:
            import tesserocr

            _quiet_leptonica(tesserocr.__file__)
            try:
                api = tesserocr.PyTessBaseAPI(path=tessdata_dir(), lang=self.options.lang,
                                              psm=self.options.psm, oem=self.options.oem)
            except RuntimeError:
                raise TesseractMissingError(
                    f"Tesseract cannot load language {self.options.lang!r} from "
                    f"{tessdata_dir()}: install its model (e.g. `apt-get install "
                    f"tesseract-ocr-deu`) or fix PAPERTRAIL_OCR_LANG.") from None
        try:
            yield api
        finally:
            api.Clear()  # an idle engine keeps its model, not the last page's image and results
            self._idle.put(api)

    def _read_cli(self, image: Path, timeout: float) -> dict[str, list]:
        """One `tesseract` process per page: its TSV gives words, confidences and boxes."""
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
        return data


@lru_cache(maxsize=1)
def _quiet_leptonica(tesserocr_file: str) -> None:
    """Silence the image library inside tesserocr's wheel: it prints harmless messages such as
    "Error in boxClipToRectangle" to the worker's stderr for some receipts (the `cli` binding's
    process printed them where nobody read them). Best effort: a build without that library
    keeps its messages."""
    libs = Path(tesserocr_file).resolve().parent.parent / "tesserocr.libs"
    for lib in sorted(libs.glob("libleptonica*.so*")):
        ctypes.CDLL(str(lib)).setMsgSeverity(_LEPTONICA_SILENT)


_LEPTONICA_SILENT = 6  # leptonica's L_SEVERITY_NONE
_TSV_HEADER = "\t".join(("level", "page_num", "block_num", "par_num", "line_num", "word_num",
                         "left", "top", "width", "height", "conf", "text"))


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
