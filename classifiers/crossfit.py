"""Cross-fitting: out-of-fold predictions for every labelled document, and what is fitted on them.

Each member is trained K times, each time without one fold, and predicts that fold: every
document gets a prediction from a model that never saw it. Temperatures, ensemble weights and
the gate are fitted on those predictions, over all labelled data instead of one small
validation slice. The ensemble weights are themselves cross-fitted (fitted without the fold
they score), so the probabilities the gate is certified on are out-of-fold at both levels.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize
from sklearn.model_selection import StratifiedKFold

from classifiers.calibration import fit_temperature, log_softmax, softmax
from classifiers.errors import TrainingError
from classifiers.members import Docs, MemberKind

Progress = Callable[[str], None]


def fold_ids(y: np.ndarray, folds: int, seed: int) -> np.ndarray:
    """A stratified fold number per document; K shrinks to the smallest class size (>= 2)."""
    counts = np.bincount(y)
    k = min(folds, int(counts[counts > 0].min()))
    if k < 2:
        raise TrainingError("every class needs at least 2 documents for cross-fitting")
    ids = np.zeros(len(y), dtype=np.int64)
    splitter = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)
    for fold, (_, rows) in enumerate(splitter.split(np.zeros(len(y)), y)):
        ids[rows] = fold
    return ids


@dataclass
class OutOfFold:
    """Out-of-fold logits per member for `rows`, and the fold of each row."""

    logits: dict[str, np.ndarray]
    folds: np.ndarray


def prepare(kinds: Sequence[MemberKind], docs: Docs,
            step: Progress | None = None) -> dict[str, object]:
    """Every member's label-free features of every document, computed once."""
    prepared = {}
    for kind in kinds:
        if step:
            step(f"{kind.name}: features")
        prepared[kind.name] = kind.prepare(docs)
    return prepared


def out_of_fold(kinds: Sequence[MemberKind], prepared: dict[str, object], rows: np.ndarray,
                y: np.ndarray, labels: list[str], folds: np.ndarray,
                step: Progress | None = None) -> OutOfFold:
    """Logits for the documents at `rows` (y and folds aligned with rows), each from a member
    trained on the other folds."""
    logits = {kind.name: np.zeros((len(rows), len(labels))) for kind in kinds}
    for fold in range(int(folds.max()) + 1):
        train, held = folds != fold, folds == fold
        for kind in kinds:
            if step:
                step(f"{kind.name}: fold {fold + 1}/{folds.max() + 1}")
            member = kind.fit(prepared[kind.name], rows[train], y[train], labels)
            logits[kind.name][held] = kind.logits(member, prepared[kind.name], rows[held])
    return OutOfFold(logits, folds)


def member_log_probs(logits: dict[str, np.ndarray],
                     temperatures: dict[str, float]) -> dict[str, np.ndarray]:
    return {name: log_softmax(z, temperatures[name]) for name, z in logits.items()}


def combine(log_probs: dict[str, np.ndarray], weights: dict[str, float]) -> np.ndarray:
    """Ensemble probabilities: softmax of the weighted sum of members' log-probabilities."""
    z = sum(weights[name] * log_probs[name] for name in weights)
    return softmax(np.asarray(z))


def fit_weights(log_probs: dict[str, np.ndarray], y: np.ndarray) -> dict[str, float]:
    """Non-negative member weights minimising the log-loss of `combine`, with one pseudo-error
    (the Laplace smoothing of `fit_temperature`). Their sum acts as the ensemble's inverse
    temperature, so no separate temperature is needed."""
    names = sorted(log_probs)
    stack = np.stack([log_probs[n] for n in names])  # members x docs x classes
    n, k = len(y), stack.shape[2]
    smoothing = 1.0 / (n + 2)
    target = np.full((n, k), smoothing / max(k - 1, 1))
    target[np.arange(n), y] = 1.0 - smoothing

    def loss(w: np.ndarray) -> float:
        return float(-(target * log_softmax(np.tensordot(w, stack, axes=1))).sum(axis=1).mean())

    start = np.full(len(names), 1.0 / len(names))
    result = minimize(loss, start, method="L-BFGS-B", bounds=[(0.0, 20.0)] * len(names))
    return {name: float(w) for name, w in zip(names, result.x, strict=True)}


def nested_ensemble_probs(log_probs: dict[str, np.ndarray], y: np.ndarray,
                          folds: np.ndarray) -> np.ndarray:
    """Ensemble probabilities for every document with weights fitted without its fold."""
    probs = np.zeros(next(iter(log_probs.values())).shape)
    for fold in range(int(folds.max()) + 1):
        held, rest = folds == fold, folds != fold
        weights = fit_weights({n: lp[rest] for n, lp in log_probs.items()}, y[rest])
        probs[held] = combine({n: lp[held] for n, lp in log_probs.items()}, weights)
    return probs


def nested_member_probs(logits: np.ndarray, y: np.ndarray, folds: np.ndarray) -> np.ndarray:
    """One member's probabilities with a temperature fitted without each document's fold."""
    probs = np.zeros(logits.shape)
    for fold in range(int(folds.max()) + 1):
        held, rest = folds == fold, folds != fold
        probs[held] = softmax(logits[held], fit_temperature(logits[rest], y[rest]))
    return probs
