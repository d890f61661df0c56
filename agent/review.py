"""What a reviewer sees and what they can decide."""

from __future__ import annotations

from typing import Any, Literal, get_args

from pydantic import BaseModel, Field, ValidationError, model_validator

Action = Literal["approve", "reject", "relabel", "edit"]
ACTIONS: tuple[str, ...] = get_args(Action)


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
        "field_evidence": getattr(state, "field_evidence", {}),
        "field_checks": getattr(state, "field_checks", []),
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


def review_request(doc_id: str, reasons: list[str], labels: list[str],
                   error: str | None = None) -> dict[str, Any]:
    """What the paused graph asks for (the value of its interrupt): why a person must look, the
    decisions they can send and, after a value it could not take, why."""
    return {"doc_id": doc_id, "reasons": reasons, "actions": list(ACTIONS),
            "allowed_labels": labels, "error": error}


def read_decision(value: Any, labels: list[str]) -> tuple[ReviewDecision | None, str | None]:
    """A resume value as a decision, or why it is not one (never raises)."""
    try:
        decision = ReviewDecision.model_validate(value)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'value'}: {e['msg']}"
                             for e in exc.errors())
        return None, (f"Not a review decision ({problems}). Send {{\"action\": one of "
                      f"{', '.join(ACTIONS)}, \"reviewer\": who decides, \"label\" for relabel, "
                      "\"fields\" for edit, \"note\" optional}.")
    if decision.action == "relabel" and decision.label not in labels:
        return None, (f"Unknown label {decision.label!r}; choose one of {', '.join(labels)}.")
    return decision, None
