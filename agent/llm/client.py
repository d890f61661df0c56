"""langchain-openai clients built from `LlmSettings`: any OpenAI-compatible endpoint drops in.

llama.cpp's server ignores `max_completion_tokens` (what langchain-openai sends for chat), so
the chat client also passes `max_tokens` through `extra_body`; without it one call can run for
minutes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from langchain_openai import ChatOpenAI, OpenAI

    from agent.settings import LlmSettings


def _client_kwargs(cfg: LlmSettings) -> dict[str, object]:
    return {
        "base_url": cfg.resolved_base_url,
        "api_key": cfg.api_key,
        "model": cfg.resolved_model,
        "temperature": cfg.temperature,
        "timeout": cfg.timeout,
        "max_retries": cfg.max_retries,
        "max_tokens": cfg.max_tokens,
    }


def chat_model(cfg: LlmSettings) -> ChatOpenAI:
    """A chat client (`/v1/chat/completions`) for instruction-tuned models.

    langchain-openai sends `max_completion_tokens`, which llama.cpp's server ignores: the limit
    goes in the body as `max_tokens` too, or one call can generate for minutes."""
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(**_client_kwargs(cfg), extra_body={"max_tokens": cfg.max_tokens})


def completion_model(cfg: LlmSettings) -> OpenAI:
    """A completions client (`/v1/completions`) for base models prompted few-shot."""
    from langchain_openai import OpenAI

    return OpenAI(**_client_kwargs(cfg))


def model_params(cfg: LlmSettings) -> dict[str, object]:
    """What lineage records about the model call."""
    return {
        "base_url": cfg.resolved_base_url,
        "model": cfg.resolved_model,
        "mode": cfg.mode,
        "temperature": cfg.temperature,
        "max_tokens": cfg.max_tokens,
        "timeout": cfg.timeout,
    }
