"""The real retriever and adjudicator honour agent.services' Retriever and Adjudicator
contracts: the graph gets `ExemplarHit`s and an `AdjudicationResult`, with no conversion."""

from __future__ import annotations

import json

from agent.adjudication.adjudicator import Adjudicator
from agent.adjudication.retriever import QdrantRetriever
from agent.settings import LlmSettings
from retrieval.index import ExemplarIndex
from retrieval.label_guidance import load_label_guidance
from retrieval.options import RetrievalSettings
from tests.fakes import HashingEmbedder, ScriptedLlm


def test_retriever_adds_reviewed_exemplars_and_finds_them(tmp_path):
    index = ExemplarIndex(RetrievalSettings(), tmp_path, embedder=HashingEmbedder())
    retriever = QdrantRetriever(index, snippet_chars=12)
    retriever.add_exemplar("d1", "invoice total due vendor", "invoice", {"total": 5}, "alice")
    retriever.add_exemplar("d2", "dear sir letter sincerely", "letter", {}, "bob")
    retriever.add_exemplar("d1", "invoice total due vendor", "invoice", {"total": 6}, "alice")
    found = retriever.search("invoice total", 5)
    assert [h.doc_id for h in found][:1] == ["d1"] and len(found) == 2
    assert found[0].text == "invoice tota"  # cut to the snippet the state and prompt carry
    assert retriever.lineage()["embedding"]["model"] == "hashing-test-embedder"
    index.close()


def _adjudicate(policy, raw, prediction, hits):
    cfg = LlmSettings(mode="chat", policy=policy, model="fake")
    adjudicator = Adjudicator(cfg, ScriptedLlm([raw]), guidance=load_label_guidance())
    return adjudicator.adjudicate(
        "MEMO re parking", prediction, hits, sorted(prediction.probabilities)
    )


def test_grounded_llm_answer_is_trusted_and_quotes_label_guidance(prediction, hits):
    raw = json.dumps({"label": "memo", "evidence_ids": ["ex-memo-1"], "rationale": "headers"})
    result = _adjudicate("llm_agrees_majority", raw, prediction, hits)
    assert (result.trusted, result.label, result.cited_ids) == (True, "memo", ["ex-memo-1"])
    record = result.record
    assert record.template_id == "chat_json_v1" and record.raw_answer == raw
    assert "memo: An internal note" in record.prompt
    assert record.label_guidance_sha256 == load_label_guidance().sha256


def test_untrusted_answers_and_policy_escalations_differ(prediction, hits):
    raw = json.dumps({"label": "memo", "evidence_ids": ["made-up"], "rationale": ""})
    result = _adjudicate("llm", raw, prediction, hits)
    assert not result.trusted and result.llm_asked and "made-up" in result.reason
    result = _adjudicate("human", "unused", prediction, hits)
    assert not result.trusted and not result.llm_asked and result.policy == "human"
    assert result.record is None
