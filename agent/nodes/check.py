"""extract and rules: what the document says, and whether it passes the business rules."""

from __future__ import annotations

from typing import Any

from agent.extraction import ExtractedFields, merge_fields
from agent.nodes import NodeResult
from agent.rules import evaluate
from agent.services import Services
from agent.state import DocumentState


def extract_for(label: str | None, text: str, services: Services,
                llm_fields: dict[str, Any] | None = None) -> NodeResult:
    fields, provenance = services.extractor(label or "", text)
    if llm_fields:
        # The grounded LLM's fields count only when they validate, and override a printed
        # value only when they can be found in the text (agent.extraction.merge).
        merged = merge_fields(ExtractedFields.model_validate(fields), llm_fields, text=text)
        llm_used = {n: s.model_dump() for n, s in merged.provenance.items()
                    if s.extractor == "llm"}
        fields = {k: v for k, v in merged.values().items() if v is not None}
        provenance = {**provenance, "llm_fields": llm_used}
    return {"fields": fields}, {"label": label, **provenance}


def extract(state: DocumentState, services: Services) -> NodeResult:
    adjudication = state.adjudication or {}
    answer = adjudication.get("answer") or {}
    llm_fields = answer.get("fields") if adjudication.get("trusted") else None
    return extract_for(state.label, state.text, services, llm_fields)


def rules(state: DocumentState, services: Services) -> NodeResult:
    label = state.label or ""
    rule_set = services.rule_sets.get(label)
    results = []
    if rule_set is not None:
        results = [r.model_dump(mode="json") for r in evaluate(
            rule_set, state.fields, state.doc_id, services.store.decisions.find_duplicates)]
    reasons = [f"rule {r['rule_id']} failed: {r['message']}" for r in results
               if r["kind"] == "rule" and r["passed"] is False]
    reasons += [f"policy {r['rule_id']}: {r['message']}" for r in results
                if r["kind"] == "policy" and r["requires_review"]]
    settings = services.settings
    if settings.always_review:
        reasons.append("policy: every document is reviewed (PAPERTRAIL_ALWAYS_REVIEW)")
    if state.band not in settings.auto_finalize_bands:
        reasons.append(f"band {state.band} is not auto-approved (PAPERTRAIL_AUTO_FINALIZE_BANDS)")
    return {"rule_results": results, "review_reasons": reasons}, {
        "rule_set": {"document_type": label, "version": rule_set.version if rule_set else None},
        "results": results, "review_reasons": reasons,
    }
