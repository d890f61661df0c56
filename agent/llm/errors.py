"""LLM errors, written for the person who must act on them."""

from __future__ import annotations

from papertrail.errors import PapertrailError


class LlmError(PapertrailError):
    """An LLM call failed for another reason than a timeout or an unreachable server.

    `latency_ms` is how long the failed call took, when a call was made."""

    code = "llm_error"
    kind = "unavailable"

    def __init__(self, message: str, *, latency_ms: float | None = None) -> None:
        super().__init__(message)
        self.latency_ms = latency_ms


class LlmUnavailable(LlmError):
    """The endpoint could not be reached (connection refused, DNS, 5xx)."""

    code = "llm_unavailable"
    retryable = True


class LlmTimeout(LlmError):
    """The endpoint did not answer within the configured timeout."""

    code = "llm_timeout"
    retryable = True


class UnknownLlmBackend(LlmError):
    """`PAPERTRAIL_LLM_BACKEND` names no backend Papertrail has."""

    code = "unknown_llm_backend"
    kind = "config"


class ServerStartError(LlmError):
    """The local llama.cpp server could not be started or did not become ready."""

    code = "llm_server_start_failed"
    kind = "config"


class UnknownPackagedModel(LlmError):
    """A packaged model name that Papertrail does not ship."""

    code = "unknown_packaged_model"
    kind = "config"
