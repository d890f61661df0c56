"""The promotion gate: may a shadowed candidate replace the active bundle?

It judges the shadow comparison (agent/lifecycle/compare.py), i.e. both bundles' answers on the
documents people reviewed since the candidate's training data ends, against the reviewers'
final labels. The candidate is refused when it regresses:
- too few reviewed documents were scored by both (nothing can be concluded);
- accuracy dropped by more than `max_drop` (`eval compare`'s rule, evals/compare.py) or is
  significantly lower (exact one-sided McNemar test on the documents they disagree on);
- the precision of what it would have auto-approved is below the active bundle's (beyond
  `precision_tolerance`, `eval compare`'s rule again), or so far below its own certificate's
  promise that the certificate is contradicted (the Clopper-Pearson upper bound on that
  precision, at the certificate's confidence, is under its target precision).
"""

from __future__ import annotations

from pydantic import BaseModel, Field
from scipy.stats import beta, binomtest

from agent.lifecycle.compare import BundleScore, Comparison
from evals.compare import MetricChange, compare


class PromotionPolicy(BaseModel):
    min_documents: int = Field(30, ge=1, description="Reviewed documents both bundles scored.")
    max_drop: float = Field(0.02, ge=0, description="Largest tolerated accuracy drop.")
    precision_tolerance: float = Field(
        0.0, ge=0, description="Largest tolerated drop of auto-approval precision.")
    alpha: float = Field(0.05, gt=0, lt=1, description="Significance of the McNemar test.")


class Promise(BaseModel):
    """What the candidate's certificate promises about what it auto-approves."""

    target_precision: float
    delta: float


class Verdict(BaseModel):
    allowed: bool
    reasons: list[str]
    changes: list[MetricChange]
    mcnemar_p: float | None
    precision_upper_bound: float | None


def precision_upper_bound(score: BundleScore, delta: float) -> float | None:
    """One-sided upper confidence bound (level 1 - delta) on the auto-approval precision."""
    if not score.auto:
        return None
    errors = score.auto - score.auto_correct
    lower_error = 0.0 if errors == 0 else float(beta.ppf(delta, errors, score.auto - errors + 1))
    return 1.0 - lower_error


def judge(comparison: Comparison, promise: Promise | None,
          policy: PromotionPolicy | None = None) -> Verdict:
    policy = policy or PromotionPolicy()
    active, candidate = comparison.score("active"), comparison.score("candidate")
    reasons: list[str] = []
    if comparison.n < policy.min_documents:
        reasons.append(f"only {comparison.n} reviewed documents were scored by both bundles; "
                       f"the gate needs {policy.min_documents}. Keep the candidate in shadow "
                       "until people have reviewed more documents.")
    changes: list[MetricChange] = []
    if comparison.n:
        changes += [c for c in compare({"accuracy": active.accuracy},
                                       {"accuracy": candidate.accuracy}, policy.max_drop)
                    if c.metric == "accuracy"]
    if active.precision is not None and candidate.precision is not None:
        changes += [c for c in compare({"auto_precision": active.precision},
                                       {"auto_precision": candidate.precision},
                                       policy.precision_tolerance)
                    if c.metric == "auto_precision"]
    for change in changes:
        tolerated = policy.max_drop if change.metric == "accuracy" else \
            policy.precision_tolerance
        if change.regressed:
            reasons.append(f"{change.metric} {change.new:.3f} is below the active bundle's "
                           f"{change.old:.3f} (tolerated drop {tolerated:g}).")
    b, c = comparison.discordant()
    p_value = binomtest(b, b + c, 0.5, alternative="greater").pvalue if b + c else None
    if p_value is not None and p_value < policy.alpha:
        reasons.append(f"accuracy is significantly lower: on the {b + c} documents only one of "
                       f"them got right, the active bundle was right on {b}, the candidate on "
                       f"{c} (McNemar p = {p_value:.4f} < {policy.alpha:g}).")
    upper = None
    if promise is not None:
        upper = precision_upper_bound(candidate, promise.delta)
        if upper is not None and upper < promise.target_precision:
            reasons.append(
                f"the candidate's auto-approvals were right {candidate.auto_correct} of "
                f"{candidate.auto} times: even the {1 - promise.delta:.0%} upper bound "
                f"{upper:.3f} is below its certificate's promise of "
                f"{promise.target_precision:.0%}.")
    return Verdict(allowed=not reasons, reasons=reasons, changes=changes, mcnemar_p=p_value,
                   precision_upper_bound=upper)
