"""OCR a document: text layers where they exist, Tesseract on a pool of workers otherwise."""

from __future__ import annotations

import tempfile
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from agent.ingest.service import limits_from, read_upload
from agent.ingest.validate import validate_upload
from agent.ocr.cache import OcrCache, cache_key
from agent.ocr.models import OcrEngineInfo, OcrResult, PageText
from agent.ocr.pages import KnownText, PageImage, iter_pages
from agent.ocr.tesseract import PageTimeoutError, read_page, tesseract_version
from agent.settings import Settings


class OcrService:
    """Threads are enough for parallelism: each page's work happens in a Tesseract process."""

    def __init__(self, settings: Settings, use_cache: bool = True) -> None:
        self.settings = settings
        self.cache = OcrCache(settings.cache_dir / "ocr") if use_cache else None

    def engine_info(self) -> OcrEngineInfo:
        ocr = self.settings.ocr
        return OcrEngineInfo(
            version=tesseract_version(), lang=ocr.lang, psm=ocr.psm, oem=ocr.oem, dpi=ocr.dpi,
            text_layer_min_chars=ocr.text_layer_min_chars,
        )

    def ocr_file(self, path: Path) -> OcrResult:
        return self.ocr_bytes(read_upload(path, self.settings), path.name)

    def ocr_bytes(self, data: bytes, filename: str) -> OcrResult:
        """Validate (same errors as ingest), then return cached or fresh page texts."""
        upload = validate_upload(data, filename, limits_from(self.settings))
        engine = self.engine_info()
        key = cache_key(upload.sha256, engine)
        if self.cache and (hit := self.cache.get(key)):
            return hit.model_copy(update={"cached": True})
        started = time.perf_counter()
        pages = self._run(data, upload.doc_type)
        result = OcrResult(
            sha256=upload.sha256, pages=pages, engine=engine, cache_key=key,
            seconds=round(time.perf_counter() - started, 3),
        )
        if self.cache and not any(page.error for page in pages):
            self.cache.put(result)  # a page that failed is retried next time, not remembered
        return result

    def _run(self, data: bytes, doc_type) -> list[PageText]:
        ocr = self.settings.ocr
        with (
            tempfile.TemporaryDirectory(prefix="papertrail-ocr-") as workdir,
            ThreadPoolExecutor(max_workers=self.settings.ocr_workers) as pool,
        ):
            pending: list[PageText | tuple[PageImage, Future]] = []
            for source in iter_pages(
                data, doc_type, Path(workdir), ocr.dpi, ocr.text_layer_min_chars,
                self.settings.max_image_pixels,
            ):
                if isinstance(source, KnownText):
                    pending.append(PageText(
                        page=source.page, text=source.text, confidence=100.0,
                        method=source.method, seconds=round(source.seconds, 3),
                        words=len(source.text.split()),
                    ))
                else:
                    pending.append((source, pool.submit(self._ocr_page, source)))
            return [item if isinstance(item, PageText) else item[1].result() for item in pending]

    def _ocr_page(self, source: PageImage) -> PageText:
        started = time.perf_counter()
        try:
            page = read_page(source.path, self.settings.ocr, self.settings.ocr_page_timeout)
        except PageTimeoutError as exc:
            return PageText(
                page=source.page, text="", confidence=0.0, method="ocr", error=str(exc),
                seconds=round(source.seconds + time.perf_counter() - started, 3),
            )
        return PageText(
            page=source.page, text=page.text, confidence=page.confidence, method="ocr",
            words=page.words, seconds=round(source.seconds + time.perf_counter() - started, 3),
        )
