"""The OCR engines by name: the `kind` of `Settings.ocr` picks one."""

from __future__ import annotations

from agent.ocr.engine import OcrEngine
from agent.ocr.options import OcrOptions
from agent.ocr.rapidocr import RapidOcrEngine
from agent.ocr.tesseract import TesseractEngine
from papertrail.errors import ConfigurationError

OCR_ENGINES: dict[str, type[OcrEngine]] = {
    "tesseract": TesseractEngine,
    "rapidocr": RapidOcrEngine,  # loads onnxruntime on its first page, not on import
}


def create_engine(options: OcrOptions) -> OcrEngine:
    """The engine that `options.kind` names, configured by `options`."""
    try:
        engine_type = OCR_ENGINES[options.kind]
    except KeyError:
        raise ConfigurationError(
            f"Unknown OCR engine {options.kind!r}; known engines: {', '.join(OCR_ENGINES)}. "
            "Set PAPERTRAIL_OCR's `kind` to one of them."
        ) from None
    return engine_type(options)
