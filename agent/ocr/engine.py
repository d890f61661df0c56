"""The interface every OCR engine implements: one page image in, its text and confidences out.

An engine reads pages; everything around it (splitting a document into pages, text layers,
the cache, the worker pool, timeouts as page errors) is `agent.ocr.service`'s job, the same for
every engine.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from agent.ocr.models import OcrEngineInfo
from agent.ocr.options import OcrOptions
from papertrail.errors import PapertrailError

OptionsT = TypeVar("OptionsT", bound=OcrOptions)


class PageTimeoutError(PapertrailError):
    code = "ocr_page_timeout"


@dataclass(frozen=True)
class WordBox:
    """One recognised word and where it sits on the page image, in pixels."""

    text: str
    confidence: float  # 0-100
    left: int
    top: int
    width: int
    height: int


@dataclass(frozen=True)
class PageOcr:
    """One page as an engine read it."""

    text: str  # in reading order: lines joined by newlines, a blank line between paragraphs
    confidence: float  # mean word confidence, 0-100
    words: int
    boxes: tuple[WordBox, ...] = ()  # empty when the engine cannot give them cheaply


class OcrEngine(ABC, Generic[OptionsT]):
    """One OCR engine configured by its options (`OcrEngineOptions`); safe to call from threads."""

    def __init__(self, options: OptionsT) -> None:
        self.options = options

    @property
    def threads_per_page(self) -> int:
        """Cores one page keeps busy: the OCR pool runs `ocr_workers // this` pages at once."""
        return 1

    @abstractmethod
    def version(self) -> str:
        """The engine's version; raises a `ConfigurationError` when it is not installed."""

    @abstractmethod
    def read_page(self, image: Path, timeout: float) -> PageOcr:
        """OCR one page image file; `PageTimeoutError` when it takes longer than `timeout` s."""

    def info(self) -> OcrEngineInfo:
        """What lineage records and the cache is keyed by: name, version and every option."""
        return OcrEngineInfo(name=self.options.kind, version=self.version(),
                             options=self.options.model_dump(exclude={"kind"}))
