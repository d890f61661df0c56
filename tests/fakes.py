"""Small deterministic stand-ins used by several test packages."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from agent.llm.backend import LlmBackend, LlmReply
from agent.llm.options import BackendOptions


class HashingEmbedder:
    """Bag-of-words hashed into 64 dims, normalised: similar word sets give similar vectors."""

    model_name = "hashing-test-embedder"
    weight_hash = "0" * 64
    dimension = 64

    def embed(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                out[row, int(hashlib.md5(word.encode()).hexdigest(), 16) % self.dimension] += 1
            norm = np.linalg.norm(out[row])
            out[row] = out[row] / norm if norm else out[row]
        return out


class ScriptedLlm(LlmBackend):
    """An LLM backend that answers from a script, with token usage, and counts its calls.

    `requests` keeps what each call asked: ("label", prompt, answers) or ("json", prompt, schema).
    """

    kind = "scripted"

    def __init__(self, responses: list[str], *, prompt_tokens: int = 120,
                 completion_tokens: int = 7, model: str = "fake") -> None:
        super().__init__(BackendOptions(base_url="http://scripted.invalid/v1", model=model))
        self.responses = list(responses)
        self.usage = (prompt_tokens, completion_tokens)
        self.requests: list[tuple[str, str, Any]] = []

    @property
    def calls(self) -> int:
        return len(self.requests)

    def _next(self) -> LlmReply:
        text = self.responses[min(len(self.requests) - 1, len(self.responses) - 1)]
        return LlmReply(text=text, prompt_tokens=self.usage[0], completion_tokens=self.usage[1])

    def _complete_label(self, prompt: str, answers: Sequence[str]) -> LlmReply:
        self.requests.append(("label", prompt, list(answers)))
        return self._next()

    def _chat_json(self, prompt: str, schema: dict[str, Any]) -> LlmReply:
        self.requests.append(("json", prompt, schema))
        return self._next()
