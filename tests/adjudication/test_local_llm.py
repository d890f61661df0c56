"""Integration: the real local llama.cpp server, started by the suite, adjudicates end to end."""

from __future__ import annotations

import pytest

from agent.adjudication.adjudicator import Adjudicator
from agent.llm.server import is_ready
from agent.settings import LlmSettings

pytestmark = pytest.mark.slow


def test_server_answers_a_grounded_label(llm_server, prediction, hits):
    cfg = LlmSettings(
        base_url=llm_server.base_url, model=llm_server.model.name, mode="completion",
        policy="llm", timeout=60, max_tokens=8,
    )  # fmt: skip
    adjudicator = Adjudicator(cfg)  # the default backend: llama_cpp, with the label grammar
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
    assert (rec.params["backend"], rec.params["grammar"]) == ("llama_cpp", True)


def test_server_answers_json_chat_within_the_schema(llm_server, prediction, hits):
    """Chat through llama.cpp's `response_format` json_object + schema: the server accepts
    it (it answers `json_schema` with HTTP 500) and its grammar makes the answer a JSON object.
    A tiny model may still run out of tokens inside it: that is validation's business."""
    cfg = LlmSettings(
        base_url=llm_server.base_url, model=llm_server.model.name, mode="chat",
        policy="llm", timeout=120, max_tokens=128,
    )  # fmt: skip
    result = Adjudicator(cfg).adjudicate("MEMORANDUM\nTO: All staff\nRe: Parking", prediction,
                                         hits)
    rec = result.record
    assert rec.raw_answer is not None, result.reason  # the call itself succeeded
    assert rec.raw_answer.lstrip().startswith("{") and rec.prompt_tokens and rec.completion_tokens
    assert 1 <= rec.completion_tokens <= 128


def test_server_reports_ready(llm_server):
    assert is_ready(llm_server.base_url)
