"""Low-resolution image pages are enlarged before Tesseract; word boxes come back in the
coordinates of the image OCR read, and the setting is part of the cache key."""

from __future__ import annotations

import io
import json

import pytest
from PIL import Image

from agent.ocr import OcrResult, OcrService
from agent.ocr.cache import OcrCache
from agent.ocr.options import TesseractOptions
from agent.ocr.pages import estimate_dpi, upscale_for
from agent.settings import Settings
from evals import fixtures

LOW_RES = (620, 877)  # A4 at 75 dpi: RVL-CDIP-like
LINES = ["INVOICE", "Invoice number: INV-20417", "Total due: EUR 1165.50"]


def low_res_png() -> bytes:
    buf = io.BytesIO()
    fixtures.render_page(LINES, size=LOW_RES, font_px=16).save(buf, format="PNG")
    return buf.getvalue()


def with_upscale(settings: Settings, below: int) -> Settings:
    return settings.model_copy(update={"ocr": TesseractOptions(upscale_below_dpi=below)})


def box(result: OcrResult, word: str) -> tuple[str, float, int, int, int, int]:
    [page] = result.pages
    return next(b for b in page.boxes if word in b[0])


def test_low_resolution_page_is_upscaled_and_boxes_follow(settings: Settings) -> None:
    data = low_res_png()
    upscaled = OcrService(with_upscale(settings, 150)).ocr_bytes(data, "scan.png")
    native = OcrService(with_upscale(settings, 0)).ocr_bytes(data, "scan.png")
    [up], [nat] = upscaled.pages, native.pages
    assert up.scale == 2.0 and up.estimated_dpi == pytest.approx(877 / 11, abs=0.1)
    assert (up.width, up.height) == (1240, 1754)
    assert nat.scale == 1.0 and (nat.width, nat.height) == LOW_RES
    assert nat.estimated_dpi == up.estimated_dpi  # the estimate is of the original
    assert "INV-20417" in upscaled.text
    # the same word, twice as far from the corner and twice as large in the upscaled image
    big, small = box(upscaled, "INVOICE"), box(native, "INVOICE")
    assert big[2] == pytest.approx(2 * small[2], abs=4)
    assert big[3] == pytest.approx(2 * small[3], abs=4)
    assert big[5] == pytest.approx(2 * small[5], abs=4)
    assert all(b[2] + b[4] <= up.width and b[3] + b[5] <= up.height for b in up.boxes)
    assert upscaled.cache_key != native.cache_key
    assert upscaled.engine.options["upscale_below_dpi"] == 150
    assert native.engine.options["upscale_below_dpi"] == 0


def test_page_scanned_at_300_dpi_is_read_as_it_is(settings: Settings) -> None:
    image = fixtures.render_page(LINES, size=(2480, 3508), font_px=60)
    buf = io.BytesIO()
    image.save(buf, format="JPEG", quality=90)
    result = OcrService(with_upscale(settings, 150)).ocr_bytes(buf.getvalue(), "a4.jpg")
    [page] = result.pages
    assert page.scale == 1.0 and (page.width, page.height) == (2480, 3508)
    assert page.estimated_dpi == pytest.approx(318.9, abs=0.1)
    assert "INV-20417" in result.text
    assert box(result, "INVOICE")[5] > 35  # 60-px type in full-size coordinates


def test_tiff_frames_are_upscaled_each_and_one_bit_frames_too(settings: Settings) -> None:
    frames = [fixtures.render_page(LINES, size=LOW_RES, font_px=16).convert("1"),
              fixtures.render_page(LINES, size=(1240, 1754), font_px=30)]
    buf = io.BytesIO()
    frames[0].save(buf, format="TIFF", save_all=True, append_images=frames[1:])
    result = OcrService(with_upscale(settings, 150)).ocr_bytes(buf.getvalue(), "fax.tif")
    assert [p.scale for p in result.pages] == [2.0, 1.0]
    assert [(p.width, p.height) for p in result.pages] == [(1240, 1754)] * 2
    assert all("INV-20417" in p.text for p in result.pages)


def test_pdf_pages_are_rendered_at_dpi_and_never_upscaled(settings: Settings) -> None:
    pdf = fixtures.scanned_pdf_bytes([LINES])
    result = OcrService(with_upscale(settings, 1200)).ocr_bytes(pdf, "scan.pdf")
    [page] = result.pages
    assert page.scale == 1.0 and page.estimated_dpi is None
    assert page.width > 2000 and page.boxes  # A4 at 300 dpi: 2480 x 3508


def test_the_enlargement_never_exceeds_the_pixel_limit() -> None:
    options = TesseractOptions(upscale_below_dpi=150, upscale_factor=2.0)
    assert upscale_for((754, 1000), options, 89_478_485) == 2.0
    capped = upscale_for((754, 1000), options, 2_000_000)
    assert 1.0 < capped < 2.0
    assert round(754 * capped) * round(1000 * capped) <= 2_000_000
    assert upscale_for((754, 1000), options, 760_000) == 1.0  # barely any room: left as is
    assert upscale_for((2550, 3300), options, 89_478_485) == 1.0  # letter at 300 dpi
    assert upscale_for((754, 1000), TesseractOptions(upscale_below_dpi=0), 10**9) == 1.0
    assert estimate_dpi(1000, 754) == estimate_dpi(754, 1000) == 90.9  # landscape alike


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("PAPERTRAIL_OCR_UPSCALE_BELOW_DPI", "0")
    monkeypatch.setenv("PAPERTRAIL_OCR_UPSCALE_FACTOR", "1.5")
    options = Settings(data_dir=tmp_path).ocr
    assert (options.upscale_below_dpi, options.upscale_factor) == (0, 1.5)


def test_every_option_is_in_the_cache_key(settings: Settings) -> None:
    service = OcrService(settings)
    info = service.engine_info()
    assert set(info.options) == set(TesseractOptions.model_fields) - {"kind"}
    data = low_res_png()
    keys = {OcrService(settings.model_copy(update={"ocr": TesseractOptions(**change)}))
            .ocr_bytes(data, "a.png").cache_key
            for change in ({}, {"upscale_below_dpi": 100}, {"upscale_factor": 1.5})}
    assert len(keys) == 3


def test_boxes_survive_the_cache_and_old_entries_load(settings: Settings) -> None:
    data = low_res_png()
    first = OcrService(settings).ocr_bytes(data, "a.png")
    second = OcrService(settings).ocr_bytes(data, "a.png")
    assert second.cached and second.pages == first.pages and first.pages[0].boxes
    # an entry written before pages had sizes, scales and boxes
    cache = OcrCache(settings.cache_dir / "ocr")
    path = cache._path(first.cache_key)
    stored = json.loads(path.read_text())
    for page in stored["pages"]:
        for field in ("width", "height", "estimated_dpi", "scale", "boxes"):
            del page[field]
    path.write_text(json.dumps(stored))
    old = OcrService(settings).ocr_bytes(data, "a.png")
    assert old.cached and old.text == first.text
    assert old.pages[0].boxes == [] and old.pages[0].scale == 1.0 and old.layouts() == []


def test_layouts_of_a_result(settings: Settings) -> None:
    result = OcrService(settings).ocr_bytes(fixtures.png_bytes(), "a.png")
    [layout] = result.layouts()
    assert (layout.width, layout.height) == (1240, 1754)
    assert any(word[0] == "INVOICE" for word in layout.words)
    text = OcrService(settings).ocr_bytes(b"Memo to all staff", "memo.txt")
    assert text.layouts() == []


def test_image_sizes_are_read_without_decoding(tmp_path) -> None:
    """A page that needs no upscaling is handed to Tesseract byte for byte."""
    from agent.filetypes import DocType
    from agent.ocr.pages import split_pages

    data = fixtures.jpeg_bytes()
    [page] = split_pages(data, DocType.JPEG, tmp_path, TesseractOptions(), 89_478_485)
    assert page.path.read_bytes() == data
    with Image.open(page.path) as image:
        assert image.size == (page.width, page.height)
