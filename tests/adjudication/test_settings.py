"""LLM and retrieval settings honour the standard OpenAI/Qdrant env names as aliases."""

from __future__ import annotations

from agent.settings import Settings


def test_standard_env_names_are_aliases(monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", "http://llm.example:9000/v1")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setenv("QDRANT_URL", "http://qdrant.example:6333")
    monkeypatch.setenv("PAPERTRAIL_LLM_MODEL", "big-model")
    s = Settings()
    assert s.llm.resolved_base_url == "http://llm.example:9000/v1"
    assert (s.llm.api_key, s.llm.resolved_model) == ("sk-test", "big-model")
    assert s.retrieval.qdrant_url == "http://qdrant.example:6333"


def test_defaults_point_at_the_local_server_and_send_escalations_to_a_person(monkeypatch):
    for name in ("OPENAI_BASE_URL", "QDRANT_URL", "PAPERTRAIL_LLM_POLICY"):
        monkeypatch.delenv(name, raising=False)
    s = Settings()
    assert s.llm.resolved_base_url == f"http://127.0.0.1:{s.llm.port}/v1"
    assert s.llm.resolved_model == s.llm.serve_model and s.llm.policy == "human"
    assert s.retrieval.qdrant_url is None
