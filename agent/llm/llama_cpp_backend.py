"""llama.cpp's OpenAI-compatible server (`papertrail llm serve`): the default backend.

Its own ways, checked against llama-cpp-python's server: a GBNF `grammar` field confines a
completion to the offered labels; chat answers are confined by `response_format: {"type":
"json_object", "schema": ...}` (`json_schema` gives HTTP 500); the length limit must be
`max_tokens` in the body (it ignores `max_completion_tokens`, and one call can then run for
minutes).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from agent.llm.openai_protocol import OpenAiProtocolBackend


def label_grammar(answers: Sequence[str]) -> str:
    """A GBNF grammar that admits exactly one of `answers`, after an optional space."""
    options = " | ".join(json.dumps(answer, ensure_ascii=False) for answer in answers)
    return f'root ::= " "? ({options})'


class LlamaCppBackend(OpenAiProtocolBackend):
    kind = "llama_cpp"

    def completion_body(self, answers: Sequence[str]) -> dict[str, Any]:
        body = super().completion_body(answers)
        if self.options.constrained:
            body["extra_body"] = {"grammar": label_grammar(answers)}
        return body

    def chat_body(self, schema: dict[str, Any]) -> dict[str, Any]:
        body = super().chat_body(schema)
        if self.options.constrained:
            body["response_format"] = {"type": "json_object", "schema": schema}
        return body

    def params(self) -> dict[str, Any]:
        return super().params() | {"grammar": self.options.constrained}
