"""Integration: the real local llama.cpp server, started by the suite, adjudicates end to end."""

from __future__ import annotations

import json
import re
import urllib.request

import pytest

from agent.adjudication.adjudicator import Adjudicator
from agent.adjudication.templates import load_template
from agent.llm.server import is_ready
from agent.settings import LlmSettings
from classifiers.prediction import Prediction
from retrieval.label_guidance import load_label_guidance

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


def test_consecutive_documents_reuse_the_cached_instruction_prefix(llm_server, prediction, hits):
    """Issue 17: template v2 opens with the same labels and guidance for every document, so
    the real server evaluates only the rest of the second prompt (its log says how many prompt
    tokens it reused), and the answer is still confined and recorded."""
    cfg = LlmSettings(
        base_url=llm_server.base_url, model=llm_server.model.name, mode="completion",
        policy="llm", timeout=120, max_tokens=8,
    )  # fmt: skip
    adjudicator = Adjudicator(cfg, guidance=load_label_guidance(),
                              template=load_template("fewshot_completion_v2"))
    labels = ["email", "invoice", "letter", "memo"]
    other = Prediction(label="invoice", probabilities={"invoice": 0.5, "email": 0.3,
                       "memo": 0.1, "letter": 0.1}, bundle_id="b", model="baseline")  # fmt: skip
    first = adjudicator.adjudicate("MEMORANDUM\nTO: All staff\nRe: Parking", prediction, hits,
                                   labels)  # fmt: skip
    second = adjudicator.adjudicate("INVOICE No 7\nTotal due 12.00", other, hits[1:], labels)
    fixed = first.record.prompt[: first.record.prompt.index("Document [")]
    assert second.record.prompt.startswith(fixed) and second.record.template_id.endswith("v2")
    fixed_tokens = len(tokenize(llm_server.base_url, fixed))
    reused, remaining = map(int, PREFIX_HIT.findall(llm_server.log_file.read_text())[-1])
    assert reused >= fixed_tokens - 2 > 100  # the whole instruction prefix, bar a boundary token
    assert remaining < second.record.prompt_tokens - 100
    assert second.record.raw_answer.strip() in {*labels, "unknown"}


PREFIX_HIT = re.compile(r"(\d+) prefix-match hit, remaining (\d+) prompt tokens")


def tokenize(base_url: str, text: str) -> list[int]:
    """The server's own tokenizer (llama-cpp-python's /extras/tokenize)."""
    root = base_url.removesuffix("/v1")
    request = urllib.request.Request(f"{root}/extras/tokenize", data=json.dumps(
        {"input": text}).encode(), headers={"Content-Type": "application/json"})  # fmt: skip
    with urllib.request.urlopen(request, timeout=30) as resp:
        return json.load(resp)["tokens"]
