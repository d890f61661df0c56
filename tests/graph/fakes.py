"""Small stand-ins for the models, for tests of the graph's logic (not of the models)."""

from __future__ import annotations

import re
from typing import Any

from agent.adjudication.schema import AdjudicationAnswer, AdjudicationRecord, AdjudicationResult
from classifiers.prediction import Prediction
from retrieval.hits import ExemplarHit

LABELS = ["invoice", "receipt", "letter", "contract"]


class MarkerClassifier:
    """Reads `Confidence NN` from the page, so a test document is built to reach a band."""

    labels = LABELS

    def __init__(self, threshold: float = 0.9) -> None:
        self.threshold = threshold

    def classify(self, text: str, signals: object = None) -> Prediction:
        match = re.search(r"Confidence (\d\d)", text)
        top = int(match.group(1)) / 100 if match else 0.97
        label = "contract" if "Agreement" in text else "invoice"
        rest = (1 - top) / (len(LABELS) - 1)
        probabilities = {name: (top if name == label else rest) for name in LABELS}
        return Prediction(label=label, probabilities=probabilities, bundle_id="marker-test",
                          model="baseline", auto_threshold=self.threshold, gate_cell="all",
                          certified=True)

    def lineage(self) -> dict[str, Any]:
        return {"bundle_id": "marker-test", "threshold": self.threshold}


class ScriptedAdjudicator:
    """An LLM that answers what the test scripted; trusted only if its citations were
    retrieved, as the real adjudicator's validation does."""

    def __init__(self, label: str, cite: list[str] | None = None) -> None:
        self.label, self.cite, self.calls = label, cite, 0

    def adjudicate(self, text: str, prediction: Prediction, evidence: list[ExemplarHit],
                   labels: list[str]) -> AdjudicationResult:
        self.calls += 1
        cited = self.cite if self.cite is not None else [e.doc_id for e in evidence[:1]]
        answer = AdjudicationAnswer(label=self.label, evidence_ids=cited,
                                    rationale="matches the cited exemplar")
        record = AdjudicationRecord(template_id="scripted", template_sha256="", prompt=text,
                                    prompt_sha256="", model="scripted", params={},
                                    raw_answer=self.label, prompt_tokens=50, completion_tokens=2)
        common = {"policy": "llm", "answer": answer, "record": record, "cited_ids": cited}
        if self.label not in labels and self.label != "unknown":
            return AdjudicationResult(status="ungrounded", reason="label outside the set", **common)
        if not set(cited) <= {e.doc_id for e in evidence}:
            return AdjudicationResult(status="ungrounded", reason="cited id not retrieved",
                                      **common)
        return AdjudicationResult(status="grounded", label=self.label, reason="ok", **common)


class ListRetriever:
    def __init__(self) -> None:
        self.exemplars: dict[str, ExemplarHit] = {
            "ex-1": ExemplarHit(doc_id="ex-1", label="invoice", score=0.9, text="Invoice number"),
            "ex-2": ExemplarHit(doc_id="ex-2", label="receipt", score=0.7, text="Cash receipt"),
        }
        self.added: list[tuple[str, str, str]] = []

    def search(self, text: str, k: int) -> list[ExemplarHit]:
        return list(self.exemplars.values())[:k]

    def add_exemplar(self, doc_id: str, text: str, label: str, fields: dict[str, Any],
                     reviewer: str) -> None:
        self.added.append((doc_id, label, reviewer))

    def lineage(self) -> dict[str, Any]:
        return {"index": "list"}


def invoice_fields(doc_type: str, text: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Reads the fields the fixture invoice prints (a stand-in for the real extractor)."""
    if doc_type not in ("invoice", "receipt"):
        return {}, {"extractor": "test", "doc_type": doc_type}
    fields: dict[str, Any] = {"vendor": "ACME Industrial Supplies Ltd"}
    if m := re.search(r"Invoice number: (\S+)", text):
        fields["invoice_number"] = m.group(1)
    if m := re.search(r"Date: (\d{4}-\d\d-\d\d)", text):
        fields["date"] = m.group(1)
    if m := re.search(r"Total due: EUR ([\d.]+)", text):
        fields["total"] = m.group(1)
    return fields, {"extractor": "test", "doc_type": doc_type}
