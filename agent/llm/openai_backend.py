"""Any OpenAI-compatible endpoint (OpenAI, vLLM, llama.cpp's `llama-server`, ...).

Chat answers use `json_schema` structured output; the length limit is sent as
`max_completion_tokens`, the name current OpenAI models accept. Completions carry no label
constraint: the OpenAI API has none.
"""

from __future__ import annotations

from typing import Any

from agent.llm.openai_protocol import OpenAiProtocolBackend
from agent.llm.options import OpenAiOptions


class OpenAiBackend(OpenAiProtocolBackend):
    kind = "openai"
    options: OpenAiOptions

    def chat_body(self, schema: dict[str, Any]) -> dict[str, Any]:
        body: dict[str, Any] = {"max_completion_tokens": self.options.max_tokens}
        if self.options.constrained:
            body["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": self.options.schema_name, "schema": schema},
            }
        return body

    def params(self) -> dict[str, Any]:
        return super().params() | {"json_schema": self.options.constrained}
