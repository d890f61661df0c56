"""The OCR engine interface: engines come from the registry by `kind`, options from settings."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Literal

import pytest
from pydantic import ValidationError

from agent.ocr import OcrService
from agent.ocr.cache import OcrCache, cache_key
from agent.ocr.engine import OcrEngine, PageOcr
from agent.ocr.engines import OCR_ENGINES, create_engine
from agent.ocr.models import OcrEngineInfo, OcrResult
from agent.ocr.options import OcrOptions, TesseractOptions
from agent.ocr.tesseract import TesseractEngine
from agent.settings import Settings
from evals import fixtures
from papertrail.errors import ConfigurationError

LEGACY_TESSERACT = {"lang": "eng", "psm": 3, "oem": 1, "dpi": 300, "text_layer_min_chars": 20}
PREPARATION_OFF = {"grayscale": False, "contrast_stretch": False, "deskew": False,
                   "binarize": False}
DEFAULT_TESSERACT = LEGACY_TESSERACT | {"upscale_below_dpi": 150, "upscale_factor": 2.0,
                                        "binding": "api"} | PREPARATION_OFF


class FakeOptions(OcrOptions):
    kind: Literal["fake"] = "fake"
    shout: bool = True


class FakeEngine(OcrEngine[FakeOptions]):
    def version(self) -> str:
        return "0.1"

    def read_page(self, image: Path, timeout: float) -> PageOcr:
        text = f"read {image.suffix} page"
        return PageOcr(text.upper() if self.options.shout else text, 87.5, 3)


def test_settings_pick_the_engine_by_kind(monkeypatch: pytest.MonkeyPatch,
                                          tmp_path: Path) -> None:
    monkeypatch.setenv("PAPERTRAIL_OCR_LANG", "deu")  # the names of the Tesseract-only releases
    monkeypatch.setenv("PAPERTRAIL_OCR_DPI", "150")
    settings = Settings(data_dir=tmp_path)
    assert settings.ocr == TesseractOptions(lang="deu", dpi=150)
    assert isinstance(OcrService(settings).engine, TesseractEngine)
    monkeypatch.setenv("PAPERTRAIL_OCR", '{"kind": "tesseract", "psm": 6}')
    assert Settings(data_dir=tmp_path).ocr.psm == 6
    monkeypatch.setenv("PAPERTRAIL_OCR", '{"kind": "nope"}')
    with pytest.raises(ValidationError, match="nope"):
        Settings(data_dir=tmp_path)


def test_the_service_reads_pages_with_whatever_engine_the_registry_gives(
        monkeypatch: pytest.MonkeyPatch, settings: Settings) -> None:
    monkeypatch.setitem(OCR_ENGINES, "fake", FakeEngine)
    fake = settings.model_copy(update={"ocr": FakeOptions(dpi=200)})
    result = OcrService(fake).ocr_bytes(fixtures.png_bytes(), "scan.png")
    assert result.text == "READ .PNG PAGE" and result.pages[0].confidence == 87.5
    assert result.pages[0].words == 3 and result.pages[0].method == "ocr"
    assert result.engine == OcrEngineInfo(name="fake", version="0.1", options={
        "dpi": 200, "text_layer_min_chars": 20, "upscale_below_dpi": 150,
        "upscale_factor": 2.0, "shout": True} | PREPARATION_OFF)
    quiet = settings.model_copy(update={"ocr": FakeOptions(dpi=200, shout=False)})
    again = OcrService(quiet).ocr_bytes(fixtures.png_bytes(), "scan.png")
    assert again.text == "read .png page" and not again.cached  # options are in the cache key


def test_an_unregistered_kind_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="'fake'.*tesseract"):
        create_engine(FakeOptions())


def _legacy_key(sha256: str, version: str) -> str:
    """The key the Tesseract-only releases computed from their flat engine record."""
    engine = {"engine": "tesseract", "version": version, **LEGACY_TESSERACT}
    return hashlib.sha256(
        json.dumps({"sha256": sha256, "engine": engine}, sort_keys=True).encode()
    ).hexdigest()


def test_cache_keys_keep_their_layout_and_entries_of_earlier_releases_load(
        tmp_path: Path) -> None:
    """Upscaling changed what default OCR returns, so default keys changed with it; the key
    layout did not, and entries written before pages had sizes and boxes still load."""
    assert TesseractEngine(TesseractOptions()).info().model_copy(
        update={"version": "5.3.0"}) == OcrEngineInfo(
        name="tesseract", version="5.3.0", options=DEFAULT_TESSERACT)
    info = OcrEngineInfo(name="tesseract", version="5.3.0", options=LEGACY_TESSERACT)
    key = cache_key("ab" * 32, info)
    assert key == _legacy_key("ab" * 32, "5.3.0")
    current = OcrEngineInfo(name="tesseract", version="5.3.0", options=DEFAULT_TESSERACT)
    assert cache_key("ab" * 32, current) != key
    entry = tmp_path / key[:2] / f"{key}.json"
    entry.parent.mkdir()
    entry.write_text(json.dumps({  # an entry as those releases wrote it
        "sha256": "ab" * 32, "cache_key": key, "cached": False, "seconds": 1.5,
        "engine": {"engine": "tesseract", "version": "5.3.0", **LEGACY_TESSERACT},
        "pages": [{"page": 1, "text": "INVOICE", "confidence": 91.0, "method": "ocr",
                   "seconds": 1.4, "words": 1, "error": None}],
    }))
    hit = OcrCache(tmp_path).get(key, info)
    assert isinstance(hit, OcrResult) and hit.text == "INVOICE" and hit.engine == info
    assert hit.pages[0].boxes == [] and hit.pages[0].width == 0 and hit.layouts() == []


def test_tesseract_gives_word_boxes_with_confidences(tmp_path: Path) -> None:
    image = tmp_path / "page.png"
    image.write_bytes(fixtures.png_bytes())
    page = TesseractEngine(TesseractOptions()).read_page(image, timeout=60)
    assert page.words == len(page.boxes) > 20
    assert page.confidence == round(sum(b.confidence for b in page.boxes) / page.words, 2)
    invoice = next(b for b in page.boxes if b.text == "INVOICE")
    assert invoice.width > 0 and invoice.height > 0
    assert [b.text for b in page.boxes] == page.text.split()
