"""Data models of adjudication: the LLM's answer, the lineage record, the result."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, computed_field

from retrieval.hits import ExemplarHit

UNKNOWN = "unknown"

Status = Literal["grounded", "ungrounded", "skipped"]


class AdjudicationAnswer(BaseModel):
    """What the LLM must answer (its JSON schema is sent to the endpoint in chat mode)."""

    label: str = Field(description="One label from the allowed set, or 'unknown'.")
    evidence_ids: list[str] = Field(
        default_factory=list, description="Ids of the retrieved exemplars the answer relies on."
    )
    rationale: str = Field("", description="One or two sentences.")
    fields: dict[str, Any] = Field(default_factory=dict, description="Extracted fields, if any.")


class AdjudicationRecord(BaseModel):
    """Everything lineage keeps about one LLM call."""

    template_id: str
    template_sha256: str
    prompt: str
    prompt_sha256: str
    model: str
    params: dict[str, Any] = Field(description="Backend kind, endpoint, sampling, prompt sizes.")
    raw_answer: str | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    latency_ms: float = 0.0
    cached: bool = False
    retrieved: list[ExemplarHit] = Field(default_factory=list)
    label_guidance_sha256: str | None = None


class AdjudicationResult(BaseModel):
    """What adjudication concluded about one document, and whether the graph may trust it.

    `label` is the label to proceed with, or None when a person must decide; only validation
    and the adjudication policy set it, never the document's text. `status` says what became
    of the LLM: `skipped` (the policy asked none), `grounded` (its answer passed validation),
    `ungrounded` (the answer failed validation, or the call failed or timed out).
    """

    policy: str
    status: Status
    label: str | None = None
    reason: str = Field(description="Why it is (not) trusted, e.g. 'cited id not retrieved'.")
    cited_ids: list[str] = Field(
        default_factory=list, description="Retrieved exemplars the label rests on."
    )
    answer: AdjudicationAnswer | None = None
    record: AdjudicationRecord | None = Field(
        None, description="The LLM call: prompt, model and parameters, raw answer, tokens, latency."
    )
    majority_label: str | None = None
    classifier_label: str | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def trusted(self) -> bool:
        """The graph may proceed with `label` without a person."""
        return self.label is not None and self.label != UNKNOWN

    @property
    def llm_asked(self) -> bool:
        return self.status != "skipped"
