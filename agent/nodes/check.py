"""extract and rules: what the document says, how sure we are of it, and whether it passes the
business rules."""

from __future__ import annotations

from typing import Any

from agent.extraction import FIELD_NAMES
from agent.extraction.document import DocumentFields, read_fields
from agent.nodes import NodeResult
from agent.nodes.readings import document_readings, text_reading
from agent.rules import evaluate
from agent.services import Services
from agent.state import DocumentState


def extract_for(label: str | None, text: str, services: Services,
                llm_fields: dict[str, Any] | None = None) -> NodeResult:
    """Fields from `text` alone (a relabelled document): evidence without word boxes."""
    reading, extracted = text_reading(label or "", text, services)
    return _found(label, read_fields([reading], llm_fields), extracted, llm_fields, [])


def extract(state: DocumentState, services: Services) -> NodeResult:
    """Fields from every reading the OCR policy asks for, fused, with each field's evidence
    (page, box, engine, sources) and confidence, and the cross-field checks."""
    adjudication = state.adjudication or {}
    answer = adjudication.get("answer") or {}
    llm_fields = answer.get("fields") if adjudication.get("trusted") else None
    readings, extracted, log = document_readings(state, services)
    return _found(state.label, read_fields(readings, llm_fields), extracted, llm_fields, log)


def _found(label: str | None, found: DocumentFields, extracted: dict[str, Any],
           llm_fields: dict[str, Any] | None, log: list[dict[str, Any]]) -> NodeResult:
    # The grounded LLM's fields count only when they validate, and override a printed value
    # only when they can be found in the text (agent.extraction.merge).
    extras = {k: v for k, v in extracted["values"].items() if k not in FIELD_NAMES}
    fields = {**extras, **{k: v for k, v in found.fields.values().items() if v is not None}}
    evidence = {k: v.model_dump(mode="json") for k, v in found.evidence.items()}
    checks = [c.model_dump() for c in found.checks]
    provenance = {n: s.model_dump() for n, s in found.fields.provenance.items()}
    llm_used = {n: s for n, s in provenance.items() if s["extractor"] == "llm"}
    return {"fields": fields, "field_evidence": evidence, "field_checks": checks}, {
        "label": label, "extractor_version": extracted.get("extractor_version"),
        "provenance": provenance, **({"llm_fields": llm_used} if llm_fields else {}),
        "readings": log, "field_evidence": evidence, "field_checks": checks,
    }


def rules(state: DocumentState, services: Services) -> NodeResult:
    label = state.label or ""
    rule_set = services.rule_sets.get(label)
    results = []
    if rule_set is not None:
        results = [r.model_dump(mode="json") for r in evaluate(
            rule_set, state.fields, state.doc_id, services.store.decisions.find_duplicates,
            evidence=state.field_evidence, checks=state.field_checks)]
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
