"""LLM errors, written for the person who must act on them."""

from __future__ import annotations

from papertrail.errors import PapertrailError


class LlmError(PapertrailError):
    """Base class for LLM failures."""

    code = "llm_error"
    kind = "unavailable"


class LlmUnavailable(LlmError):
    """The endpoint could not be reached (connection refused, DNS, 5xx)."""

    code = "llm_unavailable"
    retryable = True


class LlmTimeout(LlmError):
    """The endpoint did not answer within the configured timeout."""

    code = "llm_timeout"
    retryable = True


class ServerStartError(LlmError):
    """The local llama.cpp server could not be started or did not become ready."""

    code = "llm_server_start_failed"
    kind = "config"


class UnknownPackagedModel(LlmError):
    """A packaged model name that Papertrail does not ship."""

    code = "unknown_packaged_model"
    kind = "config"
