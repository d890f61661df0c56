"""The collaborators graph nodes use, behind small interfaces, and the one way to build them:
`Services.from_settings(settings, **overrides)`.

Nodes never construct anything themselves. The graph factory, the CLI, the API, the worker and
the eval harness all build their parts here; tests (and the eval harness, for its classifier)
pass overrides, each replacing only its own part.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from agent.adjudication.schema import AdjudicationResult
from agent.drift import DriftMonitor
from agent.lifecycle.candidate import CandidateSlot
from agent.lineage import LineageLog
from agent.ocr import OcrService
from agent.ocr.policy import SecondReader, second_reader
from agent.rules import RuleSet, load_rule_sets
from agent.settings import Settings
from agent.store import Store
from classifiers.prediction import Prediction
from classifiers.signals import DocumentSignals
from retrieval.hits import ExemplarHit


class DocumentClassifier(Protocol):
    labels: list[str]

    def classify(self, text: str, signals: DocumentSignals | None = None) -> Prediction:
        """Calibrated prediction whose `auto_threshold` is its certified gate cell's."""
        ...

    def lineage(self) -> dict[str, Any]:
        """Bundle id and hash, members, weights, temperatures, the gate's certificate."""
        ...


class Retriever(Protocol):
    def search(self, text: str, k: int) -> list[ExemplarHit]: ...

    def add_exemplar(self, doc_id: str, text: str, label: str, fields: dict[str, Any],
                     reviewer: str) -> None: ...

    def lineage(self) -> dict[str, Any]: ...


class Adjudicator(Protocol):
    def adjudicate(self, text: str, prediction: Prediction, evidence: list[ExemplarHit],
                   labels: list[str]) -> AdjudicationResult: ...


# What the graph calls: (document type, text) -> (fields as JSON values, provenance for lineage)
FieldExtractor = Callable[[str, str], tuple[dict[str, Any], dict[str, Any]]]


@dataclass
class Services:
    settings: Settings
    store: Store
    lineage: LineageLog
    ocr: OcrService
    classifier: DocumentClassifier
    rule_sets: dict[str, RuleSet]
    extractor: FieldExtractor
    retriever: Retriever | None = None
    adjudicator: Adjudicator | None = None
    second_reader: SecondReader | None = None  # the `auto` OCR policy's RapidOCR re-reading
    drift: DriftMonitor | None = None
    candidate: CandidateSlot | None = None  # the shadow bundle (docs/lifecycle.md)

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> Services:
        """Every part as `settings` name it. Each override replaces only its own part (e.g.
        `classifier=...` keeps the default retriever and adjudicator); `retriever=None` or
        `adjudicator=None` means none. The lineage log always writes to the store's database.
        """
        unknown = sorted(set(overrides) - set(PART_BUILDERS))
        if unknown:
            raise TypeError(f"Unknown part(s) {unknown}; Services parts are "
                            f"{sorted(PART_BUILDERS)}.")
        missing = sorted(name for name, part in overrides.items()
                         if part is None and name not in NULLABLE_PARTS)
        if missing:
            raise TypeError(f"Part(s) {missing} cannot be None: the graph needs them.")
        parts = build_parts(settings, PART_BUILDERS, **overrides)
        lineage = LineageLog.from_settings(settings, parts["store"].db)
        drift = DriftMonitor(parts["store"].db, settings.drift)
        return cls(settings=settings, lineage=lineage, drift=drift, **parts)

    def warm_up(self) -> list[str]:
        """Load now what the first document would (the exemplar index and its embedding model:
        ~10 s, during which every task in flight waits; the bundle is loaded already). The
        names of the parts warmed: a retriever whose `warm_up` returns False could not be."""
        warm = getattr(self.retriever, "warm_up", None)
        return ["retriever"] if callable(warm) and warm() is not False else []


def build_parts(settings: Settings, names: Iterable[str], **overrides: Any) -> dict[str, Any]:
    """The named parts, each the override given for it or built from settings (in the order
    of `PART_BUILDERS`). For a face that needs only some parts, e.g. the API's health probes."""
    wanted = set(names)
    return {name: overrides[name] if name in overrides else build(settings)
            for name, build in PART_BUILDERS.items() if name in wanted}


def extract_with_provenance(doc_type: str, text: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The deterministic extractors, as (field values, provenance for lineage)."""
    from agent.extraction import extract_fields

    found = extract_fields(doc_type, text)
    values = {name: value for name, value in found.values().items() if value is not None}
    return values, {
        "extractor_version": found.extractor_version,
        "provenance": {name: src.model_dump() for name, src in found.provenance.items()},
    }


def active_classifier(settings: Settings) -> DocumentClassifier:
    """The active bundle of the data folder (`BundleNotFoundError` when none is active),
    followed when `bundles activate` or `rollback` moves the ACTIVE pointer."""
    from agent.lifecycle.active import FollowsActive
    from classifiers.inference import load_active

    loaded = load_active(settings.bundle_dir, settings.classifier)
    return FollowsActive(settings.bundle_dir, settings.classifier, loaded)


def default_retriever(settings: Settings) -> Retriever:
    """Reviewed exemplars from Qdrant, opened on first use (agent/lazy_retrieval.py says why)."""
    from agent.lazy_retrieval import LazyRetriever

    return LazyRetriever(settings)


def default_adjudicator(settings: Settings) -> Adjudicator:
    """The adjudicator of `PAPERTRAIL_LLM_POLICY`. With the default policy `human` it calls no
    LLM and trusts nothing: ambiguous documents go to a person with the retrieved evidence
    (docs/adjudication.md says why)."""
    from agent.adjudication.adjudicator import Adjudicator as LlmAdjudicator
    from agent.adjudication.cache import PromptCache
    from retrieval.label_guidance import load_label_guidance

    return LlmAdjudicator(settings.llm,
                          guidance=load_label_guidance(settings.retrieval.policies_file),
                          cache=PromptCache(settings.cache_dir / "adjudication"))


# How each part is built from settings, in build order: the store first, then the rule sets
# (a broken rule file fails here, at start-up), then the models.
PART_BUILDERS: dict[str, Callable[[Settings], Any]] = {
    "store": Store.from_settings,
    "rule_sets": lambda settings: load_rule_sets(settings.rules_dir),
    "ocr": OcrService,
    "second_reader": second_reader,
    "classifier": active_classifier,
    "candidate": lambda settings: CandidateSlot(settings.bundle_dir, settings.classifier,
                                                settings.canary_share),
    "extractor": lambda settings: extract_with_provenance,
    "retriever": default_retriever,
    "adjudicator": default_adjudicator,
}
OPTIONAL_PARTS = ("retriever", "adjudicator")
"""Parts that may be None and that the API's health probes build."""
NULLABLE_PARTS = (*OPTIONAL_PARTS, "second_reader", "candidate")
