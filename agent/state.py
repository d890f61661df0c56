"""The graph's state. Every value is plain JSON (str, float, dict, list) so checkpoints stay
portable between SQLite and PostgreSQL and between versions of this code."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

# ungrounded: an LLM answered and was not trusted (or failed, or timed out);
# escalated: the adjudication policy sent the document to a person without asking an LLM.
Band = Literal["confident", "ambiguous", "unreadable", "ungrounded", "escalated"]
Status = Literal["processing", "needs_review", "approved", "rejected", "failed"]


class DocumentState(BaseModel):
    doc_id: str
    filename: str = ""
    text: str = ""
    ocr: dict[str, Any] = Field(default_factory=dict, description="Pages' summary and engine.")
    prediction: dict[str, Any] | None = Field(None, description="The classifier's Prediction.")
    band: Band | None = None
    band_reason: str = ""
    label: str | None = Field(None, description="The document type as currently decided.")
    evidence: list[dict[str, Any]] = Field(
        default_factory=list,
        description="Retrieved exemplars (retrieval.hits.ExemplarHit): doc_id, label, score, text.",
    )
    adjudication: dict[str, Any] | None = Field(
        None, description="The AdjudicationResult without its LLM call record (lineage has it)."
    )
    fields: dict[str, Any] = Field(default_factory=dict)
    field_evidence: dict[str, Any] = Field(
        default_factory=dict, description="Per field (agent.extraction.models.FieldEvidence): "
        "value, engine, page, bbox, word confidence, every source's value, agreement, checks, "
        "confidence 0-1.")
    field_checks: list[dict[str, Any]] = Field(
        default_factory=list, description="Cross-field checks (agent.extraction.checks): name, "
        "passed (None = nothing to check against), fields, message.")
    rule_results: list[dict[str, Any]] = Field(default_factory=list)
    review_reasons: list[str] = Field(default_factory=list)
    decision: dict[str, Any] | None = Field(
        None, description="Who decided what: action, label, fields, reviewer."
    )
    status: Status = "processing"
