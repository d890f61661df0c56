"""Metrics on a hand-checkable example, and the regression gate."""

from __future__ import annotations

import pytest

from evals.compare import compare
from evals.metrics import (
    accuracy,
    confusion,
    coverage_at,
    expected_calibration_error,
    macro_f1,
    per_class,
    summarize,
)

# 6 documents: 4 right. invoice: 2 right, 1 called a receipt; receipt: 1 right, 1 called invoice;
# letter: 1 right.
TRUTH = ["invoice", "invoice", "invoice", "receipt", "receipt", "letter"]
PRED = ["invoice", "invoice", "receipt", "receipt", "invoice", "letter"]
LABELS = ["invoice", "letter", "receipt"]


def test_confusion_matrix_by_hand() -> None:
    assert confusion(TRUTH, PRED, LABELS) == [
        [2, 0, 1],  # true invoice
        [0, 1, 0],  # true letter
        [1, 0, 1],  # true receipt
    ]


def test_per_class_and_macro_f1_by_hand() -> None:
    stats = per_class(TRUTH, PRED, LABELS)
    assert stats["invoice"]["precision"] == pytest.approx(2 / 3)
    assert stats["invoice"]["recall"] == pytest.approx(2 / 3)
    assert stats["receipt"]["precision"] == pytest.approx(1 / 2)
    assert stats["letter"]["f1"] == 1.0
    assert macro_f1(TRUTH, PRED, LABELS) == pytest.approx((2 / 3 + 1.0 + 0.5) / 3)
    assert accuracy(TRUTH, PRED) == pytest.approx(4 / 6)


def test_coverage_at_precision_cuts_between_distinct_confidences() -> None:
    confidence = [0.99, 0.95, 0.90, 0.80, 0.70, 0.60]
    correct = [True, True, True, False, True, False]
    assert coverage_at(confidence, correct, 0.98) == pytest.approx(3 / 6)
    assert coverage_at(confidence, correct, 0.75) == pytest.approx(5 / 6)
    # a tie cannot be split: both 0.9s are in or out together
    assert coverage_at([0.99, 0.9, 0.9], [True, True, False], 0.98) == pytest.approx(1 / 3)


def test_ece_of_a_perfectly_calibrated_and_an_overconfident_model() -> None:
    assert expected_calibration_error([1.0, 1.0], [True, True]) == pytest.approx(0.0)
    assert expected_calibration_error([0.9] * 10, [True] * 5 + [False] * 5) == pytest.approx(0.4)


def _report(**over: float) -> dict:
    base = {"accuracy": 0.8, "macro_f1": 0.7, "coverage_at_98": 0.3, "coverage_at_99": 0.2,
            "auto_precision": 0.98, "ece": 0.05, "final_accuracy": 1.0, "docs_per_min": 30}
    return {**base, **over}


def test_gate_passes_on_equal_runs_and_fails_on_a_regression() -> None:
    assert not any(c.regressed for c in compare(_report(), _report(), 0.01))
    changes = {c.metric: c for c in compare(_report(), _report(accuracy=0.75), 0.01)}
    assert changes["accuracy"].regressed and changes["accuracy"].delta == pytest.approx(-0.05)
    assert not changes["macro_f1"].regressed
    within = compare(_report(), _report(coverage_at_98=0.295), 0.01)
    assert not any(c.regressed for c in within)
    # ece and speed are shown, never gated
    assert not any(c.regressed for c in compare(_report(), _report(docs_per_min=1), 0.01))


def test_llm_statistics_count_only_what_an_llm_answered() -> None:
    base = {"auto_approved": False, "review_action": "approve", "system_label": "invoice",
            "final_label": "invoice", "confidence": 0.5, "total_ms": 1.0}
    rows = [  # the policy sent one to a person; an LLM answered the other and was not trusted
        {**base, "truth": "invoice", "predicted": "invoice", "band": "escalated",
         "llm_label": None, "llm_grounded": None},
        {**base, "truth": "invoice", "predicted": "receipt", "band": "ungrounded",
         "llm_label": "invoice", "llm_grounded": False, "prompt_tokens": 100,
         "completion_tokens": 3, "llm_ms": 250.0},
    ]
    report = summarize(rows, ["invoice", "receipt"], "bundle", 1.0)
    assert report["routing"] == {"escalated": 0.5, "ungrounded": 0.5}
    llm = report["llm"]
    assert (llm["escalated"], llm["asked"], llm["rejections"]) == (2, 1, 1)
    assert report["tokens"] == {"prompt": 100, "completion": 3}
    assert report["latency_ms"]["llm"] == {"p50": 250.0, "p95": 250.0, "p99": 250.0, "n": 1}


def test_fields_auto_precision_counts_auto_approved_documents_with_all_key_fields_right() -> None:
    from evals.metrics import fields_auto_precision

    def row(auto: bool, **match: bool) -> dict:
        return {"auto_approved": auto, "field_match": match}

    rows = [row(True, vendor=True, date=True, total=True, address=False),  # address not key
            row(True, vendor=True, date=True, total=False),
            row(False, vendor=False, date=False, total=False),
            {"auto_approved": True}]  # no ground-truth fields: not counted
    out = fields_auto_precision(rows)
    assert out["fields_auto_precision"] == 0.5 and out["fields_auto_n"] == 2
    assert out["fields_auto_coverage"] == 2 / 3
    assert fields_auto_precision([row(False, total=True)])["fields_auto_precision"] is None
