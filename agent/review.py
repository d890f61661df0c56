"""What a reviewer sees and what they can decide."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

Action = Literal["approve", "reject", "relabel", "edit"]


class ReviewDecision(BaseModel):
    action: Action
    reviewer: str = Field(min_length=1, description="Who decided (API key owner, Slack user).")
    label: str | None = Field(None, description="The new label, for `relabel`.")
    fields: dict[str, Any] | None = Field(None, description="Corrected fields, for `edit`.")
    note: str | None = None

    @model_validator(mode="after")
    def _needs_what_it_changes(self) -> ReviewDecision:
        if self.action == "relabel" and not self.label:
            raise ValueError("`relabel` needs the new `label`")
        if self.action == "edit" and not self.fields:
            raise ValueError("`edit` needs the corrected `fields`")
        return self


def review_payload(state: Any, labels: list[str]) -> dict[str, Any]:
    """Everything a person needs to decide, as plain JSON."""
    prediction = state.prediction or {}
    probabilities = prediction.get("probabilities", {})
    top = sorted(probabilities.items(), key=lambda kv: kv[1], reverse=True)[:3]
    adjudication = state.adjudication or {}
    answer = adjudication.get("answer") or {}
    return {
        "doc_id": state.doc_id,
        "filename": state.filename,
        "label": state.label,
        "confidence": probabilities.get(state.label) if state.label else None,
        "candidates": [{"label": k, "probability": round(v, 4)} for k, v in top],
        "band": state.band,
        "band_reason": state.band_reason,
        "fields": state.fields,
        "failed_rules": [r for r in state.rule_results if r.get("passed") is False],
        "policies": [r for r in state.rule_results
                     if r.get("kind") == "policy" and r.get("requires_review")],
        "review_reasons": state.review_reasons,
        "llm_rationale": answer.get("rationale"),
        "evidence": [e for e in state.evidence
                     if e.get("doc_id") in adjudication.get("cited_ids", [])] or state.evidence,
        "text_snippet": state.text[:1500],
        "allowed_labels": labels,
    }
