"""Build the `Services` the graph uses from settings alone (tests may pass parts in)."""

from __future__ import annotations

from typing import Any

from agent.extraction import extract_fields
from agent.lineage import LineageLog
from agent.ocr import OcrService
from agent.rules import load_rule_sets
from agent.services import Adjudicator, DocumentClassifier, Extractor, Retriever, Services
from agent.settings import Settings
from agent.store import Store


def extract(doc_type: str, text: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The deterministic extractors, as (field values, provenance for lineage)."""
    fields = extract_fields(doc_type, text)
    values = {name: value for name, value in fields.values().items() if value is not None}
    return values, {
        "extractor_version": fields.extractor_version,
        "provenance": {name: src.model_dump() for name, src in fields.provenance.items()},
    }


def build_services(
    settings: Settings,
    classifier: DocumentClassifier | None = None,
    extractor: Extractor | None = None,
    retriever: Retriever | None = None,
    adjudicator: Adjudicator | None = None,
    store: Store | None = None,
) -> Services:
    store = store or Store.from_settings(settings)
    rule_sets = load_rule_sets(settings.rules_dir)  # a broken rule file fails here, at start-up
    if classifier is None:
        from classifiers.inference import load_active  # BundleNotFoundError if none is active

        classifier = load_active(settings)
    if retriever is None and adjudicator is None:
        retriever, adjudicator = default_retrieval(settings)
    return Services(
        settings=settings, store=store, lineage=LineageLog.from_settings(settings, store.db),
        ocr=OcrService(settings), classifier=classifier, rule_sets=rule_sets,
        extractor=extractor or extract,
        retriever=retriever, adjudicator=adjudicator, k_evidence=settings.retrieval.k,
    )


def default_retrieval(settings: Settings) -> tuple[Retriever, Adjudicator]:
    """Qdrant exemplars (opened on first use) and the adjudicator of `PAPERTRAIL_LLM_POLICY`.

    With the default policy `human` the adjudicator calls no LLM and trusts nothing: ambiguous
    documents go to a person with the retrieved evidence (docs/adjudication.md says why)."""
    from agent.adjudication.adapters import LlmAdjudicator
    from agent.adjudication.adjudicator import Adjudicator as LlmCaller
    from agent.adjudication.cache import PromptCache
    from agent.lazy_retrieval import LazyRetriever
    from retrieval.policies import load_policies

    caller = LlmCaller(settings.llm, cache=PromptCache(settings.cache_dir / "adjudication"))
    return LazyRetriever(settings), LlmAdjudicator(caller, load_policies(
        settings.retrieval.policies_file))


def load_classifier(settings: Settings, bundle: str | None = None) -> DocumentClassifier:
    """The active bundle, or `bundle` given as a registry id (or prefix) or a bundle folder."""
    from pathlib import Path

    from classifiers.bundle import Registry
    from classifiers.inference import load_active, load_bundle

    if bundle is None:
        return load_active(settings)
    if Path(bundle).is_dir():
        return load_bundle(Path(bundle))
    registry = Registry(settings.bundle_dir)
    return load_bundle(registry.path(registry.resolve(bundle)))


def default_parts(settings: Settings, classifier: DocumentClassifier,
                  llm: bool = True) -> dict[str, Any]:
    """Parts for the eval harness: the settings' retriever and adjudicator, or with `llm` off
    a retriever only (ambiguous documents then go to the reviewer with their evidence)."""
    if not llm:
        human = settings.llm.model_copy(update={"policy": "human"})
        settings = settings.model_copy(update={"llm": human})
    retriever, adjudicator = default_retrieval(settings)
    return {"retriever": retriever, "adjudicator": adjudicator}
