"""The OpenAI HTTP protocol (`/v1/completions`, `/v1/chat/completions`) through the `openai`
client; subclasses say only what their server needs in the request body.

`openai` is imported on the first call: a process whose policy asks no LLM never loads it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from agent.llm.backend import LlmBackend, LlmReply
from agent.llm.errors import LlmError, LlmTimeout, LlmUnavailable

if TYPE_CHECKING:
    import openai


class OpenAiProtocolBackend(LlmBackend):
    """Sends requests with the `openai` client; its exception types decide the typed error."""

    _client: openai.OpenAI | None = None

    @property
    def client(self) -> openai.OpenAI:
        if self._client is None:
            import openai

            o = self.options
            self._client = openai.OpenAI(
                base_url=o.base_url, api_key=o.api_key, timeout=o.timeout,
                max_retries=o.max_retries,
            )  # fmt: skip
        return self._client

    def error_type(self, exc: Exception) -> type[LlmError]:
        import httpx
        import openai

        # APITimeoutError is an APIConnectionError: test it first.
        if isinstance(exc, openai.APITimeoutError | httpx.TimeoutException):
            return LlmTimeout
        if isinstance(
            exc, openai.APIConnectionError | openai.InternalServerError | httpx.TransportError
        ):
            return LlmUnavailable
        return super().error_type(exc)

    def completion_body(self, answers: Sequence[str]) -> dict[str, Any]:
        """Extra request fields of a label completion (besides model, prompt, sampling)."""
        return {"max_tokens": self.options.max_tokens}

    def chat_body(self, schema: dict[str, Any]) -> dict[str, Any]:
        """Extra request fields of a JSON chat answer (besides model, messages, sampling)."""
        return {"max_tokens": self.options.max_tokens}

    def _complete_label(self, prompt: str, answers: Sequence[str]) -> LlmReply:
        response = self.client.completions.create(
            model=self.options.model, prompt=prompt, temperature=self.options.temperature,
            stop=["\n"], **self.completion_body(answers),
        )  # fmt: skip
        return _reply(response.choices[0].text, response.usage)

    def _chat_json(self, prompt: str, schema: dict[str, Any]) -> LlmReply:
        response = self.client.chat.completions.create(
            model=self.options.model, messages=[{"role": "user", "content": prompt}],
            temperature=self.options.temperature, **self.chat_body(schema),
        )  # fmt: skip
        return _reply(response.choices[0].message.content or "", response.usage)


def _reply(text: str, usage: Any) -> LlmReply:
    return LlmReply(
        text=text,
        prompt_tokens=getattr(usage, "prompt_tokens", None),
        completion_tokens=getattr(usage, "completion_tokens", None),
    )
