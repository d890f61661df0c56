"""Every rejection path of adjudication, with a scripted backend and real (closed/slow) sockets."""

from __future__ import annotations

import http.server
import json
import threading
import time

import pytest

from agent.adjudication.adjudicator import Adjudicator, candidate_labels
from agent.adjudication.cache import PromptCache
from agent.llm.server import free_port
from agent.settings import LlmSettings
from tests.fakes import ScriptedLlm


def chat_cfg(**kw) -> LlmSettings:
    return LlmSettings(**({"mode": "chat", "policy": "llm", "model": "fake"} | kw))


def answer(label: str, ids: list[str], rationale: str = "looks like it") -> str:
    return json.dumps({"label": label, "evidence_ids": ids, "rationale": rationale})


def run(llm, prediction, hits, cfg=None, **kw):
    adjudicator = Adjudicator(cfg or chat_cfg(), llm, **kw)
    return adjudicator.adjudicate("MEMO To: staff Re: parking", prediction, hits)


def test_grounded_answer_is_accepted_with_full_record(prediction, hits):
    llm = ScriptedLlm([answer("memo", ["ex-memo-1"])], prompt_tokens=321, completion_tokens=9)
    result = run(llm, prediction, hits)
    assert (result.status, result.trusted, result.label) == ("grounded", True, "memo")
    assert result.cited_ids == ["ex-memo-1"] and result.answer.rationale == "looks like it"
    rec = result.record
    assert rec.template_id == "chat_json_v1" and len(rec.template_sha256) == 64
    assert "MEMO To: staff" in rec.prompt and rec.raw_answer.startswith("{")
    assert rec.retrieved == hits
    assert (rec.prompt_tokens, rec.completion_tokens) == (321, 9) and rec.latency_ms > 0
    assert rec.params["model"] == "fake" and rec.params["backend"] == "scripted"
    kind, _, schema = llm.requests[0]
    assert kind == "json" and schema["properties"]["label"]["enum"] == [
        "memo", "letter", "invoice", "unknown"]


def test_label_outside_set_is_ungrounded(prediction, hits):
    result = run(ScriptedLlm([answer("receipt", ["ex-memo-1"])]), prediction, hits)
    assert (result.status, result.trusted, result.label) == ("ungrounded", False, None)
    assert "outside the label set" in result.reason


def test_hallucinated_evidence_id_is_ungrounded(prediction, hits):
    result = run(ScriptedLlm([answer("memo", ["ex-999"])]), prediction, hits)
    assert result.status == "ungrounded" and not result.trusted
    assert "ex-999" in result.reason


def test_answer_without_evidence_is_ungrounded(prediction, hits):
    result = run(ScriptedLlm([answer("memo", [])]), prediction, hits)
    assert result.status == "ungrounded" and "not supported" in result.reason


@pytest.mark.parametrize("raw", ["memo", '{"label": "memo", "evidence_ids": "ex', "[]", ""])
def test_malformed_json_is_ungrounded(prediction, hits, raw):
    result = run(ScriptedLlm([raw]), prediction, hits)
    assert result.status == "ungrounded" and "malformed" in result.reason
    assert result.record.raw_answer == raw


@pytest.mark.parametrize("backend", ["llama_cpp", "openai"])
def test_server_down_is_ungrounded(prediction, hits, backend):
    port = free_port()  # nothing listens there
    cfg = chat_cfg(base_url=f"http://127.0.0.1:{port}/v1", timeout=5, backend=backend)
    result = run(None, prediction, hits, cfg=cfg)
    assert result.status == "ungrounded" and not result.trusted
    assert "unreachable" in result.reason and f"127.0.0.1:{port}" in result.reason


class _SlowHandler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802
        time.sleep(3)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def slow_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _SlowHandler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()


@pytest.mark.parametrize("mode", ["chat", "completion"])
def test_timeout_is_ungrounded_and_fast(prediction, hits, slow_server, mode):
    cfg = LlmSettings(mode=mode, policy="llm", model="fake", base_url=slow_server, timeout=0.5)
    start = time.perf_counter()
    result = run(None, prediction, hits, cfg=cfg)
    assert time.perf_counter() - start < 2.5
    assert result.status == "ungrounded" and "timed out" in result.reason
    assert 400 < result.record.latency_ms < 2500


def test_completion_label_is_grounded_by_shown_exemplars(prediction, hits):
    cfg = LlmSettings(mode="completion", policy="llm", model="fake")
    llm = ScriptedLlm([" memo"])
    result = run(llm, prediction, hits, cfg=cfg)
    assert (result.status, result.label) == ("grounded", "memo")
    assert result.answer.evidence_ids == ["ex-memo-1", "ex-memo-2"]
    assert result.record.template_id == "fewshot_completion_v1"
    assert llm.requests[0][0] == "label" and llm.requests[0][2][-1] == "unknown"
    # A label in the set that no retrieved exemplar carries is not grounded.
    result = run(ScriptedLlm(["invoice"]), prediction, hits, cfg=cfg)
    assert result.status == "ungrounded" and "not supported" in result.reason
    result = run(ScriptedLlm(["payslip"]), prediction, hits, cfg=cfg)
    assert result.status == "ungrounded" and "outside" in result.reason


def test_answers_are_cached_by_prompt_hash(prediction, hits, tmp_path):
    llm = ScriptedLlm([answer("memo", ["ex-memo-2"])])
    adjudicator = Adjudicator(chat_cfg(), llm, cache=PromptCache(tmp_path))
    first = adjudicator.adjudicate("memo text", prediction, hits)
    second = adjudicator.adjudicate("memo text", prediction, hits)
    third = adjudicator.adjudicate("another memo text", prediction, hits)
    assert llm.calls == 2
    assert (first.record.cached, second.record.cached, third.record.cached) == (False, True, False)
    assert second.label == first.label == "memo"


def test_policy_llm_agrees_majority(prediction, hits):
    cfg = chat_cfg().model_copy(update={"policy": "llm_agrees_majority"})
    agree = run(ScriptedLlm([answer("memo", ["ex-memo-1"])]), prediction, hits, cfg=cfg)
    assert (agree.trusted, agree.label, agree.majority_label) == (True, "memo", "memo")
    disagree = run(ScriptedLlm([answer("letter", ["ex-let-1"])]), prediction, hits, cfg=cfg)
    assert (disagree.status, disagree.trusted, disagree.label) == ("grounded", False, None)
    assert disagree.llm_asked


@pytest.mark.parametrize(
    ("policy", "trusted", "label", "cited"),
    [("human", False, None, []), ("top1", True, "letter", ["ex-let-1"]),
     ("majority", True, "memo", ["ex-memo-1", "ex-memo-2"])],
)
def test_policies_without_llm_never_call_it(prediction, hits, policy, trusted, label, cited):
    llm = ScriptedLlm(["never used"])
    result = Adjudicator(chat_cfg(policy=policy), llm).adjudicate("x", prediction, hits)
    assert (result.trusted, result.label, result.status, llm.calls) == (
        trusted, label, "skipped", 0)
    assert result.cited_ids == cited and result.record is None and not result.llm_asked


def test_offered_labels_are_exemplar_and_top_classifier_labels(prediction, hits):
    offered = candidate_labels(prediction, hits, ["email", "invoice", "letter", "memo", "resume"])
    assert offered == ["memo", "letter", "invoice"]
    llm = ScriptedLlm(["memo"])
    prompt = run(llm, prediction, hits,
                 cfg=LlmSettings(mode="completion", policy="llm")).record.prompt  # fmt: skip
    assert "from this list: memo, letter, invoice, unknown." in prompt
    assert llm.requests[0][2] == ["memo", "letter", "invoice", "unknown"]


def test_short_reference_ids_map_back_to_documents(prediction, hits):
    result = run(ScriptedLlm([answer("memo", ["E2"])]), prediction, hits)
    assert (result.status, result.answer.evidence_ids) == ("grounded", ["ex-memo-2"])
    assert 'id "E2", label memo' in result.record.prompt
    result = run(ScriptedLlm([answer("memo", ["E9"])]), prediction, hits)
    assert result.status == "ungrounded" and "E9" in result.reason


def test_only_the_nearest_shots_are_quoted_and_ground_the_answer(prediction, hits):
    """`shots` caps the exemplars in the prompt (prompt tokens are the latency); an answer must
    be supported by a quoted exemplar, and lineage still records every retrieved one."""
    cfg = LlmSettings(mode="completion", policy="llm", model="fake", shots=2)
    llm = ScriptedLlm(["letter"])
    result = run(llm, prediction, hits, cfg=cfg)
    prompt = llm.requests[0][1]
    assert "MEMO To: all staff" in prompt and "Memorandum Re: budget" in prompt
    assert "Dear Mr Smith" not in prompt  # the third-nearest exemplar is not quoted
    assert result.status == "ungrounded" and "not supported" in result.reason
    assert result.record.retrieved == hits and result.record.params["shots"] == 2
    result = run(ScriptedLlm(["memo"]), prediction, hits, cfg=cfg)
    assert result.status == "grounded" and result.cited_ids == ["ex-memo-1", "ex-memo-2"]
