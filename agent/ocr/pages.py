"""Split a validated document into pages: text we already have, or an image file to OCR."""

from __future__ import annotations

import io
import math
import re
import time
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image

from agent.filetypes import DocType
from agent.ocr.models import Method
from agent.pdfium_lock import PDFIUM_LOCK

_WORD_CHAR = re.compile(r"[^\W_]", re.UNICODE)


@dataclass(frozen=True)
class KnownText:
    page: int
    text: str
    method: Method
    seconds: float


@dataclass(frozen=True)
class PageImage:
    page: int
    path: Path
    seconds: float  # time spent producing the image (rendering)


PageSource = KnownText | PageImage


def split_pages(
    data: bytes,
    doc_type: DocType,
    workdir: Path,
    dpi: int,
    text_layer_min_chars: int,
    max_pixels: int,
) -> list[PageSource]:
    """Every page in order, as known text or as an image file written into `workdir`."""
    if doc_type is DocType.TEXT:
        return [KnownText(1, data.decode("utf-8").lstrip("\ufeff"), "plain_text", 0.0)]
    if doc_type is DocType.PDF:
        with PDFIUM_LOCK:
            return _pdf_pages(data, workdir, dpi, text_layer_min_chars, max_pixels)
    if doc_type is DocType.TIFF:
        return _tiff_pages(data, workdir)
    # Tesseract reads PNG and JPEG as they are: no re-encoding.
    path = workdir / f"page-0001{'.png' if doc_type is DocType.PNG else '.jpg'}"
    path.write_bytes(data)
    return [PageImage(1, path, 0.0)]


def has_real_text(text: str, min_chars: int) -> bool:
    """A text layer counts when it holds at least `min_chars` letters or digits."""
    return len(_WORD_CHAR.findall(text)) >= min_chars


def _pdf_pages(
    data: bytes, workdir: Path, dpi: int, min_chars: int, max_pixels: int
) -> list[PageSource]:
    pages: list[PageSource] = []
    pdf = pdfium.PdfDocument(data)
    try:
        for index in range(len(pdf)):
            started = time.perf_counter()
            page = pdf[index]
            try:
                textpage = page.get_textpage()
                text = textpage.get_text_bounded()
                textpage.close()
                if has_real_text(text, min_chars):
                    pages.append(KnownText(index + 1, _tidy(text), "text_layer",
                                           time.perf_counter() - started))
                    continue
                width, height = page.get_size()
                bitmap = page.render(scale=_render_scale(width, height, dpi, max_pixels),
                                     grayscale=True)
                path = workdir / f"page-{index + 1:04d}.png"
                bitmap.to_pil().save(path, compress_level=1)
                bitmap.close()
            finally:
                page.close()
            pages.append(PageImage(index + 1, path, time.perf_counter() - started))
    finally:
        pdf.close()
    return pages


def _render_scale(width_pt: float, height_pt: float, dpi: int, max_pixels: int) -> float:
    """Points to pixels at `dpi`, shrunk so a giant page cannot exhaust memory."""
    scale = dpi / 72
    pixels = width_pt * height_pt * scale * scale
    if pixels > max_pixels:
        scale *= math.sqrt(max_pixels / pixels)
    return scale


def _tiff_pages(data: bytes, workdir: Path) -> list[PageSource]:
    pages: list[PageSource] = []
    with Image.open(io.BytesIO(data)) as image:
        for index in range(getattr(image, "n_frames", 1)):
            started = time.perf_counter()
            image.seek(index)
            frame = image.convert("L") if image.mode not in ("1", "L", "RGB") else image
            path = workdir / f"page-{index + 1:04d}.png"
            frame.save(path, compress_level=1)
            pages.append(PageImage(index + 1, path, time.perf_counter() - started))
    return pages


def _tidy(text: str) -> str:
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return "\n".join(lines).strip()
