"""Each LLM backend sends what its server needs and turns failures into typed errors."""

from __future__ import annotations

import http.server
import json
import threading
import time

import pytest

from agent.llm.errors import LlmError, LlmTimeout, LlmUnavailable, UnknownLlmBackend
from agent.llm.llama_cpp_backend import LlamaCppBackend, label_grammar
from agent.llm.openai_backend import OpenAiBackend
from agent.llm.options import LlamaCppOptions, OpenAiOptions
from agent.llm.registry import backend_from_settings
from agent.llm.server import free_port
from agent.settings import LlmSettings, Settings

SCHEMA = {"type": "object", "properties": {"label": {"enum": ["memo", "unknown"]}}}
USAGE = {"prompt_tokens": 42, "completion_tokens": 3, "total_tokens": 45}


class _Endpoint(http.server.BaseHTTPRequestHandler):
    """Answers like an OpenAI-compatible server; `status`/`delay` script a failure."""

    requests: list[tuple[str, dict]]
    status = 200
    delay = 0.0

    def do_POST(self):  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.requests.append((self.path, body))
        time.sleep(self.delay)
        if self.path.endswith("/chat/completions"):
            answer = {"choices": [{"index": 0, "finish_reason": "stop", "message": {
                "role": "assistant", "content": '{"label": "memo"}'}}]}
        else:
            answer = {"choices": [{"index": 0, "finish_reason": "stop", "text": " memo"}]}
        payload = {"id": "x", "object": "text_completion", "created": 0, "model": body["model"],
                   "usage": USAGE, **answer}
        if self.status != 200:
            payload = {"error": {"message": "scripted failure", "type": "server_error"}}
        data = json.dumps(payload).encode()
        try:
            self.send_response(self.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up first (the timeout test)

    def log_message(self, *args):
        pass


@pytest.fixture
def endpoint():
    handler = type("Handler", (_Endpoint,), {"requests": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    handler.base_url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    yield handler
    server.shutdown()


def options(cls, base_url, **kw):
    return cls(base_url=base_url, model="m", max_tokens=9, timeout=5, **kw)


def test_llama_cpp_confines_labels_with_a_grammar_and_chat_with_json_object(endpoint):
    backend = LlamaCppBackend(options(LlamaCppOptions, endpoint.base_url))
    reply = backend.complete_label("Type:", ["memo", "letter", "unknown"])
    assert (reply.text, reply.prompt_tokens, reply.completion_tokens) == (" memo", 42, 3)
    assert reply.latency_ms > 0
    path, body = endpoint.requests[-1]
    assert path == "/v1/completions" and body["stop"] == ["\n"] and body["max_tokens"] == 9
    assert body["grammar"] == 'root ::= " "? ("memo" | "letter" | "unknown")'
    reply = backend.chat_json("Answer in JSON", SCHEMA)
    path, body = endpoint.requests[-1]
    assert path == "/v1/chat/completions" and reply.text == '{"label": "memo"}'
    assert body["response_format"] == {"type": "json_object", "schema": SCHEMA}
    assert body["max_tokens"] == 9 and "max_completion_tokens" not in body
    assert backend.params()["backend"] == "llama_cpp" and backend.params()["grammar"] is True


def test_llama_cpp_unconstrained_sends_no_grammar_or_schema(endpoint):
    backend = LlamaCppBackend(options(LlamaCppOptions, endpoint.base_url, constrained=False))
    backend.complete_label("Type:", ["memo"])
    backend.chat_json("JSON", SCHEMA)
    (_, completion), (_, chat) = endpoint.requests
    assert "grammar" not in completion and "response_format" not in chat
    assert chat["max_tokens"] == 9


def test_openai_asks_for_json_schema_structured_output(endpoint):
    backend = OpenAiBackend(options(OpenAiOptions, endpoint.base_url))
    reply = backend.chat_json("Answer in JSON", SCHEMA)
    _, body = endpoint.requests[-1]
    assert body["response_format"] == {"type": "json_schema", "json_schema": {
        "name": "adjudication_answer", "schema": SCHEMA}}
    assert body["max_completion_tokens"] == 9 and "max_tokens" not in body
    assert (reply.prompt_tokens, reply.completion_tokens) == (42, 3)
    backend.complete_label("Type:", ["memo"])
    _, body = endpoint.requests[-1]
    assert "grammar" not in body and body["max_tokens"] == 9
    assert backend.params()["backend"] == "openai"


@pytest.mark.parametrize(("status", "error"), [(500, LlmUnavailable), (503, LlmUnavailable),
                                               (400, LlmError), (401, LlmError)])
def test_http_failures_are_typed_by_exception_class(endpoint, status, error):
    endpoint.status = status
    backend = LlamaCppBackend(options(LlamaCppOptions, endpoint.base_url))
    with pytest.raises(LlmError) as caught:
        backend.chat_json("JSON", SCHEMA)
    assert type(caught.value) is error and endpoint.base_url in caught.value.message
    assert caught.value.latency_ms is not None


def test_a_slow_server_is_a_timeout_and_a_closed_port_is_unavailable(endpoint):
    endpoint.delay = 2.0
    slow = LlamaCppBackend(LlamaCppOptions(base_url=endpoint.base_url, model="m", timeout=0.3))
    with pytest.raises(LlmTimeout, match="timed out: no answer within 0.3 s") as caught:
        slow.complete_label("Type:", ["memo"])
    assert caught.value.retryable and 250 < caught.value.latency_ms < 1900
    closed = OpenAiBackend(options(OpenAiOptions, f"http://127.0.0.1:{free_port()}/v1"))
    with pytest.raises(LlmUnavailable, match="unreachable") as caught:
        closed.chat_json("JSON", SCHEMA)
    assert caught.value.code == "llm_unavailable"


def test_settings_select_the_backend_and_keep_the_llm_env_vars(monkeypatch):
    monkeypatch.setenv("PAPERTRAIL_LLM_BACKEND", "openai")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://llm.example:9000/v1")
    monkeypatch.setenv("PAPERTRAIL_LLM_MODEL", "big-model")
    monkeypatch.setenv("PAPERTRAIL_LLM_MAX_TOKENS", "200")
    monkeypatch.setenv("PAPERTRAIL_LLM_TIMEOUT", "12")
    backend = backend_from_settings(Settings().llm)
    assert isinstance(backend, OpenAiBackend)
    o = backend.options
    assert (o.base_url, o.model, o.max_tokens, o.timeout) == (
        "http://llm.example:9000/v1", "big-model", 200, 12.0)
    monkeypatch.delenv("PAPERTRAIL_LLM_BACKEND")
    assert isinstance(backend_from_settings(Settings().llm), LlamaCppBackend)


def test_an_unknown_backend_says_what_to_set():
    with pytest.raises(UnknownLlmBackend, match="PAPERTRAIL_LLM_BACKEND must be one of llama_cpp"):
        backend_from_settings(LlmSettings(backend="ollama"))


def test_label_grammar_quotes_each_answer():
    assert label_grammar(["memo", 'odd"label']) == 'root ::= " "? ("memo" | "odd\\"label")'
