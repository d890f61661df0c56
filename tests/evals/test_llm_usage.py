"""Eval reports count the tokens and LLM time that lineage recorded for each adjudication."""

from __future__ import annotations

import json
from pathlib import Path

from agent.adjudication.adjudicator import Adjudicator
from agent.settings import LlmSettings, Settings
from evals.datasets import EvalItem
from evals.metrics import summarize
from evals.runner import run_eval
from tests.fakes import ScriptedLlm
from tests.graph.conftest import invoice_lines
from tests.graph.fakes import ListRetriever, MarkerClassifier, invoice_fields


def test_token_and_llm_latency_totals_are_what_the_llm_used(tmp_path: Path,
                                                            settings: Settings) -> None:
    doc = tmp_path / "docs" / "invoice" / "ambiguous.txt"
    doc.parent.mkdir(parents=True)
    doc.write_text("\n".join(invoice_lines("Confidence 60")))  # below the 0.9 threshold
    answer = json.dumps({"label": "invoice", "evidence_ids": ["E1"], "rationale": "invoice no."})
    llm = ScriptedLlm([answer], prompt_tokens=300, completion_tokens=11)
    adjudicator = Adjudicator(LlmSettings(mode="chat", policy="llm", model="fake"), llm)
    classifier = MarkerClassifier()
    parts = {"extractor": invoice_fields, "retriever": ListRetriever(), "adjudicator": adjudicator}
    rows, wall = run_eval([EvalItem(path=doc, label="invoice")], tmp_path / "run", settings,
                          classifier, **parts)
    assert llm.calls == 1 and rows[0]["band"] == "ambiguous" and rows[0]["llm_grounded"]
    report = summarize(rows, classifier.labels, "marker-test", wall)
    assert report["tokens"] == {"prompt": 300, "completion": 11}
    assert report["latency_ms"]["llm"]["n"] == 1 and report["latency_ms"]["llm"]["p50"] > 0
    assert (report["llm"]["asked"], report["llm"]["rejections"]) == (1, 0)
