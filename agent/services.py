"""The collaborators graph nodes use, behind small interfaces, built once from settings.

Nodes never construct anything themselves: tests pass small real parts or fakes here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from agent.adjudication.schema import AdjudicationResult
from agent.lineage import LineageLog
from agent.ocr import OcrService
from agent.rules import RuleSet
from agent.settings import Settings
from agent.store import Store
from classifiers.prediction import Prediction
from retrieval.hits import ExemplarHit


class DocumentClassifier(Protocol):
    labels: list[str]

    def classify(self, text: str) -> Prediction: ...

    def auto_threshold(self) -> float:
        """Calibrated top-1 probability at or above which a document is `confident`."""
        ...

    def lineage(self) -> dict[str, Any]:
        """Bundle id and hash, base model, temperature, thresholds."""
        ...


class Retriever(Protocol):
    def search(self, text: str, k: int) -> list[ExemplarHit]: ...

    def add_exemplar(self, doc_id: str, text: str, label: str, fields: dict[str, Any],
                     reviewer: str) -> None: ...

    def lineage(self) -> dict[str, Any]: ...


class Adjudicator(Protocol):
    def adjudicate(self, text: str, prediction: Prediction, evidence: list[ExemplarHit],
                   labels: list[str]) -> AdjudicationResult: ...


# (document type, text) -> fields (JSON values) and provenance for lineage
Extractor = Callable[[str, str], tuple[dict[str, Any], dict[str, Any]]]


@dataclass
class Services:
    settings: Settings
    store: Store
    lineage: LineageLog
    ocr: OcrService
    classifier: DocumentClassifier
    rule_sets: dict[str, RuleSet]
    extractor: Extractor
    retriever: Retriever | None = None
    adjudicator: Adjudicator | None = None
    k_evidence: int = 4
