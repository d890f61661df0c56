"""Image preparation before OCR: each step does what it says on a generated page, Tesseract
then reads the known words, the steps run where page images are made, and every step is part
of the OCR cache key."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from agent.filetypes import DocType
from agent.ocr import OcrService
from agent.ocr.cache import cache_key
from agent.ocr.options import TesseractOptions
from agent.ocr.pages import PageImage, split_pages
from agent.ocr.prepare import (
    binarize,
    deskew,
    ink_and_paper,
    skew_angle,
    stretch_contrast,
)
from agent.settings import Settings
from evals import fixtures

RECEIPT = ["KEDAI MAKAN SRI MAJU", "NO 12 JALAN DEDAP 13", "Invoice number: INV-20417",
           "Date: 2026-03-14", "Nasi lemak  2  9.00", "Teh tarik   2  4.40",
           "Total due: EUR 1165.50", "Thank you"]
KNOWN = ("INV-20417", "1165.50")


def receipt(size: tuple[int, int] = (900, 1400)) -> Image.Image:
    return fixtures.render_page(RECEIPT, size=size, font_px=30)


def as_file(image: Image.Image, fmt: str = "JPEG") -> bytes:
    buf = io.BytesIO()
    image.save(buf, format=fmt, quality=92) if fmt == "JPEG" else image.save(buf, format=fmt)
    return buf.getvalue()


def read(settings: Settings, data: bytes, name: str, **steps: bool) -> str:
    options = TesseractOptions(upscale_below_dpi=0, **steps)
    return OcrService(settings.model_copy(update={"ocr": options}),
                      use_cache=False).ocr_bytes(data, name).text


def reads_known(text: str) -> bool:
    return all(word in text for word in KNOWN)


def test_grayscale_turns_a_colour_photo_grey_and_tesseract_reads_it(
        settings: Settings, tmp_path: Path) -> None:
    grey = np.asarray(receipt(), dtype=np.float32) / 255
    colour = np.stack([90 + 160 * grey, 60 + 170 * grey, 140 + 60 * grey], axis=2)  # ink on tint
    photo = Image.fromarray(colour.astype(np.uint8), "RGB")
    [page] = split_pages(as_file(photo), DocType.JPEG, tmp_path, TesseractOptions(
        upscale_below_dpi=0, grayscale=True), 10**8)
    assert isinstance(page, PageImage) and Image.open(page.path).mode == "L"
    assert reads_known(read(settings, as_file(photo), "photo.jpg", grayscale=True))


def test_contrast_stretch_makes_faint_print_black_on_white(settings: Settings) -> None:
    faint = receipt().point(lambda v: 165 + v * 60 // 255)  # grey ink on grey thermal paper
    assert ink_and_paper(faint) == pytest.approx((165, 225), abs=2)
    stretched = stretch_contrast(faint)
    assert ink_and_paper(stretched) == pytest.approx((0, 255), abs=2)
    assert reads_known(read(settings, as_file(faint), "faint.jpg", contrast_stretch=True))


def test_contrast_stretch_leaves_clean_and_blank_pages_alone() -> None:
    clean = receipt()
    assert stretch_contrast(clean) is clean
    blank = Image.new("L", (600, 800), 230)
    ImageDraw.Draw(blank).point([(10, 10), (20, 20)], fill=200)  # specks, no ink
    assert stretch_contrast(blank) is blank


@pytest.mark.parametrize("tilt", [-6.0, 3.0])
def test_deskew_turns_a_tilted_page_straight(settings: Settings, tilt: float) -> None:
    tilted = receipt().rotate(tilt, resample=Image.Resampling.BICUBIC, expand=True,
                              fillcolor=255)
    assert skew_angle(tilted) == pytest.approx(-tilt, abs=0.3)
    assert skew_angle(deskew(tilted)) == pytest.approx(0, abs=0.3)
    assert reads_known(read(settings, as_file(tilted), "tilted.jpg", deskew=True))


def test_deskew_leaves_straight_and_inkless_pages_as_they_are() -> None:
    straight = receipt()
    assert deskew(straight).size == straight.size
    for blank in (Image.new("L", (754, 1000), 255), Image.new("L", (754, 1000), 40)):
        assert skew_angle(blank) == 0.0  # no angle beats none: not the edge of the search


def test_binarize_keeps_text_under_a_shadow(settings: Settings) -> None:
    page = np.asarray(receipt(), dtype=np.float32)
    shadow = np.linspace(1.0, 0.45, page.shape[1], dtype=np.float32)[None, :]  # dark right side
    shaded = Image.fromarray((page * shadow).astype(np.uint8), "L")
    black_white = np.asarray(binarize(shaded))
    assert set(np.unique(black_white)) == {0, 255}
    assert (black_white == 0).mean() < 0.1  # the shadow itself is not ink
    assert reads_known(read(settings, as_file(shaded, "PNG"), "shadow.png", binarize=True))


def test_steps_apply_to_rendered_pdf_pages_and_tiff_frames(tmp_path: Path) -> None:
    options = TesseractOptions(binarize=True)
    (tmp_path / "p").mkdir()
    (tmp_path / "t").mkdir()
    pdf = split_pages(fixtures.scanned_pdf_bytes([RECEIPT]), DocType.PDF, tmp_path / "p",
                      options, 10**8)
    tiff = split_pages(fixtures.tiff_bytes([RECEIPT]), DocType.TIFF, tmp_path / "t",
                       options, 10**8)
    for page in (*pdf, *tiff):
        assert isinstance(page, PageImage)
        assert set(np.unique(np.asarray(Image.open(page.path)))) <= {0, 255}


def test_every_step_is_in_the_cache_key(settings: Settings) -> None:
    keys = {cache_key("0" * 64, OcrService(settings.model_copy(
                update={"ocr": TesseractOptions(**steps)})).engine_info())
            for steps in ({}, {"grayscale": True}, {"contrast_stretch": True},
                          {"deskew": True}, {"binarize": True})}
    assert len(keys) == 5
    info = OcrService(settings).engine_info()
    assert {"grayscale", "contrast_stretch", "deskew", "binarize"} <= set(info.options)
