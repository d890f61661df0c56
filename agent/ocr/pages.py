"""Split a validated document into pages: text we already have, or an image file to OCR.

Image documents (PNG, JPEG, TIFF frames) of low resolution are enlarged before OCR: Tesseract
is trained on text of ~20-40 px cap height and loses characters on 100-dpi office scans. Every
page image then gets the preparation steps its options turn on (`agent.ocr.prepare`).
"""

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
from agent.ocr.options import OcrOptions
from agent.ocr.prepare import after_scaling, any_step, before_scaling
from agent.pdfium_lock import PDFIUM_LOCK

_WORD_CHAR = re.compile(r"[^\W_]", re.UNICODE)

PAGE_INCHES = 11.0
"""The longer side of a letter (11 in) or A4 (11.7 in) page, which most scans show whole."""


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
    seconds: float  # time spent producing the image (rendering, upscaling)
    width: int = 0  # pixels of the image written to `path`
    height: int = 0
    estimated_dpi: float | None = None  # image documents only; PDFs are rendered at `dpi`
    scale: float = 1.0  # enlargement applied before OCR


PageSource = KnownText | PageImage


def split_pages(
    data: bytes, doc_type: DocType, workdir: Path, options: OcrOptions, max_pixels: int
) -> list[PageSource]:
    """Every page in order, as known text or as an image file written into `workdir`."""
    if doc_type is DocType.TEXT:
        return [KnownText(1, data.decode("utf-8").lstrip("\ufeff"), "plain_text", 0.0)]
    if doc_type is DocType.PDF:
        with PDFIUM_LOCK:
            return _pdf_pages(data, workdir, options, max_pixels)
    if doc_type is DocType.TIFF:
        return _tiff_pages(data, workdir, options, max_pixels)
    started = time.perf_counter()
    with Image.open(io.BytesIO(data)) as image:  # reads the header only, unless enlarged
        original = image.size
        scale = upscale_for(original, options, max_pixels)
        if scale == 1.0 and not any_step(options):  # read as they are: no re-encoding
            path = workdir / f"page-0001{'.png' if doc_type is DocType.PNG else '.jpg'}"
            path.write_bytes(data)
            width, height = original
        else:
            path = workdir / "page-0001.png"
            width, height = _save_prepared(image, path, scale, options, max_pixels)
    return [PageImage(1, path, time.perf_counter() - started, width, height,
                      estimate_dpi(*original), scale)]


def estimate_dpi(width: float, height: float) -> float:
    """An image page's resolution, assuming its longer side spans a letter/A4 page (11 in).

    The file's DPI tag is not used: phones, screenshot tools and many PNG writers store 72 (or
    nothing) whatever the scan's real resolution, and scanner software often keeps a default
    after resizing; the pixel count is what Tesseract actually sees. Pages shorter than letter
    (receipts, cheques) are underestimated, so they are enlarged more readily (see the receipt
    numbers in docs/benchmarks.md).
    """
    return round(max(width, height) / PAGE_INCHES, 1)


def upscale_for(size: tuple[int, int], options: OcrOptions, max_pixels: int) -> float:
    """The enlargement for an image page of `size`: `upscale_factor` when its estimated dpi is
    below `upscale_below_dpi`, shrunk to stay within `max_pixels`; 1.0 for none."""
    width, height = size
    if (options.upscale_below_dpi <= 0 or options.upscale_factor <= 1.0 or width <= 0
            or height <= 0 or estimate_dpi(width, height) >= options.upscale_below_dpi):
        return 1.0
    scale = min(options.upscale_factor, math.sqrt(max_pixels / (width * height)))
    while scale > 1.0 and round(width * scale) * round(height * scale) > max_pixels:
        scale -= 0.01  # rounding up a side can cross the limit by a row or column
    scale = math.floor(scale * 1000) / 1000  # rounded down: still within the limit
    return scale if scale > 1.01 else 1.0


def _save_prepared(image: Image.Image, path: Path, scale: float, options: OcrOptions,
                   max_pixels: int) -> tuple[int, int]:
    """Prepare, enlarge with Lanczos (grey or RGB: it does not work on 1-bit or palette
    images), finish preparing and save; the size of the image saved."""
    if image.mode not in ("L", "RGB"):
        image = image.convert("L" if image.mode in ("1", "LA", "I", "I;16", "F") else "RGB")
    image = before_scaling(image, options)
    scale = min(scale, math.sqrt(max_pixels / (image.width * image.height)))  # deskew grows it
    if scale > 1.0:
        size = (round(image.width * scale), round(image.height * scale))
        image = image.resize(size, Image.Resampling.LANCZOS)
    image = after_scaling(image, options)
    image.save(path, compress_level=1)
    return image.size


def has_real_text(text: str, min_chars: int) -> bool:
    """A text layer counts when it holds at least `min_chars` letters or digits."""
    return len(_WORD_CHAR.findall(text)) >= min_chars


def _pdf_pages(
    data: bytes, workdir: Path, options: OcrOptions, max_pixels: int
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
                if has_real_text(text, options.text_layer_min_chars):
                    pages.append(KnownText(index + 1, _tidy(text), "text_layer",
                                           time.perf_counter() - started))
                    continue
                width, height = page.get_size()
                bitmap = page.render(
                    scale=_render_scale(width, height, options.dpi, max_pixels), grayscale=True)
                path = workdir / f"page-{index + 1:04d}.png"
                rendered = after_scaling(before_scaling(bitmap.to_pil(), options), options)
                rendered.save(path, compress_level=1)
                bitmap.close()
            finally:
                page.close()
            pages.append(PageImage(index + 1, path, time.perf_counter() - started,
                                   rendered.width, rendered.height))
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


def _tiff_pages(data: bytes, workdir: Path, options: OcrOptions,
                max_pixels: int) -> list[PageSource]:
    pages: list[PageSource] = []
    with Image.open(io.BytesIO(data)) as image:
        for index in range(getattr(image, "n_frames", 1)):
            started = time.perf_counter()
            image.seek(index)
            path = workdir / f"page-{index + 1:04d}.png"
            scale = upscale_for(image.size, options, max_pixels)
            if scale == 1.0 and not any_step(options):
                frame = image.convert("L") if image.mode not in ("1", "L", "RGB") else image
                frame.save(path, compress_level=1)
                width, height = image.size
            else:
                width, height = _save_prepared(image, path, scale, options, max_pixels)
            pages.append(PageImage(index + 1, path, time.perf_counter() - started, width, height,
                                   estimate_dpi(*image.size), scale))
    return pages


def _tidy(text: str) -> str:
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return "\n".join(lines).strip()
