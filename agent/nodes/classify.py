"""classify, retrieve, adjudicate: decide what the document is, and how sure we are."""

from __future__ import annotations

import hashlib
from typing import Any

from agent.drift_precision import promise_of
from agent.lifecycle.candidate import assign, score
from agent.nodes import NodeResult
from agent.services import Services
from agent.state import DocumentState
from classifiers.certify import NEVER
from classifiers.prediction import Prediction
from classifiers.signals import DocumentSignals
from retrieval.hits import ExemplarHit


def classify(state: DocumentState, services: Services) -> NodeResult:
    """Every page with text is classified, whatever its OCR quality: the certified gate, whose
    cells may separate OCR-quality strata, decides whether the answer may stand alone."""
    signals = DocumentSignals.model_validate(state.ocr.get("signals") or {})
    if refresh := getattr(services.classifier, "refresh", None):
        refresh()  # a promotion or rollback since the last document takes effect now
    chosen = assign(state.doc_id, services.classifier, services.candidate)
    try:
        prediction = chosen.decider.classify(state.text, signals)
    except Exception as exc:
        if not chosen.canary:
            raise
        # a canary candidate that fails hands the document back to the active bundle
        chosen.note = {"canary": f"candidate failed, the active bundle decided: "
                                 f"{type(exc).__name__}: {exc}"}
        chosen.decider, chosen.other, chosen.canary = services.classifier, None, False
        prediction = chosen.decider.classify(state.text, signals)
    shadow = None if chosen.other is None else \
        score(chosen.other, state.text, signals, chosen.other_role or "candidate")
    if chosen.note:
        shadow = {**(shadow or {}), **chosen.note}
    threshold = NEVER if prediction.auto_threshold is None else prediction.auto_threshold
    confident = prediction.confidence >= threshold
    band = "confident" if confident else "ambiguous"
    gate = f"gate cell {prediction.gate_cell}" if prediction.certified else (
        "no certified threshold: nothing auto-approves" if threshold >= NEVER
        else "uncertified threshold")
    reason = (f"calibrated top-1 {prediction.label} {prediction.confidence:.3f} "
              f"{'>=' if confident else '<'} auto threshold {threshold:.3f} ({gate})")
    if prediction.fallback_reason:
        reason += f" (baseline answered: {prediction.fallback_reason})"
    if chosen.canary:
        reason += f" (canary: candidate bundle {prediction.bundle_id} decided)"
    update: dict[str, Any] = {"prediction": prediction.model_dump(), "label": prediction.label,
                              "band": band, "band_reason": reason}
    suspended = drift_suspension(services)
    if suspended:  # escalated: a person decides whatever an adjudicator answers
        band = update["band"] = "escalated"
        reason = update["band_reason"] = f"{suspended}; {reason}"
        update["review_reasons"] = [suspended]
    lineage: dict[str, Any] = {"shadow": shadow} if shadow else {}
    lineage["ocr_as_trained"] = ocr_as_trained(chosen.decider, state)
    if chosen.canary or (shadow and "canary" in shadow):
        lineage["canary"] = {"share": getattr(services.candidate, "canary_share", None),
                             "decided_by": "candidate" if chosen.canary else "active"}
    return update, {
        **lineage,
        "classifier": chosen.decider.lineage(), "prediction": prediction.model_dump(),
        "signals": signals_lineage(signals), "text_chars": len(state.text),
        "threshold": threshold,
        "gate_cell": prediction.gate_cell, "certified": prediction.certified, "band": band,
        "reason": reason, "drift_suspension": suspended,
    }


def ocr_as_trained(classifier: Any, state: DocumentState) -> bool | None:
    """Whether the engine that read this document (name, version, options) is the one that read
    the bundle's corpus, whose readings its gate was certified on; None when the bundle does not
    record it (older bundles) or no page of this document was OCR'd."""
    info = getattr(classifier, "info", None)
    trained = getattr(getattr(info, "trained_on", None), "ocr_engine", None)
    ocr_read = any(page.get("method") == "ocr" for page in state.ocr.get("pages") or [])
    if not trained or not ocr_read:
        return None
    return trained == state.ocr.get("engine")


def drift_suspension(services: Services) -> str | None:
    """Why auto-approval is suspended for drift (PAPERTRAIL_DRIFT_ACTION=suspend), or None."""
    classifier = services.classifier
    if services.drift is None or not hasattr(classifier, "bundle_id"):
        return None
    info = getattr(classifier, "info", None)
    return services.drift.suspension(classifier.bundle_id, getattr(info, "profile", None),
                                     promise_of(getattr(info, "gate", None)))


def retrieve(state: DocumentState, services: Services) -> NodeResult:
    if services.retriever is None:
        return {"evidence": []}, {"retriever": None, "note": "no retriever configured"}
    hits = services.retriever.search(state.text, services.settings.retrieval.k)
    return {"evidence": [h.model_dump() for h in hits]}, {
        "retriever": services.retriever.lineage(),
        "hits": [{"id": h.doc_id, "label": h.label, "score": round(h.score, 4)} for h in hits],
    }


def adjudicate(state: DocumentState, services: Services) -> NodeResult:
    """A trusted adjudication keeps the document moving; otherwise a person decides: the band
    says whether an LLM answered and was not trusted (`ungrounded`) or policy sent it
    (`escalated`)."""
    if services.adjudicator is None:
        reason = "no trusted adjudicator configured: ambiguous documents go to a person"
        return {"band": "escalated", "band_reason": reason}, {"adjudicator": None,
                                                              "reason": reason}
    prediction = Prediction.model_validate(state.prediction)
    evidence = [ExemplarHit.model_validate(e) for e in state.evidence]
    result = services.adjudicator.adjudicate(state.text, prediction, evidence,
                                             services.classifier.labels)
    # The state keeps the verdict; lineage keeps the call's record (prompt, raw answer, tokens).
    update: dict[str, Any] = {"adjudication": result.model_dump(exclude={"record"})}
    if result.trusted:
        update |= {"label": result.label, "band_reason": (
            f"{state.band_reason}; adjudicated as {result.label} citing "
            f"{', '.join(result.cited_ids) or 'no exemplar'}")}
    elif result.llm_asked:
        update |= {"band": "ungrounded",
                   "band_reason": f"adjudication not trusted: {result.reason}"}
    else:
        update |= {"band": "escalated", "band_reason": f"sent to a person: {result.reason}"}
    return update, {"adjudication": result.model_dump(), "band": update.get("band", state.band)}


def signals_lineage(signals: DocumentSignals) -> dict[str, Any]:
    """The page signals the classifier read, short: the vectors by size and digest."""
    digest = hashlib.sha256(signals.model_dump_json().encode()).hexdigest()[:16]
    return {"ocr_confidence": signals.ocr_confidence,
            "layout_features": len(signals.layout) if signals.layout else None,
            "thumbnail_features": len(signals.thumbnail) if signals.thumbnail else None,
            "sha256": digest}
