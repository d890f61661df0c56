"""The graph-facing adapters honour agent.services' Retriever and Adjudicator contracts."""

from __future__ import annotations

import json

from langchain_core.language_models.fake_chat_models import FakeListChatModel

from agent.adjudication import Adjudicator
from agent.adjudication.adapters import LlmAdjudicator, QdrantRetriever
from agent.services import Evidence
from agent.settings import LlmSettings
from retrieval.index import ExemplarIndex
from retrieval.options import RetrievalSettings
from retrieval.policies import load_policies
from tests.fakes import HashingEmbedder


def test_retriever_adds_reviewed_exemplars_and_finds_them(tmp_path):
    index = ExemplarIndex(RetrievalSettings(), tmp_path, embedder=HashingEmbedder())
    retriever = QdrantRetriever(index)
    retriever.add_exemplar("d1", "invoice total due vendor", "invoice", {"total": 5}, "alice")
    retriever.add_exemplar("d2", "dear sir letter sincerely", "letter", {}, "bob")
    retriever.add_exemplar("d1", "invoice total due vendor", "invoice", {"total": 6}, "alice")
    found = retriever.search("invoice total", 5)
    assert [e.id for e in found][:1] == ["d1"] and len(found) == 2
    assert retriever.lineage()["embedding"]["model"] == "hashing-test-embedder"
    index.close()


def _adjudicate(policy, raw, prediction, hits):
    cfg = LlmSettings(mode="chat", policy=policy, model="fake")
    adapter = LlmAdjudicator(Adjudicator(cfg, FakeListChatModel(responses=[raw])), load_policies())
    evidence = [Evidence(id=h.doc_id, label=h.label, score=h.score, snippet=h.text) for h in hits]
    return adapter.adjudicate(
        "MEMO re parking", prediction, evidence, sorted(prediction.probabilities)
    )


def test_grounded_llm_answer_maps_to_trusted_adjudication(prediction, hits):
    raw = json.dumps({"label": "memo", "evidence_ids": ["ex-memo-1"], "rationale": "headers"})
    result = _adjudicate("llm_agrees_majority", raw, prediction, hits)
    assert (result.grounded, result.label, result.cited_ids) == (True, "memo", ["ex-memo-1"])
    assert result.record["template_id"] == "chat_json_v1" and result.record["raw_answer"] == raw
    assert "memo: An internal note" in result.record["prompt"]


def test_untrusted_answers_are_not_grounded(prediction, hits):
    raw = json.dumps({"label": "memo", "evidence_ids": ["made-up"], "rationale": ""})
    result = _adjudicate("llm", raw, prediction, hits)
    assert result.grounded is False and "made-up" in result.reason
    result = _adjudicate("human", "unused", prediction, hits)
    assert result.grounded is False and result.record["policy"] == "human"
