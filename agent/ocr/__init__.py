"""OCR: PDF text layers via pypdfium2, Tesseract via pytesseract for everything scanned."""

from agent.ocr.models import PAGE_SEPARATOR, OcrEngineInfo, OcrResult, PageText
from agent.ocr.service import OcrService

__all__ = ["PAGE_SEPARATOR", "OcrEngineInfo", "OcrResult", "OcrService", "PageText"]
