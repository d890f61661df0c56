"""A bundle records the OCR engine that read its corpus; each classification says whether the
document was read the same way (the gate was certified on those readings)."""

from __future__ import annotations

from types import SimpleNamespace

from agent.nodes.classify import ocr_as_trained
from agent.ocr.policy import primary_engine_info
from agent.settings import Settings
from agent.state import DocumentState

ENGINE = {"name": "tesseract", "version": "5.5.4 (tesserocr 2.13.0)",
          "options": {"binding": "api", "lang": "eng"}}


def bundle(ocr_engine: dict | None) -> SimpleNamespace:
    return SimpleNamespace(info=SimpleNamespace(trained_on=SimpleNamespace(ocr_engine=ocr_engine)))


def state(engine: dict, method: str = "ocr") -> DocumentState:
    return DocumentState(doc_id="d", ocr={"engine": engine, "pages": [{"method": method}]})


def test_same_engine_different_engine_and_unknown() -> None:
    assert ocr_as_trained(bundle(ENGINE), state(ENGINE)) is True
    cli = {**ENGINE, "version": "5.3.0", "options": {"binding": "cli", "lang": "eng"}}
    assert ocr_as_trained(bundle(ENGINE), state(cli)) is False
    assert ocr_as_trained(bundle(None), state(ENGINE)) is None  # an older bundle
    assert ocr_as_trained(bundle(ENGINE), state(cli, method="text_layer")) is None  # no OCR
    assert ocr_as_trained(object(), state(ENGINE)) is None  # a classifier without a bundle


def test_the_configured_engine_is_what_bundles_record(tmp_path) -> None:
    info = primary_engine_info(Settings(data_dir=tmp_path))
    assert info.name == "tesseract" and info.options["binding"] == "api"
    assert "tesserocr" in info.version
