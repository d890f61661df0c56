"""Every LLM backend by kind, and the one way to build the configured one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from agent.llm.backend import LlmBackend
from agent.llm.errors import UnknownLlmBackend
from agent.llm.llama_cpp_backend import LlamaCppBackend
from agent.llm.openai_backend import OpenAiBackend
from agent.llm.options import LlamaCppOptions, OpenAiOptions, options_from_settings

if TYPE_CHECKING:
    from agent.settings import LlmSettings

BACKENDS: dict[str, type[LlmBackend]] = {
    LlamaCppBackend.kind: LlamaCppBackend,
    OpenAiBackend.kind: OpenAiBackend,
}


def build_backend(options: LlamaCppOptions | OpenAiOptions) -> LlmBackend:
    return BACKENDS[options.kind](options)


def backend_from_settings(cfg: LlmSettings) -> LlmBackend:
    """The backend `PAPERTRAIL_LLM_BACKEND` names (default `llama_cpp`: the local server)."""
    if cfg.backend not in BACKENDS:
        raise UnknownLlmBackend(
            f"Unknown LLM backend {cfg.backend!r}; PAPERTRAIL_LLM_BACKEND must be one of "
            f"{', '.join(BACKENDS)} ('llama_cpp' for the local llama.cpp server, 'openai' for "
            "any other OpenAI-compatible endpoint)."
        )
    return build_backend(options_from_settings(cfg))
