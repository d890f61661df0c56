"""Build the `Services` the graph uses from settings alone (tests may pass parts in)."""

from __future__ import annotations

from typing import Any

from agent.lineage import LineageLog
from agent.ocr import OcrService
from agent.rules import load_rule_sets
from agent.services import Adjudicator, DocumentClassifier, Extractor, Retriever, Services
from agent.settings import Settings
from agent.store import Store


def no_extraction(doc_type: str, text: str) -> tuple[dict[str, Any], dict[str, Any]]:
    return {}, {"extractor": "none"}


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
        raise NotImplementedError("the default classifier is wired when bundles land")
    return Services(
        settings=settings, store=store, lineage=LineageLog(store.db), ocr=OcrService(settings),
        classifier=classifier, rule_sets=rule_sets, extractor=extractor or no_extraction,
        retriever=retriever, adjudicator=adjudicator,
    )
