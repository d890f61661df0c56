"""OCR with the real Tesseract on documents the project renders itself."""

from __future__ import annotations

import io
import re

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from agent import errors
from agent.ocr import OcrService
from agent.ocr.options import TesseractOptions
from agent.ocr.tesseract import TesseractEngine
from agent.settings import Settings
from evals import fixtures
from papertrail.errors import ConfigurationError

SECOND_PAGE = ["Delivery note", "Received in good order by Margaret Holloway"]


def words(text: str) -> set[str]:
    return set(re.findall(r"[A-Za-z0-9.\-]+", text))


def assert_invoice_words(text: str) -> None:
    found = words(text)
    for expected in ("INVOICE", "INV-20417", "1165.50", "Hydraulic", "Bristol"):
        assert expected in found, f"{expected!r} not recovered; OCR text was:\n{text}"


def test_png_invoice(settings: Settings) -> None:
    result = OcrService(settings).ocr_bytes(fixtures.png_bytes(), "invoice.png")
    [page] = result.pages
    assert page.method == "ocr" and page.confidence > 80 and page.words > 20
    assert page.seconds > 0
    assert_invoice_words(page.text)


def test_multipage_tiff(settings: Settings) -> None:
    result = OcrService(settings).ocr_bytes(
        fixtures.tiff_bytes([fixtures.INVOICE_LINES, SECOND_PAGE]), "fax.tif"
    )
    assert [p.page for p in result.pages] == [1, 2]
    assert_invoice_words(result.pages[0].text)
    assert {"Delivery", "Holloway"} <= words(result.pages[1].text)
    assert "Holloway" not in result.pages[0].text


def test_pdf_text_layer_is_used_without_ocr(settings: Settings,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(TesseractEngine, "read_page", _tesseract_must_not_run)
    result = OcrService(settings).ocr_bytes(fixtures.text_pdf_bytes([fixtures.INVOICE_LINES]),
                                            "digital.pdf")
    [page] = result.pages
    assert page.method == "text_layer" and page.confidence == 100.0
    assert "Invoice number: INV-20417" in page.text


def test_scanned_pdf_is_rendered_and_ocred(settings: Settings) -> None:
    result = OcrService(settings).ocr_bytes(
        fixtures.scanned_pdf_bytes([fixtures.INVOICE_LINES, SECOND_PAGE]), "scan.pdf"
    )
    assert [p.method for p in result.pages] == ["ocr", "ocr"]
    assert_invoice_words(result.pages[0].text)
    assert "Holloway" in result.pages[1].text
    assert result.engine.options["dpi"] == 300


def test_mixed_pdf_reads_each_page_its_own_way(settings: Settings) -> None:
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, pagesize=A4)
    pdf.drawString(72, 760, "Cover letter for the attached invoice from ACME Industrial")
    pdf.showPage()
    pdf.drawImage(ImageReader(fixtures.render_page(fixtures.INVOICE_LINES)), 0, 0, *A4)
    pdf.showPage()
    pdf.save()
    result = OcrService(settings).ocr_bytes(buf.getvalue(), "mixed.pdf")
    assert [p.method for p in result.pages] == ["text_layer", "ocr"]
    assert_invoice_words(result.pages[1].text)


def test_plain_text_passes_through(settings: Settings) -> None:
    result = OcrService(settings).ocr_bytes("\ufeffMemo\nTo: all staff".encode(), "memo.txt")
    assert result.pages[0].method == "plain_text"
    assert result.text == "Memo\nTo: all staff"


def _tesseract_must_not_run(*args: object, **kwargs: object) -> None:
    raise AssertionError("Tesseract was called")


def test_second_run_comes_from_the_cache(settings: Settings,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    data = fixtures.png_bytes()
    first = OcrService(settings).ocr_bytes(data, "invoice.png")
    assert not first.cached
    monkeypatch.setattr(TesseractEngine, "read_page", _tesseract_must_not_run)
    second = OcrService(settings).ocr_bytes(data, "other-name.png")  # a new service, same folder
    assert second.cached
    assert second.text == first.text and second.cache_key == first.cache_key


def test_changed_ocr_settings_miss_the_cache(settings: Settings) -> None:
    data = fixtures.scanned_pdf_bytes([fixtures.INVOICE_LINES])
    first = OcrService(settings).ocr_bytes(data, "scan.pdf")
    lower = settings.model_copy(update={"ocr": TesseractOptions(dpi=150)})
    second = OcrService(lower).ocr_bytes(data, "scan.pdf")
    assert not second.cached and second.cache_key != first.cache_key
    assert second.engine.options["dpi"] == 150


def test_engine_version_and_settings_are_recorded(settings: Settings) -> None:
    engine = OcrService(settings).ocr_bytes(fixtures.png_bytes(), "a.png").engine
    assert engine.name == "tesseract" and re.match(r"\d+\.\d+", engine.version)
    assert engine.options == {"lang": "eng", "psm": 3, "oem": 1, "dpi": 300,
                              "text_layer_min_chars": 20, "upscale_below_dpi": 150,
                              "upscale_factor": 2.0, "binding": "api", "grayscale": False,
                              "contrast_stretch": False, "deskew": False, "binarize": False}
    assert "tesserocr" in engine.version  # the binding that read it


@pytest.mark.parametrize("binding", ["api", "cli"])
def test_both_bindings_read_the_invoice(settings: Settings, binding: str) -> None:
    chosen = settings.model_copy(update={"ocr": TesseractOptions(binding=binding)})
    result = OcrService(chosen, use_cache=False).ocr_bytes(fixtures.png_bytes(), "a.png")
    assert_invoice_words(result.text)
    assert result.engine.options["binding"] == binding
    [page] = result.pages
    assert page.confidence > 80 and len(page.boxes) == page.words > 20
    # word boxes sit on the page: the total's box is inside the image
    [total] = [b for b in page.boxes if b[0] == "1165.50"]
    assert 0 <= total[2] < page.width and 0 <= total[3] < page.height


def test_the_api_binding_loads_each_engine_once(settings: Settings, tmp_path) -> None:
    engine = TesseractEngine(TesseractOptions(binding="api"))
    image = tmp_path / "a.png"
    image.write_bytes(fixtures.png_bytes())
    first = engine.read_page(image, timeout=60)
    second = engine.read_page(image, timeout=60)
    assert first == second and engine._idle.qsize() == 1  # one engine, reused


def test_an_unknown_language_is_a_clear_configuration_error(tmp_path) -> None:
    engine = TesseractEngine(TesseractOptions(binding="api", lang="xxx"))
    image = tmp_path / "a.png"
    image.write_bytes(fixtures.png_bytes())
    with pytest.raises(ConfigurationError, match="cannot load language 'xxx'"):
        engine.read_page(image, timeout=60)


@pytest.mark.parametrize("binding", ["api", "cli"])
def test_page_timeout_marks_the_page_and_is_not_cached(settings: Settings, binding: str) -> None:
    hasty = settings.model_copy(update={"ocr_page_timeout": 0.001,
                                        "ocr": TesseractOptions(binding=binding)})
    result = OcrService(hasty).ocr_bytes(fixtures.png_bytes(), "a.png")
    [page] = result.pages
    assert page.text == "" and "longer than" in (page.error or "")
    assert not OcrService(hasty).ocr_bytes(fixtures.png_bytes(), "a.png").cached


def test_pages_run_in_parallel_and_keep_their_order(settings: Settings) -> None:
    pages = [[f"Page marker {word}"] for word in ("alpha", "bravo", "charlie", "delta")]
    result = OcrService(settings).ocr_bytes(fixtures.tiff_bytes(pages), "four.tiff")
    assert [p.page for p in result.pages] == [1, 2, 3, 4]
    for page, word in zip(result.pages, ("alpha", "bravo", "charlie", "delta"), strict=True):
        assert word in page.text


def test_bad_input_gets_the_ingest_error(settings: Settings) -> None:
    with pytest.raises(errors.TextEncodingError):
        OcrService(settings).ocr_bytes(b"\xff\xfe bad", "a.txt")


def test_many_documents_share_the_pool_and_keep_input_order(settings: Settings,
                                                            tmp_path) -> None:
    names = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot"]
    paths = []
    for name in names:
        path = tmp_path / f"{name}.png"
        path.write_bytes(fixtures.png_bytes([f"Reference {name}", "Purchase order"]))
        paths.append(path)
    results = list(OcrService(settings).ocr_paths(paths))
    assert [name in r.text for r, name in zip(results, names, strict=True)] == [True] * 6
    assert len({r.sha256 for r in results}) == 6


def test_one_thread_limit_reaches_tesseract_but_not_this_process(monkeypatch) -> None:
    """OMP_THREAD_LIMIT=1 speeds Tesseract up on few cores but would cap torch's threads here."""
    import os

    import pytesseract

    import agent.ocr.tesseract  # noqa: F401  (installs the environment pytesseract passes on)

    monkeypatch.delenv("OMP_THREAD_LIMIT", raising=False)
    monkeypatch.setenv("PAPERTRAIL_PROBE", "live")
    env = pytesseract.pytesseract.subprocess_args()["env"]
    assert env["OMP_THREAD_LIMIT"] == "1"
    assert env["PAPERTRAIL_PROBE"] == "live"  # os.environ as it is at call time
    assert "OMP_THREAD_LIMIT" not in os.environ


def test_the_api_binding_keeps_the_image_library_quiet(tmp_path) -> None:
    """Leptonica's harmless messages would otherwise fill the worker's log."""
    import ctypes
    from pathlib import Path

    import tesserocr

    libs = sorted((Path(tesserocr.__file__).resolve().parent.parent
                   / "tesserocr.libs").glob("libleptonica*.so*"))
    if not libs:
        pytest.skip("this tesserocr build links the system's leptonica")
    image = tmp_path / "a.png"
    image.write_bytes(fixtures.png_bytes())
    TesseractEngine(TesseractOptions(binding="api")).read_page(image, timeout=60)
    assert ctypes.CDLL(str(libs[0])).setMsgSeverity(6) == 6  # it returns the level it replaces


def test_a_stored_document_is_not_decoded_again_to_be_checked(settings: Settings,
                                                               monkeypatch) -> None:
    """Ingest validated the stored bytes; the worker's OCR says so and skips the second full
    decode, with the same result and cache key as a checked read."""
    from agent.ocr import service

    data = fixtures.png_bytes()
    checked = OcrService(settings, use_cache=False).ocr_bytes(data, "invoice.png")
    monkeypatch.setattr(service, "validate_upload", lambda *a: pytest.fail("decoded again"))
    stored = OcrService(settings, use_cache=False).ocr_bytes(data, "invoice.png", checked=True)
    assert stored.cache_key == checked.cache_key and stored.sha256 == checked.sha256
    assert stored.text == checked.text
