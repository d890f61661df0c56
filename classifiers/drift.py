"""Reference profiles and the population-stability index (PSI) for drift checks.

A bundle's certificate holds for documents like the ones it was fitted on. Its profile records,
on the out-of-fold (certification) documents, the binned distribution of each signal the gate
depends on; live documents are binned the same way and compared with PSI.

PSI = sum over bins of (live - ref) * ln(live / ref). The conventional reading (credit-scoring
practice, where PSI comes from): below 0.1 no shift, 0.1-0.25 a moderate shift worth watching,
above 0.25 a major shift. 0.25 is the default threshold because below it a window of a few
hundred documents shows PSI of that order from sampling noise alone on ~10 bins, so a lower
threshold would fire on noise.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from pydantic import BaseModel, Field

# Bin edges (left-closed); the last bin is open. Confidence is not split above 0.9: the shipped
# members are trained on every document, so on documents like the training data they are more
# confident than the out-of-fold models the reference was measured on (the tiny test bundle:
# 71 % vs 97 % of documents above 0.99), and finer top bins flag that gap itself as drift.
# Text length is log-binned: a receipt (a few hundred characters) and a contract (tens of
# thousands) differ by orders of magnitude.
CONFIDENCE_EDGES = (0.0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
OCR_EDGES = (0.0, 30.0, 45.0, 60.0, 70.0, 80.0, 85.0, 90.0, 95.0, 99.0)
TEXT_EDGES = (0.0, 50.0, 100.0, 200.0, 400.0, 800.0, 1600.0, 3200.0, 6400.0, 12800.0)
SIGNALS = ("confidence", "label", "ocr_confidence", "text_chars")
EPSILON = 1e-4  # share given to empty bins so PSI stays finite
PSEUDO_COUNT = 0.5  # per bin (Jeffreys): a bin 160 reference documents missed is not ~0 %


class Histogram(BaseModel):
    """Shares per bin: `edges` for numbers (bin i is [edges[i], edges[i+1])), or `categories`."""

    edges: list[float] | None = None
    categories: list[str] | None = None
    shares: list[float]
    n: int


class ReferenceProfile(BaseModel):
    """What the certification documents looked like, signal by signal."""

    n: int
    signals: dict[str, Histogram]
    gate_pass_share: float = Field(description="Share of them the certified gate auto-approved.")


def numeric_histogram(values: Sequence[float | None], edges: Sequence[float]) -> Histogram:
    """Shares of the known `values` per bin (None values are left out)."""
    known = np.array([v for v in values if v is not None], dtype=np.float64)
    counts = np.zeros(len(edges), dtype=np.int64)
    if len(known):
        index = np.clip(np.searchsorted(np.asarray(edges), known, side="right") - 1,
                        0, len(edges) - 1)
        counts = np.bincount(index, minlength=len(edges))
    total = int(counts.sum())
    shares = (counts / total).tolist() if total else [0.0] * len(edges)
    return Histogram(edges=list(edges), shares=shares, n=total)


def categorical_histogram(values: Sequence[str], categories: Sequence[str]) -> Histogram:
    """Shares per category; values outside `categories` fall in the last, `other`, bin."""
    names = list(categories) + ["other"]
    position = {name: i for i, name in enumerate(categories)}
    counts = np.zeros(len(names), dtype=np.int64)
    for value in values:
        counts[position.get(value, len(categories))] += 1
    total = int(counts.sum())
    shares = (counts / total).tolist() if total else [0.0] * len(names)
    return Histogram(categories=names, shares=shares, n=total)


def like(reference: Histogram, values: Sequence) -> Histogram:
    """`values` binned exactly as `reference` is."""
    if reference.categories is not None:
        return categorical_histogram(values, reference.categories[:-1])
    return numeric_histogram(values, reference.edges or [])


def psi(reference: Sequence[float], live: Sequence[float]) -> float:
    """Population-stability index of `live` shares against `reference` shares (same bins)."""
    ref = np.clip(np.asarray(reference, dtype=np.float64), EPSILON, None)
    now = np.clip(np.asarray(live, dtype=np.float64), EPSILON, None)
    ref, now = ref / ref.sum(), now / now.sum()
    return float(np.sum((now - ref) * np.log(now / ref)))


def smoothed(hist: Histogram) -> list[float]:
    """Shares with `PSEUDO_COUNT` added to every bin: an empty bin's share is only known to be
    below about 1/n, and PSI against a ~0 share would flag a handful of documents."""
    counts = np.asarray(hist.shares, dtype=np.float64) * hist.n + PSEUDO_COUNT
    return (counts / counts.sum()).tolist()


def histogram_psi(reference: Histogram, live: Histogram) -> float:
    """PSI of two histograms over the same bins, both smoothed by their counts."""
    return psi(smoothed(reference), smoothed(live))


def build_profile(probabilities: np.ndarray, labels: list[str],
                  ocr_confidence: Sequence[float | None], texts: Sequence[str],
                  passed: np.ndarray) -> ReferenceProfile:
    """The profile of the certification documents: out-of-fold calibrated `probabilities`
    (n x classes), their OCR confidence and text, and which of them the gate passed."""
    probabilities = np.asarray(probabilities, dtype=np.float64)
    predicted = [labels[i] for i in probabilities.argmax(axis=1)]
    n = len(predicted)
    return ReferenceProfile(
        n=n,
        signals={
            "confidence": numeric_histogram(probabilities.max(axis=1).tolist(),
                                            CONFIDENCE_EDGES),
            "label": categorical_histogram(predicted, labels),
            "ocr_confidence": numeric_histogram(list(ocr_confidence), OCR_EDGES),
            "text_chars": numeric_histogram([float(len(t)) for t in texts], TEXT_EDGES),
        },
        gate_pass_share=float(np.mean(passed)) if n else 0.0,
    )
