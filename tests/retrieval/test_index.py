"""Qdrant local-mode round trip: upsert, filtered search, idempotent re-upsert."""

from __future__ import annotations

import pytest

from retrieval.index import Exemplar, ExemplarIndex, point_id
from retrieval.options import RetrievalSettings
from tests.fakes import HashingEmbedder

DOCS = [
    Exemplar(doc_id="inv-1", label="invoice", text="invoice number 42 total due amount vendor"),
    Exemplar(doc_id="inv-2", label="invoice", text="invoice total due payment terms net 30"),
    Exemplar(doc_id="let-1", label="letter", text="dear sir thank you for your letter sincerely"),
    Exemplar(doc_id="memo-1", label="memo", text="memo to from subject re meeting", reviewed=False),
]


@pytest.fixture
def index(tmp_path):
    with ExemplarIndex(RetrievalSettings(), tmp_path, embedder=HashingEmbedder()) as idx:
        yield idx


def test_upsert_and_search_returns_nearest_first(index):
    assert index.upsert_exemplars(DOCS) == 4
    hits = index.search("invoice total due", k=2)
    assert [h.label for h in hits] == ["invoice", "invoice"]
    assert hits[0].score >= hits[1].score


def test_filters_by_label_and_reviewed(index):
    index.upsert_exemplars(DOCS)
    hits = index.search("invoice total due", k=10, label="letter")
    assert [h.doc_id for h in hits] == ["let-1"]
    reviewed = {h.doc_id for h in index.search("memo subject", k=10)}
    assert "memo-1" not in reviewed
    everything = {h.doc_id for h in index.search("memo subject", k=10, reviewed_only=False)}
    assert "memo-1" in everything
    excluded = {h.doc_id for h in index.search("invoice", k=10, exclude_doc_ids=["inv-1"])}
    assert "inv-1" not in excluded and "inv-2" in excluded


def test_reupsert_is_idempotent_and_replaces(index):
    index.upsert_exemplars(DOCS)
    index.upsert_exemplars(DOCS)
    assert index.count() == 4
    index.upsert_exemplars([DOCS[2].model_copy(update={"label": "memo"})])
    assert index.count() == 4
    assert index.count(label="letter") == 0
    assert index.search("dear sir", k=1)[0].label == "memo"


def test_point_ids_are_deterministic():
    assert point_id("inv-1") == point_id("inv-1") != point_id("inv-2")


def test_index_persists_on_disk(tmp_path):
    options = RetrievalSettings()
    with ExemplarIndex(options, tmp_path, embedder=HashingEmbedder()) as idx:
        idx.upsert_exemplars(DOCS[:2])
    with ExemplarIndex(options, tmp_path, embedder=HashingEmbedder()) as idx:
        assert idx.count() == 2

