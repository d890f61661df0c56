"""Classification metrics stored in bundles and printed by benchmarks."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from pydantic import BaseModel
from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support

from classifiers.calibration import expected_calibration_error, softmax
from classifiers.thresholds import AutoThreshold


class ClassMetrics(BaseModel):
    precision: float
    recall: float
    f1: float
    support: int


class Metrics(BaseModel):
    """How one model did on one labelled set, with calibration before and after."""

    n: int
    accuracy: float
    macro_f1: float
    ece_before: float
    ece_after: float
    temperature: float
    per_class: dict[str, ClassMetrics]
    auto: AutoThreshold | None = None  # bundles before certified gates: an uncertified cut


def evaluate(logits: np.ndarray, y: np.ndarray, labels: Sequence[str],
             temperature: float) -> Metrics:
    """Metrics of `logits` against integer targets `y`, calibrated by `temperature`."""
    probs_raw, probs = softmax(logits), softmax(logits, temperature)
    pred = probs.argmax(axis=1)
    idx = list(range(len(labels)))
    p, r, f, s = precision_recall_fscore_support(y, pred, labels=idx, zero_division=0)
    return Metrics(
        n=len(y),
        accuracy=float(accuracy_score(y, pred)),
        macro_f1=float(f1_score(y, pred, labels=idx, average="macro", zero_division=0)),
        ece_before=expected_calibration_error(probs_raw, y),
        ece_after=expected_calibration_error(probs, y),
        temperature=temperature,
        per_class={
            name: ClassMetrics(precision=float(p[i]), recall=float(r[i]), f1=float(f[i]),
                               support=int(s[i]))
            for i, name in enumerate(labels)
        },
    )
