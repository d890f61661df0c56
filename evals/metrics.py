"""Decision-quality metrics from per-document eval rows. Pure functions, hand-checkable."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

import numpy as np


def confusion(truth: Sequence[str], predicted: Sequence[str], labels: list[str]) -> list[list[int]]:
    index = {label: i for i, label in enumerate(labels)}
    matrix = [[0] * len(labels) for _ in labels]
    for t, p in zip(truth, predicted, strict=True):
        if t in index and p in index:
            matrix[index[t]][index[p]] += 1
    return matrix


def per_class(truth: Sequence[str], predicted: Sequence[str],
              labels: list[str]) -> dict[str, dict[str, float]]:
    out = {}
    for label in labels:
        tp = sum(1 for t, p in zip(truth, predicted, strict=True) if t == p == label)
        fp = sum(1 for t, p in zip(truth, predicted, strict=True) if p == label and t != label)
        fn = sum(1 for t, p in zip(truth, predicted, strict=True) if t == label and p != label)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        out[label] = {"precision": precision, "recall": recall, "f1": f1, "support": tp + fn}
    return out


def macro_f1(truth: Sequence[str], predicted: Sequence[str], labels: list[str]) -> float:
    scores = [v["f1"] for v in per_class(truth, predicted, labels).values() if v["support"]]
    return float(np.mean(scores)) if scores else 0.0


def accuracy(truth: Sequence[str], predicted: Sequence[str]) -> float:
    return float(np.mean([t == p for t, p in zip(truth, predicted, strict=True)])) if truth else 0.0


def expected_calibration_error(confidence: Sequence[float], correct: Sequence[bool],
                               bins: int = 15) -> float:
    conf, hit = np.asarray(confidence, float), np.asarray(correct, float)
    if conf.size == 0:
        return 0.0
    edges = np.linspace(0, 1, bins + 1)
    ece = 0.0
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        mask = (conf > lo) & (conf <= hi) if lo > 0 else (conf >= lo) & (conf <= hi)
        if mask.any():
            ece += mask.mean() * abs(conf[mask].mean() - hit[mask].mean())
    return float(ece)


def reliability(confidence: Sequence[float], correct: Sequence[bool],
                bins: int = 10) -> list[dict[str, float]]:
    conf, hit = np.asarray(confidence, float), np.asarray(correct, float)
    edges = np.linspace(0, 1, bins + 1)
    out = []
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        mask = (conf > lo) & (conf <= hi)
        if mask.any():
            out.append({"lo": float(lo), "hi": float(hi), "confidence": float(conf[mask].mean()),
                        "accuracy": float(hit[mask].mean()), "count": int(mask.sum())})
    return out


def risk_coverage(confidence: Sequence[float], correct: Sequence[bool]) -> list[dict[str, float]]:
    """Accept the most confident documents first: precision and coverage at each cut."""
    order = np.argsort(-np.asarray(confidence, float), kind="stable")
    conf, hit = np.asarray(confidence, float)[order], np.asarray(correct, float)[order]
    cumulative = np.cumsum(hit)
    n = len(conf)
    return [{"threshold": float(conf[i]), "coverage": (i + 1) / n,
             "precision": float(cumulative[i] / (i + 1))} for i in range(n)]


def coverage_at(confidence: Sequence[float], correct: Sequence[bool], precision: float) -> float:
    """Largest share of documents that can be auto-approved keeping precision >= target.

    Cuts are only made between distinct confidence values (a threshold cannot split ties)."""
    curve = risk_coverage(confidence, correct)
    best = 0.0
    for i, point in enumerate(curve):
        tie_continues = i + 1 < len(curve) and curve[i + 1]["threshold"] == point["threshold"]
        if not tie_continues and point["precision"] >= precision:
            best = point["coverage"]
    return best


def percentiles(values: Sequence[float]) -> dict[str, float]:
    if not values:
        return {"p50": 0.0, "p95": 0.0, "p99": 0.0, "n": 0}
    arr = np.asarray(values, float)
    return {"p50": float(np.percentile(arr, 50)), "p95": float(np.percentile(arr, 95)),
            "p99": float(np.percentile(arr, 99)), "n": int(arr.size)}


def precision_interval(right: int, n: int) -> list[float] | None:
    """Two-sided 95 % Clopper-Pearson interval of a measured precision."""
    from classifiers.certify import clopper_pearson_interval

    bounds = clopper_pearson_interval(right, n)
    return None if bounds is None else list(bounds)


def summarize(rows: list[dict[str, Any]], labels: list[str], bundle_id: str,
              wall_seconds: float, certificate: dict[str, Any] | None = None) -> dict[str, Any]:
    """The report.json metrics from per-document rows (see evals.runner for their shape).

    `certificate` is the bundle gate's promise (`AutoApprovalGate.summary()`): the report puts
    the measured auto-approved precision, with its 95 % interval, beside it."""
    scored = [r for r in rows if r.get("predicted") is not None]
    truth = [r["truth"] for r in scored]
    predicted = [r["predicted"] for r in scored]
    confidence = [r["confidence"] for r in scored]
    correct = [t == p for t, p in zip(truth, predicted, strict=True)]
    all_labels = sorted(set(labels) | set(truth))
    auto = [r for r in rows if r["auto_approved"]]
    bands = Counter(r["band"] for r in rows)
    by_band: dict[str, list[bool]] = defaultdict(list)
    for r in rows:
        by_band[r["band"]].append(r["system_label"] == r["truth"])
    escalated = [r for r in rows if r.get("llm_label") is not None or r["band"] in
                 ("ambiguous", "ungrounded", "escalated") and r.get("predicted") is not None]
    node_latency: dict[str, list[float]] = defaultdict(list)
    for r in rows:
        for node, ms in r.get("node_ms", {}).items():
            node_latency[node].append(ms)
        if r.get("llm_ms"):  # an LLM answered (not from the cache)
            node_latency["llm"].append(r["llm_ms"])
    return {
        "n_docs": len(rows),
        "bundle_id": bundle_id,
        "accuracy": accuracy(truth, predicted),
        "macro_f1": macro_f1(truth, predicted, all_labels),
        "ece": expected_calibration_error(confidence, correct),
        "coverage_at_98": coverage_at(confidence, correct, 0.98),
        "coverage_at_99": coverage_at(confidence, correct, 0.99),
        "auto_precision": (float(np.mean([r["system_label"] == r["truth"] for r in auto]))
                           if auto else 0.0),
        "auto_precision_ci95": precision_interval(
            sum(r["system_label"] == r["truth"] for r in auto), len(auto)),
        "auto_coverage": len(auto) / len(rows) if rows else 0.0,
        **fields_auto_precision(rows),
        "certificate": certificate,
        "final_accuracy": float(np.mean([r["final_label"] == r["truth"] for r in rows]))
        if rows else 0.0,
        "routing": {band: count / len(rows) for band, count in sorted(bands.items())},
        "accuracy_by_band": {band: float(np.mean(v)) for band, v in sorted(by_band.items())},
        "llm": _llm_stats(escalated),
        "fields": _field_stats(rows),
        "review_actions": dict(Counter(r["review_action"] for r in rows if r["review_action"])),
        "latency_ms": {"end_to_end": percentiles([r["total_ms"] for r in rows]),
                       **{n: percentiles(v) for n, v in sorted(node_latency.items())}},
        "docs_per_min": 60 * len(rows) / wall_seconds if wall_seconds else 0.0,
        "tokens": {"prompt": sum(r.get("prompt_tokens", 0) for r in rows),
                   "completion": sum(r.get("completion_tokens", 0) for r in rows)},
        "per_class": per_class(truth, predicted, all_labels),
        "labels": all_labels,
        "confusion_matrix": confusion(truth, predicted, all_labels),
        "reliability": reliability(confidence, correct),
        "risk_coverage": _thin(risk_coverage(confidence, correct)),
    }


KEY_FIELDS = ("vendor", "date", "total")
"""The fields a finance decision rests on (issuer, date, amount): `fields_auto_precision` asks
that all of those with ground truth be right."""


def fields_auto_precision(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Of the auto-approved documents that have ground-truth fields, the share whose key fields
    were all right (end to end), with its 95 % interval; None when none was auto-approved."""
    auto = [r for r in rows if r["auto_approved"] and r.get("field_match")]
    right = sum(all(r["field_match"][n] for n in KEY_FIELDS if n in r["field_match"])
                for r in auto)
    with_fields = [r for r in rows if r.get("field_match")]
    return {"fields_auto_precision": right / len(auto) if auto else None,
            "fields_auto_precision_ci95": precision_interval(right, len(auto)),
            "fields_auto_n": len(auto),
            "fields_auto_coverage": len(auto) / len(with_fields) if with_fields else None}


def _llm_stats(rows: list[dict[str, Any]]) -> dict[str, float]:
    asked = [r for r in rows if r.get("llm_label") is not None]
    grounded = [r for r in asked if r.get("llm_grounded")]
    return {
        "escalated": len(rows),
        "asked": len(asked),
        "classifier_accuracy": float(np.mean([r["predicted"] == r["truth"] for r in rows]))
        if rows else 0.0,
        "llm_accuracy": float(np.mean([r["llm_label"] == r["truth"] for r in grounded]))
        if grounded else 0.0,
        "agreement": float(np.mean([r["llm_label"] == r["predicted"] for r in grounded]))
        if grounded else 0.0,
        "rejections": len(asked) - len(grounded),
    }


def _field_stats(rows: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Exact match after normalisation, end to end and given the true type."""
    out: dict[str, dict[str, float]] = {}
    with_truth = [r for r in rows if r.get("field_match")]
    names = sorted({n for r in with_truth for n in r["field_match"]})
    for name in names:
        e2e = [r["field_match"][name] for r in with_truth if name in r["field_match"]]
        given = [r["field_match_true_type"][name] for r in with_truth
                 if name in r.get("field_match_true_type", {})]
        out[name] = {"end_to_end": float(np.mean(e2e)) if e2e else 0.0,
                     "given_true_type": float(np.mean(given)) if given else 0.0, "n": len(e2e)}
    return out


def _thin(curve: list[dict[str, float]], points: int = 200) -> list[dict[str, float]]:
    if len(curve) <= points:
        return curve
    step = len(curve) / points
    return [curve[int(i * step)] for i in range(points)] + [curve[-1]]
