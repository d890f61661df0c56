"""A session-wide real llama.cpp server for integration tests (started and killed by the suite)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.llm.models import packaged_model
from agent.llm.server import LocalLlmServer, llama_cpp_available


def models_dir() -> Path:
    """Where Gemma is assembled: reused across runs (PAPERTRAIL_TEST_MODELS_DIR or ./var/models)."""
    return Path(os.environ.get("PAPERTRAIL_TEST_MODELS_DIR", "var/models")).resolve()


@pytest.fixture(scope="session")
def llm_server(tmp_path_factory) -> Iterator[LocalLlmServer]:
    """The packaged default model behind a real server on a free port."""
    if not llama_cpp_available():
        why = "llama-cpp-python is not installed (`make install` builds it)"
        if os.environ.get("PAPERTRAIL_TEST_REQUIRE_LLM"):  # `make test`: it must run, not skip
            pytest.fail(why)
        pytest.skip(why)
    model = packaged_model(os.environ.get("PAPERTRAIL_TEST_LLM", "gemma3-270m"))
    log = tmp_path_factory.mktemp("llm") / "server.log"
    server = LocalLlmServer(model, model.path(models_dir()), n_ctx=2048, n_threads=2, log_file=log)
    server.start(ready_timeout=180)
    try:
        yield server
    finally:
        server.stop()
