"""Typed options of each LLM backend, selected by `kind` (`PAPERTRAIL_LLM_BACKEND`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BaseModel, Field, TypeAdapter

if TYPE_CHECKING:
    from agent.settings import LlmSettings


class BackendOptions(BaseModel):
    """What every OpenAI-protocol backend needs to reach its endpoint."""

    base_url: str = Field(description="OpenAI-compatible base URL, ending in /v1.")
    api_key: str = "local"
    model: str = Field(description="Model name sent with every request.")
    timeout: float = Field(30.0, gt=0, description="Seconds before one call is abandoned.")
    max_tokens: int = Field(48, ge=1, description="Most tokens one answer may have.")
    temperature: float = Field(0.0, ge=0, le=2)
    max_retries: int = Field(0, ge=0, description="Client retries; 0 so a timeout fails fast.")
    constrained: bool = Field(
        True, description="Confine answers on the server: a label grammar or a JSON schema."
    )


class LlamaCppOptions(BackendOptions):
    """llama.cpp's server: GBNF `grammar` for labels, `response_format` json_object + schema
    for chat (it answers `json_schema` with HTTP 500), `max_tokens` in the body (it ignores
    `max_completion_tokens`)."""

    kind: Literal["llama_cpp"] = "llama_cpp"


class OpenAiOptions(BackendOptions):
    """Any OpenAI-compatible endpoint: `json_schema` structured output for chat answers."""

    kind: Literal["openai"] = "openai"
    schema_name: str = Field("adjudication_answer", description="`json_schema.name` sent.")


LlmBackendOptions = Annotated[LlamaCppOptions | OpenAiOptions, Field(discriminator="kind")]


def options_from_settings(cfg: LlmSettings) -> LlamaCppOptions | OpenAiOptions:
    """The options of the backend `cfg.backend` names, from the `PAPERTRAIL_LLM_*` settings."""
    return TypeAdapter(LlmBackendOptions).validate_python({
        "kind": cfg.backend, "base_url": cfg.resolved_base_url, "api_key": cfg.api_key,
        "model": cfg.resolved_model, "timeout": cfg.timeout, "max_tokens": cfg.max_tokens,
        "temperature": cfg.temperature, "max_retries": cfg.max_retries,
    })
