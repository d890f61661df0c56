"""Blending BERT with the baseline: a weighted sum of calibrated log-probabilities."""

from __future__ import annotations

import numpy as np

from classifiers.calibration import log_softmax


def blend(bert_logits: np.ndarray, bert_temperature: float, baseline_logits: np.ndarray,
          baseline_temperature: float, weight: float) -> np.ndarray:
    """Ensemble logits: w * log p_bert + (1 - w) * log p_baseline (each temperature-scaled).

    The result is itself a logit vector; the ensemble gets its own temperature on top.
    """
    return weight * log_softmax(bert_logits, bert_temperature) + \
        (1.0 - weight) * log_softmax(baseline_logits, baseline_temperature)
