"""Data models of adjudication: the LLM's answer, the lineage record, the result."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

UNKNOWN = "unknown"

Status = Literal["grounded", "ungrounded", "skipped"]
Route = Literal["auto", "human"]


class AdjudicationAnswer(BaseModel):
    """What the LLM must answer (its JSON schema is sent to the endpoint in chat mode)."""

    label: str = Field(description="One label from the allowed set, or 'unknown'.")
    evidence_ids: list[str] = Field(
        default_factory=list, description="Ids of the retrieved exemplars the answer relies on."
    )
    rationale: str = Field("", description="One or two sentences.")
    fields: dict[str, Any] = Field(default_factory=dict, description="Extracted fields, if any.")


class RetrievedRef(BaseModel):
    doc_id: str
    label: str
    score: float


class AdjudicationRecord(BaseModel):
    """Everything lineage keeps about one adjudication call."""

    template_id: str
    template_sha256: str
    prompt: str
    prompt_sha256: str
    model: str
    params: dict[str, Any]
    raw_answer: str | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    latency_ms: float = 0.0
    cached: bool = False
    retrieved: list[RetrievedRef] = Field(default_factory=list)
    policies_sha256: str | None = None


class AdjudicationResult(BaseModel):
    """The verdict the graph routes on.

    `route == "human"` whenever the answer is ungrounded or the policy declines to decide;
    `label` is then None. Document text can never set `route`: only validation and policy do.
    """

    policy: str
    route: Route
    label: str | None
    status: Status
    reason: str
    answer: AdjudicationAnswer | None = None
    record: AdjudicationRecord | None = None
    majority_label: str | None = None
    classifier_label: str | None = None
