"""OCR documents: text layers where they exist, the configured OCR engine on a shared pool of
workers otherwise.

The engine comes from `OCR_ENGINES` by the `kind` of the options the OCR policy names
(`agent.ocr.policy.primary_options`: `settings.ocr`, or `settings.rapidocr`). Threads are enough for
parallelism: Tesseract, the default engine, reads outside Python's lock (tesserocr releases it;
the `cli` binding runs a process per page). The pool is
shared by every document in flight, so a batch of one-page scans keeps all cores busy just as
one long PDF does. One service used by several threads at once (a worker's threads pool) runs
at most `ocr_workers` / (the engine's threads per page) pages at a time in all: more engines
than cores only slow each other.
"""

from __future__ import annotations

import hashlib
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from agent.errors import PapertrailError
from agent.filetypes import DocType, sniff
from agent.ingest.service import limits_from, read_upload
from agent.ingest.validate import validate_upload
from agent.ocr.cache import OcrCache, cache_key
from agent.ocr.engine import PageTimeoutError
from agent.ocr.engines import create_engine
from agent.ocr.models import OcrEngineInfo, OcrResult, PageText
from agent.ocr.pages import KnownText, PageImage, split_pages
from agent.ocr.policy import primary_options
from agent.settings import Settings


@dataclass
class _InFlight:
    """A document whose pages are queued: page texts already known, futures for the rest."""

    sha256: str
    key: str
    started: float
    pages: list[PageText | Future[PageText]]
    workdir: tempfile.TemporaryDirectory[str]


class OcrService:
    def __init__(self, settings: Settings, use_cache: bool = True) -> None:
        self.settings = settings
        self.engine = create_engine(primary_options(settings))
        self.cache = OcrCache(settings.cache_dir / "ocr") if use_cache else None
        # pages read at once, across every thread using this service
        self.pages_at_once = max(1, settings.ocr_workers // self.engine.threads_per_page)
        self._slots = threading.BoundedSemaphore(self.pages_at_once)

    def engine_info(self) -> OcrEngineInfo:
        return self.engine.info()

    def ocr_file(self, path: Path) -> OcrResult:
        return self.ocr_bytes(read_upload(path, self.settings), path.name)

    def ocr_bytes(self, data: bytes, filename: str, checked: bool = False) -> OcrResult:
        """Validate (same errors as ingest), then return cached or fresh page texts.
        `checked`: ingest already validated these very bytes (a stored document), so their type
        is read from their first bytes and they are not decoded a second time to be checked."""
        return next(self.ocr_many([(data, filename)], checked=checked))

    def ocr_paths(self, paths: Iterable[Path]) -> Iterator[OcrResult]:
        """OCR many files with all workers busy; results come back in input order."""
        return self.ocr_many((read_upload(p, self.settings), p.name) for p in paths)

    def ocr_many(self, documents: Iterable[tuple[bytes, str]], skip_invalid: bool = False,
                 checked: bool = False) -> Iterator[OcrResult | PapertrailError]:
        """Results in input order. Pages of later documents are queued while earlier ones run,
        at most `2 * ocr_workers` documents ahead, so memory stays bounded. With
        `skip_invalid`, a document that fails validation yields its error instead of raising."""
        engine = self.engine_info()
        window = 2 * self.pages_at_once
        with ThreadPoolExecutor(max_workers=self.pages_at_once) as pool:
            queue: list[OcrResult | _InFlight | PapertrailError] = []
            for data, filename in documents:
                try:
                    queue.append(self._start(data, filename, engine, pool, checked))
                except PapertrailError as exc:
                    if not skip_invalid:
                        raise
                    queue.append(exc)
                while len(queue) > window:
                    yield self._finish(queue.pop(0), engine)
            while queue:
                yield self._finish(queue.pop(0), engine)

    def _start(self, data: bytes, filename: str, engine: OcrEngineInfo,
               pool: ThreadPoolExecutor, checked: bool = False) -> OcrResult | _InFlight:
        if checked and (sniffed := sniff(data)) is not None:
            sha256, doc_type = hashlib.sha256(data).hexdigest(), sniffed
        else:
            upload = validate_upload(data, filename, limits_from(self.settings))
            sha256, doc_type = upload.sha256, DocType(upload.doc_type)
        key = cache_key(sha256, engine)
        if self.cache and (hit := self.cache.get(key, engine)):
            return hit.model_copy(update={"cached": True})
        started = time.perf_counter()
        workdir = tempfile.TemporaryDirectory(prefix="papertrail-ocr-")
        try:
            sources = split_pages(data, doc_type, Path(workdir.name),
                                  self.engine.options, self.settings.max_image_pixels)
        except BaseException:
            workdir.cleanup()
            raise
        pages: list[PageText | Future[PageText]] = [
            _known_page(s) if isinstance(s, KnownText) else pool.submit(self._ocr_page, s)
            for s in sources
        ]
        return _InFlight(sha256, key, started, pages, workdir)

    def _finish(self, item: OcrResult | _InFlight | PapertrailError,
                engine: OcrEngineInfo) -> OcrResult | PapertrailError:
        if isinstance(item, OcrResult | PapertrailError):
            return item
        try:
            pages = [p if isinstance(p, PageText) else p.result() for p in item.pages]
        finally:
            item.workdir.cleanup()
        result = OcrResult(
            sha256=item.sha256, pages=pages, engine=engine, cache_key=item.key,
            seconds=round(time.perf_counter() - item.started, 3),
        )
        if self.cache and not any(page.error for page in pages):
            self.cache.put(result)  # a page that failed is retried next time, not remembered
        return result

    def _ocr_page(self, source: PageImage) -> PageText:
        started = time.perf_counter()
        image = {"width": source.width, "height": source.height,
                 "estimated_dpi": source.estimated_dpi, "scale": source.scale}
        try:
            with self._slots:
                page = self.engine.read_page(source.path, self.settings.ocr_page_timeout)
        except PageTimeoutError as exc:
            return PageText(
                page=source.page, text="", confidence=0.0, method="ocr", error=str(exc),
                seconds=round(source.seconds + time.perf_counter() - started, 3), **image,
            )
        return PageText(
            page=source.page, text=page.text, confidence=page.confidence, method="ocr",
            words=page.words, seconds=round(source.seconds + time.perf_counter() - started, 3),
            boxes=[(b.text, round(b.confidence, 1), b.left, b.top, b.width, b.height)
                   for b in page.boxes],
            **image,
        )


def _known_page(source: KnownText) -> PageText:
    return PageText(
        page=source.page, text=source.text, confidence=100.0, method=source.method,
        seconds=round(source.seconds, 3), words=len(source.text.split()),
    )
