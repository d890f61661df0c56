"""The shadow comparison: on documents people reviewed, what the active bundle and the
candidate each answered (both were scored on every shadowed document, one of them in shadow),
scored against the reviewer's final label.

A bundle "would have auto-approved" a document when its own certified gate passed the answer
(band `confident`): the classifier's verdict, before rules, policies or a drift suspension.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from agent.lifecycle.reviewed import latest_record, reviewed_documents
from agent.store import Store
from classifiers.certify import NEVER


class Answer(BaseModel):
    bundle_id: str
    label: str
    confidence: float
    band: str


class Pair(BaseModel):
    doc_id: str
    truth: str
    active: Answer
    candidate: Answer
    canary: bool = Field(description="The candidate decided this document (canary share).")
    reviewed_at: datetime


class BundleScore(BaseModel):
    bundle_id: str
    n: int
    correct: int
    auto: int = Field(description="Documents its gate passed (it would have auto-approved).")
    auto_correct: int

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.n if self.n else None

    @property
    def coverage(self) -> float | None:
        return self.auto / self.n if self.n else None

    @property
    def precision(self) -> float | None:
        return self.auto_correct / self.auto if self.auto else None


class Comparison(BaseModel):
    active_id: str
    candidate_id: str
    since: datetime | None = Field(description="Reviews up to this time trained the candidate; "
                                   "only later ones count.")
    pairs: list[Pair]
    skipped: dict[str, int]

    @property
    def n(self) -> int:
        return len(self.pairs)

    @property
    def agreement(self) -> float | None:
        if not self.pairs:
            return None
        return sum(p.active.label == p.candidate.label for p in self.pairs) / self.n

    def score(self, which: str) -> BundleScore:
        answers = [(getattr(p, which), p.truth) for p in self.pairs]
        return BundleScore(
            bundle_id=self.active_id if which == "active" else self.candidate_id, n=len(answers),
            correct=sum(a.label == t for a, t in answers),
            auto=sum(a.band == "confident" for a, _ in answers),
            auto_correct=sum(a.band == "confident" and a.label == t for a, t in answers))

    def discordant(self) -> tuple[int, int]:
        """(active right and candidate wrong, candidate right and active wrong)."""
        b = sum(p.active.label == p.truth != p.candidate.label for p in self.pairs)
        c = sum(p.candidate.label == p.truth != p.active.label for p in self.pairs)
        return b, c


def compare_bundles(store: Store, active_id: str, candidate_id: str,
                    since: datetime | None = None) -> Comparison:
    """Pairs of answers (active, candidate) on every reviewed document after `since` that both
    bundles scored, from the newest `classify` lineage record of each document."""
    pairs, skipped = [], Counter()
    for review in reviewed_documents(store, since):
        record = latest_record(store, review.doc_id, "classify")
        answers = _answers(record or {})
        if answers is None:
            skipped["not scored by a shadow bundle"] += 1
            continue
        deciding, shadow = answers
        if {deciding.bundle_id, shadow.bundle_id} != {active_id, candidate_id}:
            skipped["scored by other bundles"] += 1
            continue
        canary = deciding.bundle_id == candidate_id
        active, candidate = (shadow, deciding) if canary else (deciding, shadow)
        pairs.append(Pair(doc_id=review.doc_id, truth=review.label, active=active,
                          candidate=candidate, canary=canary, reviewed_at=review.decided_at))
    return Comparison(active_id=active_id, candidate_id=candidate_id, since=since, pairs=pairs,
                      skipped=dict(skipped))


def _answers(record: dict[str, Any]) -> tuple[Answer, Answer] | None:
    """The deciding bundle's answer and the shadow's, from one classify record."""
    shadow = record.get("shadow") or {}
    prediction = record.get("prediction") or {}
    probabilities = prediction.get("probabilities") or {}
    if not shadow.get("label") or not probabilities:
        return None
    label = prediction.get("label")
    threshold = record.get("threshold")
    confidence = float(probabilities.get(label, 0.0))
    band = "confident" if confidence >= (NEVER if threshold is None else threshold) \
        else "ambiguous"
    deciding = Answer(bundle_id=(record.get("classifier") or {}).get("bundle_id") or "?",
                      label=label, confidence=confidence, band=band)
    return deciding, Answer(bundle_id=shadow["bundle_id"], label=shadow["label"],
                            confidence=float(shadow["confidence"]), band=shadow["band"])
