"""Qdrant local-mode round trip: upsert, filtered search, idempotent re-upsert."""

from __future__ import annotations

import pytest
from qdrant_client import models

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



@pytest.mark.parametrize("reviewed_share", [0.9, 0.05])
def test_local_filtered_search_matches_the_exact_filtered_query(index, reviewed_share):
    """Local mode filters the nearest 8 x k unfiltered candidates in Python; it must return
    what Qdrant's own filtered query returns, also when too few candidates pass (fallback)."""
    import random

    rng = random.Random(7)
    words = ["invoice", "total", "memo", "letter", "subject", "dear", "amount", "vendor",
             "meeting", "terms", "due", "net", "payment", "sincerely", "from", "re", "number"]
    index.upsert_exemplars(
        Exemplar(doc_id=f"d{i}", label=rng.choice(["invoice", "memo", "letter"]),
                 text=" ".join(rng.choices(words, k=8)) + f" ref{i}",
                 reviewed=rng.random() < reviewed_share)
        for i in range(300))
    for query, label, exclude in [("invoice total due", None, ()), ("memo subject", "memo", ()),
                                  ("dear vendor", None, ("d1", "d2", "d3"))]:
        fast = index.search(query, k=5, label=label, exclude_doc_ids=exclude)
        vector = index.embedder.embed([query])[0]
        exact = index._client.query_points(
            index._name("exemplars"), query=vector.tolist(), limit=5, with_payload=True,
            query_filter=models.Filter(
                must=[models.FieldCondition(key="reviewed", match=models.MatchValue(value=True))]
                + ([models.FieldCondition(key="label", match=models.MatchValue(value=label))]
                   if label else []),
                must_not=[models.HasIdCondition(has_id=[point_id(d) for d in exclude])]
                if exclude else [])).points
        assert [round(h.score, 5) for h in fast] == [round(p.score, 5) for p in exact]
        assert {h.doc_id for h in fast} <= {p.payload["doc_id"] for p in exact} | {
            h.doc_id for h in fast if round(h.score, 5) == round(exact[-1].score, 5)}
        assert all(h.reviewed for h in fast) and not {h.doc_id for h in fast} & set(exclude)
