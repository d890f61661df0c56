"""The auto-approve threshold: the lowest confidence at which auto-approval meets a precision."""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, Field

NEVER = 1.01
"""Threshold meaning "nothing auto-approves" (calibrated confidences never exceed 1.0)."""


class AutoThreshold(BaseModel):
    """Where to cut calibrated top-1 confidence so that what passes is right often enough."""

    threshold: float = Field(description="Approve automatically when confidence >= this.")
    target_precision: float
    precision: float | None = Field(description="Precision of the approved validation subset.")
    coverage: float = Field(description="Share of validation documents auto-approved.")
    reached: bool = Field(description="False when no threshold reaches the target precision.")
    n: int = Field(description="Validation documents it was fitted on.")
    note: str = ""


def auto_threshold(confidence: np.ndarray, correct: np.ndarray, target: float) -> AutoThreshold:
    """Lowest threshold t such that documents with confidence >= t reach `target` precision.

    Candidates are the observed confidences; ties are kept together (a threshold approves every
    document at or above it). When no t reaches the target, the threshold is `NEVER`.
    """
    confidence = np.asarray(confidence, dtype=np.float64)
    correct = np.asarray(correct, dtype=bool)
    n = len(confidence)
    if n == 0:
        return AutoThreshold(threshold=NEVER, target_precision=target, precision=None,
                             coverage=0.0, reached=False, n=0, note="no validation documents")
    order = np.argsort(-confidence, kind="stable")
    conf_sorted, correct_sorted = confidence[order], correct[order]
    cum_correct = np.cumsum(correct_sorted)
    # Only cut after the last document of a tie group.
    last_of_group = np.append(conf_sorted[1:] != conf_sorted[:-1], True)
    best: tuple[float, float, float] | None = None
    for k in np.flatnonzero(last_of_group):
        precision = cum_correct[k] / (k + 1)
        if precision >= target:
            best = (float(conf_sorted[k]), float(precision), (k + 1) / n)
    if best is None:
        return AutoThreshold(
            threshold=NEVER, target_precision=target, precision=None, coverage=0.0,
            reached=False, n=n,
            note=f"no confidence threshold reaches precision {target:.3f} on {n} validation "
                 "documents: nothing is auto-approved",
        )
    return AutoThreshold(threshold=best[0], target_precision=target, precision=best[1],
                         coverage=best[2], reached=True, n=n)
