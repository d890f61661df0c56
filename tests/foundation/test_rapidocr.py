"""RapidOCR for real: a receipt the project generates, read by each engine, then the receipt
extractor; and the engine stays unloaded until a page needs it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from agent.extraction.document import read_fields, reading_of
from agent.extraction.normalize import fold_text
from agent.ocr import OcrService
from agent.ocr.models import OcrResult
from agent.ocr.rapidocr import assemble
from agent.settings import Settings
from evals.samples import generate

pytest.importorskip("rapidocr_onnxruntime", reason="rapidocr-onnxruntime is not installed")


@pytest.fixture(scope="module")
def receipt(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    sample = generate(tmp_path_factory.mktemp("receipt"), n_per_class=1, seed=3,
                      classes=["receipt"], formats=["png"])[0]
    return sample.files[0], sample.fields


def _read(policy: str, path: Path, tmp_path: Path) -> OcrResult:
    settings = Settings(data_dir=tmp_path / policy, ocr_policy=policy, ocr_workers=2)
    return OcrService(settings, use_cache=False).ocr_file(path)


@pytest.mark.parametrize("policy", [
    "rapidocr",
    pytest.param("tesseract", marks=pytest.mark.skipif(
        shutil.which("tesseract") is None, reason="Tesseract is not installed")),
])
def test_each_engine_reads_the_words_and_the_total(policy: str, receipt, tmp_path) -> None:
    path, truth = receipt
    result = _read(policy, path, tmp_path)
    page = result.pages[0]
    assert result.engine.name == policy and page.method == "ocr"
    assert page.words == len(page.boxes) > 10 and 50 < page.confidence <= 100
    assert all(w > 0 and h > 0 for _, _, _, _, w, h in page.boxes)
    merchant = truth["merchant"].split()[0]
    assert fold_text(merchant) in fold_text(result.text).replace(" ", "")
    assert "TOTAL" in result.text.upper()
    found = read_fields([reading_of("receipt", policy, result)])
    assert found.fields.total == Decimal(str(truth["total"])).quantize(Decimal("0.01"))
    evidence = found.evidence["total"]
    assert evidence.engine == policy and evidence.page == 1 and evidence.bbox
    left, top, width, height = evidence.bbox
    assert 0 <= left < page.width and 0 <= top < page.height and width > 0 and height > 0
    assert 0 < evidence.confidence <= 1


def test_two_engines_that_agree_make_the_total_more_confident(receipt, tmp_path) -> None:
    if shutil.which("tesseract") is None:
        pytest.skip("Tesseract is not installed")
    path, truth = receipt
    tess, rapid = _read("tesseract", path, tmp_path), _read("rapidocr", path, tmp_path)
    alone = read_fields([reading_of("receipt", "tesseract", tess)])
    both = read_fields([reading_of("receipt", "rapidocr", rapid),
                        reading_of("receipt", "tesseract", tess)])
    total = both.evidence["total"]
    assert total.agreement == "agree" and set(total.sources) == {"rapidocr", "tesseract"}
    assert total.confidence > alone.evidence["total"].confidence


def test_segments_on_one_row_become_one_line_left_to_right() -> None:
    def box(left: int, top: int, right: int, bottom: int) -> list[list[int]]:
        return [[left, top], [right, top], [right, bottom], [left, bottom]]

    page = assemble([(box(300, 102, 360, 122), "12.30", 0.9),
                     (box(10, 40, 200, 60), "SHOP NAME", 0.99),
                     (box(10, 100, 80, 120), "TOTAL", 0.95)])
    assert page.text == "SHOP NAME\nTOTAL 12.30"
    assert [b.text for b in page.boxes] == ["SHOP", "NAME", "TOTAL", "12.30"]
    assert page.boxes[1].left > page.boxes[0].left and page.boxes[0].confidence == 99.0


def test_nothing_loads_onnxruntime_until_a_page_is_read(tmp_path) -> None:
    """Workers build the services at start: with the default `auto` policy that must not
    import onnxruntime or load the models (worker start-up, and tests with timeouts)."""
    code = (
        "import sys\n"
        "from agent.settings import Settings\n"
        "from agent.services import Services\n"
        "from agent.ocr import OcrService\n"
        f"s = Settings(data_dir={str(tmp_path)!r})\n"
        "assert s.ocr_policy == 'auto'\n"
        "OcrService(s); OcrService(s.model_copy(update={'ocr_policy': 'rapidocr'})).engine_info()\n"
        "from agent.ocr.policy import second_reader\n"
        "assert second_reader(s) is not None\n"
        "loaded = [m for m in sys.modules if m.startswith(('onnxruntime', 'rapidocr'))]\n"
        "assert not loaded, loaded\n"
    )
    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-c", code], check=True, cwd=root,
                   env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"})


def test_spaces_run_together_come_back_from_the_other_reading_numbers_stay_whole() -> None:
    from agent.ocr.models import OcrEngineInfo, PageText
    from agent.ocr.respace import respace

    def result(text: str, boxes: list) -> OcrResult:
        page = PageText(page=1, text=text, confidence=90.0, method="ocr", seconds=0.1,
                        words=len(boxes), width=500, height=100, boxes=boxes)
        return OcrResult(sha256="0" * 64, pages=[page], cache_key="k",
                         engine=OcrEngineInfo(name="x", version="1", options={}))

    rapid = result("YONGFATTENTERPRISE\nTotaldue:EUR1165.50",
                   [("YONGFATTENTERPRISE", 97.0, 10, 5, 180, 20),
                    ("Totaldue:EUR1165.50", 99.0, 10, 40, 190, 20)])
    tess = result("YONG FATT ENTERPRISE\nTotal due: EUR 1165. 50", [])
    spaced = respace(rapid, tess).pages[0]
    assert spaced.text == "YONG FATT ENTERPRISE\nTotal due: EUR 1165.50"
    assert [b[0] for b in spaced.boxes] == spaced.text.split() and spaced.words == 7
    assert spaced.boxes[1][2] == 10 + 5 * 10 and spaced.boxes[1][1] == 97.0
    # a garbled reference (Tesseract lost the page) puts no spaces inside words
    net = result("NETTOTAL:45.00", [("NETTOTAL:45.00", 99.0, 10, 5, 140, 20)])
    garbled = result("Lo vo TOT a L cee NET me ae 45 rn &", [])
    assert respace(net, garbled).pages[0].text == "NETTOTAL:45.00"
