"""Classification metrics stored in bundles and printed by benchmarks."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from pydantic import BaseModel
from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support

from classifiers.calibration import expected_calibration_error, softmax
from classifiers.thresholds import AutoThreshold, auto_threshold


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


def evaluate(
    logits: np.ndarray, y: np.ndarray, labels: Sequence[str], temperature: float,
    target_precision: float, threshold: float | None = None, with_threshold: bool = True,
) -> Metrics:
    """Metrics of `logits` against integer targets `y`.

    With `threshold=None` the auto-approve threshold is fitted on this data (validation);
    with a value, coverage/precision are measured at that fixed threshold (held-out test).
    """
    probs_raw, probs = softmax(logits), softmax(logits, temperature)
    pred = probs.argmax(axis=1)
    idx = list(range(len(labels)))
    p, r, f, s = precision_recall_fscore_support(y, pred, labels=idx, zero_division=0)
    conf, correct = probs.max(axis=1), pred == y
    auto: AutoThreshold | None = None
    if not with_threshold:
        pass
    elif threshold is None:
        auto = auto_threshold(conf, correct, target_precision)
    else:
        approved = conf >= threshold
        auto = AutoThreshold(
            threshold=threshold, target_precision=target_precision,
            precision=float(correct[approved].mean()) if approved.any() else None,
            coverage=float(approved.mean()), reached=bool(
                approved.any() and correct[approved].mean() >= target_precision),
            n=len(y), note="measured at a threshold fitted elsewhere",
        )
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
        auto=auto,
    )
