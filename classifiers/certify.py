"""A certified auto-approve threshold: what passes it is right often enough, with a stated risk.

For a threshold t, the documents whose calibrated confidence is >= t are "accepted". Given which
documents are accepted (a function of the confidences alone, never of the labels), their errors
are a binomial sample of the error rate p(t) of everything that would pass t. A one-sided
Clopper–Pearson bound at level 1 - delta bounds p(t) from above; t is certified when that bound
is <= 1 - target precision.

Many thresholds are tried, so a guarantee for "the one we picked" needs care. Fixed-sequence
testing gives it without splitting delta: thresholds are tested from high to low, each at level
delta, and testing stops at the first one that fails; the lowest certified threshold is kept.
The order uses confidences only. It starts at the first cut accepting enough documents that a
clean record could certify at all (`min_accepted`): a cut below that would always fail and end
the sequence before it began.

What holds, and what does not: with probability >= 1 - delta over the calibration sample, the
error rate of what the chosen threshold accepts is <= 1 - target, for documents drawn like the
calibration documents. Documents unlike them (another source, another scanner) void it.
"""

from __future__ import annotations

import math

import numpy as np
from pydantic import BaseModel, Field
from scipy.stats import beta

NEVER = 1.01
"""Threshold meaning "nothing auto-approves" (calibrated confidences never exceed 1.0)."""


class Certificate(BaseModel):
    """One certified (or refused) threshold and the evidence behind it."""

    threshold: float = Field(description="Auto-approve when confidence >= this; NEVER if none.")
    certified: bool
    target_precision: float
    delta: float = Field(description="Risk that the bound is wrong (1 - confidence level).")
    n: int = Field(description="Labelled calibration documents (out-of-fold predictions).")
    accepted: int = Field(description="Of those, how many the threshold accepts.")
    errors: int = Field(description="Wrongly labelled among the accepted.")
    error_bound: float | None = Field(
        None, description="Clopper–Pearson upper bound on the error rate of what is accepted.")
    observed_precision: float | None = None
    coverage: float = Field(0.0, description="accepted / n.")
    needed_more: int | None = Field(
        None, description="When not certified: about how many more labelled documents like "
        "these would certify a threshold at the observed error rates (None: none would).")
    note: str = ""


def clopper_pearson_upper(errors: int, n: int, delta: float) -> float:
    """One-sided upper confidence bound at level 1 - delta on a binomial rate."""
    if n <= 0 or errors >= n:
        return 1.0
    return float(beta.ppf(1.0 - delta, errors + 1, n - errors))


def clopper_pearson_interval(successes: int, n: int,
                             level: float = 0.95) -> tuple[float, float] | None:
    """Two-sided interval of a measured proportion (None without observations)."""
    if n <= 0:
        return None
    a = (1.0 - level) / 2
    lo = 0.0 if successes == 0 else float(beta.ppf(a, successes, n - successes + 1))
    hi = 1.0 if successes == n else float(beta.ppf(1 - a, successes + 1, n - successes))
    return lo, hi


def min_accepted(target: float, delta: float) -> int:
    """Fewest accepted documents that could certify `target` even with no error at all."""
    alpha = 1.0 - target
    if alpha <= 0.0:
        return math.inf  # type: ignore[return-value]  # precision 1.0 is never certifiable
    return math.ceil(math.log(delta) / math.log(1.0 - alpha))


def certify_threshold(confidence: np.ndarray, correct: np.ndarray, target: float,
                      delta: float) -> Certificate:
    """The lowest threshold certified by fixed-sequence testing (module docstring)."""
    confidence = np.asarray(confidence, dtype=np.float64)
    correct = np.asarray(correct, dtype=bool)
    n = len(confidence)
    order = np.argsort(-confidence, kind="stable")
    conf_sorted, wrong_sorted = confidence[order], ~correct[order]
    cum_errors = np.cumsum(wrong_sorted)
    # A threshold accepts whole tie groups: cut only after a group's last document.
    cuts = np.flatnonzero(np.append(conf_sorted[1:] != conf_sorted[:-1], True)) if n else []
    alpha, floor = 1.0 - target, min_accepted(target, delta)
    cuts = np.asarray(cuts, dtype=np.int64)
    cuts = cuts[cuts + 1 >= floor]
    accepted, errors = cuts + 1, cum_errors[cuts] if len(cuts) else np.zeros(0, dtype=np.int64)
    bounds = _upper_bounds(errors, accepted, delta)
    failed = np.flatnonzero(bounds > alpha)
    passed = failed[0] if len(failed) else len(cuts)  # the sequence stops at its first failure
    if passed > 0:
        k, m, e = int(cuts[passed - 1]), int(accepted[passed - 1]), int(errors[passed - 1])
        return Certificate(
            threshold=float(conf_sorted[k]), certified=True, target_precision=target,
            delta=delta, n=n, accepted=m, errors=e, error_bound=float(bounds[passed - 1]),
            observed_precision=1.0 - e / m, coverage=m / n)
    return Certificate(
        threshold=NEVER, certified=False, target_precision=target, delta=delta, n=n,
        accepted=0, errors=0, needed_more=documents_needed(conf_sorted, wrong_sorted, target,
                                                            delta),
        note=_refusal(n, floor, target, delta))


def _upper_bounds(errors: np.ndarray, n: np.ndarray, delta: float) -> np.ndarray:
    """`clopper_pearson_upper` for arrays of counts."""
    bounds = np.ones(len(n))
    ok = errors < n
    bounds[ok] = beta.ppf(1.0 - delta, errors[ok] + 1, n[ok] - errors[ok])
    return bounds


def _refusal(n: int, floor: int, target: float, delta: float) -> str:
    if n < floor:
        return (f"{n} labelled documents cannot certify precision {target:.3f} at "
                f"{1 - delta:.0%} confidence: even with no error it takes {floor} accepted ones")
    return (f"no threshold certifies precision {target:.3f} at {1 - delta:.0%} confidence on "
            f"{n} documents: nothing is auto-approved")


def documents_needed(conf_sorted: np.ndarray, wrong_sorted: np.ndarray, target: float,
                     delta: float) -> int | None:
    """About how many more labelled documents would certify some threshold, if the observed
    error rate at each cut held and the accepted share stayed the same; None when every cut's
    observed error rate is at or above 1 - target (more data of this kind will not help)."""
    n = len(conf_sorted)
    if n == 0:
        return min_accepted(target, delta)
    alpha = 1.0 - target
    cum_errors = np.cumsum(wrong_sorted)
    best: int | None = None
    for k in np.unique(np.linspace(0, n - 1, min(n, 200)).astype(int)):  # "about": 200 cuts
        accepted, errors = int(k) + 1, int(cum_errors[k])
        rate = errors / accepted
        if rate >= alpha:
            continue
        needed_accepted = _accepted_needed(rate, alpha, delta)
        total = math.ceil(needed_accepted * n / accepted)
        if best is None or total < best:
            best = total
    return None if best is None else max(best - n, 1)


def _accepted_needed(rate: float, alpha: float, delta: float, limit: int = 10_000_000) -> int:
    """Smallest m whose bound at `round(rate * m)` errors is <= alpha (bisection)."""
    def passes(m: int) -> bool:
        return clopper_pearson_upper(round(rate * m), m, delta) <= alpha

    lo, hi = 1, max(min_accepted(1.0 - alpha, delta), 1)
    while not passes(hi):
        lo, hi = hi, hi * 2
        if hi > limit:
            return limit
    while lo < hi:
        mid = (lo + hi) // 2
        if passes(mid):
            hi = mid
        else:
            lo = mid + 1
    return hi
