"""The one interface every LLM backend implements: it owns the transport, not the prompting.

A backend sends a rendered prompt, confines the answer as far as its server can (a label
grammar, a JSON schema), and returns the raw text with token usage and latency. A failed call
raises a typed error chosen by the exception's *type*: `LlmTimeout`, `LlmUnavailable`, or
`LlmError` for the rest. Prompting, validation and policy stay with the adjudicator.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from pydantic import BaseModel

from agent.llm.errors import LlmError, LlmTimeout, LlmUnavailable
from agent.llm.options import BackendOptions


class LlmReply(BaseModel):
    """One answer as the endpoint gave it."""

    text: str
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    latency_ms: float = 0.0


class LlmBackend(ABC):
    """Base of the backends in `agent.llm.registry.BACKENDS`."""

    kind: ClassVar[str]

    def __init__(self, options: BackendOptions) -> None:
        self.options = options

    @property
    def model(self) -> str:
        return self.options.model

    def complete_label(self, prompt: str, answers: Sequence[str]) -> LlmReply:
        """A one-line completion (`/v1/completions`) that should be one of `answers`."""
        return self._timed(lambda: self._complete_label(prompt, answers))

    def chat_json(self, prompt: str, schema: dict[str, Any]) -> LlmReply:
        """A chat answer (`/v1/chat/completions`): one JSON object following `schema`."""
        return self._timed(lambda: self._chat_json(prompt, schema))

    def params(self) -> dict[str, Any]:
        """What lineage records about the calls (and what the answer cache is keyed on)."""
        o = self.options
        return {
            "backend": self.kind, "base_url": o.base_url, "model": o.model,
            "temperature": o.temperature, "max_tokens": o.max_tokens, "timeout": o.timeout,
        }  # fmt: skip

    @abstractmethod
    def _complete_label(self, prompt: str, answers: Sequence[str]) -> LlmReply: ...

    @abstractmethod
    def _chat_json(self, prompt: str, schema: dict[str, Any]) -> LlmReply: ...

    def _timed(self, call: Callable[[], LlmReply]) -> LlmReply:
        start = time.perf_counter()
        try:
            reply = call()
        except LlmError:
            raise
        except Exception as exc:  # noqa: BLE001 - every failure leaves as a typed LlmError
            raise self._typed_error(exc, (time.perf_counter() - start) * 1000) from exc
        return reply.model_copy(update={"latency_ms": (time.perf_counter() - start) * 1000})

    def error_type(self, exc: Exception) -> type[LlmError]:
        """Which typed error a failure is, by the exception's type; transports add theirs."""
        if isinstance(exc, TimeoutError):
            return LlmTimeout
        if isinstance(exc, ConnectionError):
            return LlmUnavailable
        return LlmError

    def _typed_error(self, exc: Exception, latency_ms: float) -> LlmError:
        o, seen, error_type = self.options, f"{type(exc).__name__}: {exc}", self.error_type(exc)
        if issubclass(error_type, LlmTimeout):
            return LlmTimeout(
                f"The LLM at {o.base_url} timed out: no answer within {o.timeout:g} s ({seen}). "
                "Raise PAPERTRAIL_LLM_TIMEOUT, lower PAPERTRAIL_LLM_MAX_DOC_CHARS, or point "
                "PAPERTRAIL_LLM_BASE_URL at a faster endpoint.",
                latency_ms=latency_ms,
            )
        if issubclass(error_type, LlmUnavailable):
            return LlmUnavailable(
                f"The LLM server at {o.base_url} is unreachable or failing ({seen}). Start it "
                "with `papertrail llm serve`, or set PAPERTRAIL_LLM_BASE_URL (OPENAI_BASE_URL) "
                "to a running OpenAI-compatible endpoint.",
                latency_ms=latency_ms,
            )
        return LlmError(
            f"The LLM call to {o.base_url} (backend {self.kind}, model {o.model!r}) failed "
            f"({seen}). Check PAPERTRAIL_LLM_MODEL and PAPERTRAIL_LLM_BACKEND against what the "
            "endpoint serves, and its log.",
            latency_ms=latency_ms,
        )
