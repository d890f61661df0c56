"""`Services.from_settings`: every part from settings; each override replaces only its own."""

from __future__ import annotations

import pytest

from agent.adjudication.adjudicator import Adjudicator as LlmAdjudicator
from agent.lazy_retrieval import LazyRetriever
from agent.services import Services, extract_with_provenance
from agent.settings import Settings
from classifiers.errors import BundleNotFoundError
from tests.graph.fakes import ListRetriever, MarkerClassifier, ScriptedAdjudicator


@pytest.fixture
def build(settings: Settings):
    built: list[Services] = []

    def make(**overrides) -> Services:
        services = Services.from_settings(settings, **overrides)
        built.append(services)
        return services

    yield make
    for services in built:
        services.store.db.dispose()


def test_defaults_come_from_settings(build) -> None:
    services = build(classifier=MarkerClassifier())
    assert isinstance(services.retriever, LazyRetriever)
    assert isinstance(services.adjudicator, LlmAdjudicator)
    assert services.extractor is extract_with_provenance
    assert "invoice" in services.rule_sets
    assert services.lineage.db is services.store.db


def test_one_override_replaces_only_its_own_part(build) -> None:
    retriever, adjudicator = ListRetriever(), ScriptedAdjudicator("invoice")
    only_retriever = build(classifier=MarkerClassifier(), retriever=retriever)
    assert only_retriever.retriever is retriever
    assert isinstance(only_retriever.adjudicator, LlmAdjudicator)  # not silently None
    only_adjudicator = build(classifier=MarkerClassifier(), adjudicator=adjudicator)
    assert only_adjudicator.adjudicator is adjudicator
    assert isinstance(only_adjudicator.retriever, LazyRetriever)


def test_none_means_none_only_for_optional_parts(build) -> None:
    services = build(classifier=MarkerClassifier(), retriever=None, adjudicator=None)
    assert services.retriever is None and services.adjudicator is None
    with pytest.raises(TypeError, match="classifier"):
        build(classifier=None)
    with pytest.raises(TypeError, match="Unknown part"):
        build(classifier=MarkerClassifier(), k_evidence=3)


def test_without_an_active_bundle_the_error_says_what_to_do(build) -> None:
    with pytest.raises(BundleNotFoundError, match="papertrail train"):
        build()


def test_warm_up_opens_the_index_before_the_first_document(build) -> None:
    """What the first document would load (the index, its embedding model) loads now, and
    warming stores nothing."""
    services = build(classifier=MarkerClassifier())
    assert services.retriever.health()["opened"] is False
    assert services.warm_up() == ["retriever"]
    assert services.retriever.health()["opened"] is True
    assert services.retriever.search("invoice total due", 3) == []


def test_parts_without_a_warm_up_are_left_alone(build) -> None:
    assert build(classifier=MarkerClassifier(), retriever=ListRetriever()).warm_up() == []
