"""The collaborators graph nodes use, behind small interfaces, built once from settings.

Nodes never construct anything themselves: tests pass small real parts or fakes here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from pydantic import BaseModel, Field

from agent.lineage import LineageLog
from agent.ocr import OcrService
from agent.rules import RuleSet
from agent.settings import Settings
from agent.store import Store
from classifiers.prediction import Prediction


class DocumentClassifier(Protocol):
    labels: list[str]

    def classify(self, text: str) -> Prediction: ...

    def auto_threshold(self) -> float:
        """Calibrated top-1 probability at or above which a document is `confident`."""
        ...

    def lineage(self) -> dict[str, Any]:
        """Bundle id and hash, base model, temperature, thresholds."""
        ...


class Evidence(BaseModel):
    """One retrieved, human-reviewed exemplar the adjudicator may cite."""

    id: str
    label: str
    score: float
    snippet: str


class Retriever(Protocol):
    def search(self, text: str, k: int) -> list[Evidence]: ...

    def add_exemplar(self, doc_id: str, text: str, label: str, fields: dict[str, Any],
                     reviewer: str) -> None: ...

    def lineage(self) -> dict[str, Any]: ...


class Adjudication(BaseModel):
    """What the adjudicator concluded, and whether it can be trusted."""

    label: str
    grounded: bool
    reason: str = Field(description="Why it is (not) trusted, e.g. 'cited id not retrieved'.")
    cited_ids: list[str] = Field(default_factory=list)
    rationale: str = ""
    fields: dict[str, Any] = Field(default_factory=dict)
    record: dict[str, Any] = Field(
        default_factory=dict,
        description="Lineage: template id+hash, rendered prompt, model and params, raw answer, "
        "tokens, latency.",
    )


class Adjudicator(Protocol):
    def adjudicate(self, text: str, prediction: Prediction, evidence: list[Evidence],
                   labels: list[str]) -> Adjudication: ...


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
