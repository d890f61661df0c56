"""LLM errors, written for the person who must act on them."""

from __future__ import annotations


class LlmError(RuntimeError):
    """Base class for LLM failures."""


class LlmUnavailable(LlmError):
    """The endpoint could not be reached (connection refused, DNS, 5xx)."""


class LlmTimeout(LlmError):
    """The endpoint did not answer within the configured timeout."""


class ServerStartError(LlmError):
    """The local llama.cpp server could not be started or did not become ready."""


class UnknownPackagedModel(LlmError):
    """A packaged model name that Papertrail does not ship."""
