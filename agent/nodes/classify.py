"""classify, retrieve, adjudicate: decide what the document is, and how sure we are."""

from __future__ import annotations

from typing import Any

from agent.services import Evidence, Services
from agent.state import DocumentState
from classifiers.prediction import Prediction

Out = tuple[dict[str, Any], dict[str, Any]]


def classify(state: DocumentState, services: Services) -> Out:
    prediction = services.classifier.classify(state.text)
    threshold = services.classifier.auto_threshold()
    confident = prediction.confidence >= threshold
    band = "confident" if confident else "ambiguous"
    reason = (f"calibrated top-1 {prediction.label} {prediction.confidence:.3f} "
              f"{'>=' if confident else '<'} auto threshold {threshold:.3f}")
    if prediction.fallback_reason:
        reason += f" (baseline answered: {prediction.fallback_reason})"
    return {"prediction": prediction.model_dump(), "label": prediction.label, "band": band,
            "band_reason": reason}, {
        "classifier": services.classifier.lineage(), "prediction": prediction.model_dump(),
        "threshold": threshold, "band": band, "reason": reason,
    }


def retrieve(state: DocumentState, services: Services) -> Out:
    if services.retriever is None:
        return {"evidence": []}, {"retriever": None, "note": "no retriever configured"}
    evidence = services.retriever.search(state.text, services.settings.retrieval.k)
    hits = [e.model_dump() for e in evidence]
    return {"evidence": hits}, {
        "retriever": services.retriever.lineage(),
        "hits": [{"id": e.id, "label": e.label, "score": round(e.score, 4)} for e in evidence],
    }


def adjudicate(state: DocumentState, services: Services) -> Out:
    """The LLM's answer counts only when it is grounded; otherwise a person decides."""
    if services.adjudicator is None:
        reason = "no trusted adjudicator configured: ambiguous documents go to a person"
        return {"band": "ungrounded", "band_reason": reason}, {"adjudicator": None,
                                                               "reason": reason}
    prediction = Prediction.model_validate(state.prediction)
    evidence = [Evidence.model_validate(e) for e in state.evidence]
    result = services.adjudicator.adjudicate(state.text, prediction, evidence,
                                             services.classifier.labels)
    update: dict[str, Any] = {"adjudication": result.model_dump(exclude={"record"})}
    if result.grounded and result.label != "unknown":
        update |= {"label": result.label, "band_reason": (
            f"{state.band_reason}; adjudicated as {result.label} citing "
            f"{', '.join(result.cited_ids) or 'no exemplar'}")}
    else:
        reason = f"adjudication not trusted: {result.reason}"
        update |= {"band": "ungrounded", "band_reason": reason}
    return update, {"adjudication": result.model_dump(), "band": update.get("band", state.band)}
