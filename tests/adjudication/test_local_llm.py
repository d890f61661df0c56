"""Integration: the real local llama.cpp server, started by the suite, adjudicates end to end."""

from __future__ import annotations

import pytest

from agent.adjudication import Adjudicator
from agent.llm.client import completion_model
from agent.llm.server import is_ready
from agent.settings import LlmSettings

pytestmark = pytest.mark.slow


def test_server_answers_a_grounded_label(llm_server, prediction, hits):
    cfg = LlmSettings(
        base_url=llm_server.base_url, model=llm_server.model.name, mode="completion",
        policy="llm", timeout=60, max_tokens=8,
    )  # fmt: skip
    adjudicator = Adjudicator(cfg, completion_model(cfg))
    text = "MEMORANDUM\nTO: All staff\nFROM: Personnel\nDATE: May 3\nSUBJECT: Parking"
    result = adjudicator.adjudicate(text, prediction, hits)
    rec = result.record
    # The grammar confines the answer to the label set, so it parses; whether it is grounded
    # depends on whether a retrieved exemplar carries that label.
    assert rec.raw_answer is not None and rec.raw_answer.strip() in {
        *prediction.probabilities,
        "unknown",
    }
    assert rec.prompt_tokens and rec.prompt_tokens > 50 and rec.completion_tokens >= 1
    assert 0 < rec.latency_ms < 60_000
    assert result.status in {"grounded", "ungrounded"}
    if result.status == "grounded":
        assert result.answer.label in {h.label for h in hits} | {"unknown"}
    assert rec.params["base_url"] == llm_server.base_url


def test_server_reports_ready(llm_server):
    assert is_ready(llm_server.base_url)
