"""Calibration and thresholds of a tiny model trained on generated documents."""

from __future__ import annotations

import numpy as np

from classifiers.calibration import expected_calibration_error, softmax
from classifiers.corpus import Corpus
from classifiers.ensemble import blend
from classifiers.train import TrainedModels


def _heldout_logits(trained: TrainedModels, corpus: Corpus) -> tuple[dict, np.ndarray]:
    index = {label: i for i, label in enumerate(trained.labels)}
    y = np.array([index[label] for label in corpus.labels])
    logits = {"baseline": trained.baseline.logits(corpus.texts),
              "bert": trained.bert.logits(corpus.texts)}
    t = trained.temperatures
    logits["ensemble"] = blend(logits["bert"], t["bert"], logits["baseline"], t["baseline"],
                               trained.ensemble_weight)
    return logits, y


def test_temperature_lowers_ece_on_heldout_documents(
    trained: TrainedModels, heldout_corpus: Corpus
) -> None:
    """Raw models only: the ensemble blends already-calibrated members, it has no 'before'."""
    logits, y = _heldout_logits(trained, heldout_corpus)
    for name in ("baseline", "bert"):
        before = expected_calibration_error(softmax(logits[name]), y)
        after = expected_calibration_error(softmax(logits[name], trained.temperatures[name]), y)
        assert after < before, (name, before, after)


def test_threshold_meets_target_precision_on_its_fitting_data(trained: TrainedModels) -> None:
    for name, metrics in trained.metrics.items():
        auto = metrics.auto
        probs = softmax(trained.val_logits[name], trained.temperatures[name])
        approved = probs.max(axis=1) >= auto.threshold
        if auto.reached:
            precision = (probs.argmax(axis=1) == trained.val_y)[approved].mean()
            assert precision >= auto.target_precision
            assert approved.mean() == auto.coverage
        else:
            assert not approved.any() and auto.threshold > 1.0


def test_models_learn_the_generated_classes(trained: TrainedModels, heldout_corpus: Corpus) -> None:
    logits, y = _heldout_logits(trained, heldout_corpus)
    # Generated documents are easy: the baseline must separate them; the 1-epoch BERT need not.
    assert (logits["baseline"].argmax(axis=1) == y).mean() >= 0.9
    assert (logits["ensemble"].argmax(axis=1) == y).mean() >= 0.9


def test_ensemble_weight_follows_the_informative_model() -> None:
    from classifiers.train import choose_ensemble_weight

    rng = np.random.default_rng(0)
    y = rng.integers(0, 4, size=400)
    informative = np.eye(4)[y] * 3 + rng.normal(0, 1, size=(400, 4))
    noise = rng.normal(0, 1, size=(400, 4))
    assert choose_ensemble_weight(informative, 1.0, noise, 1.0, y) == 1.0
    assert choose_ensemble_weight(noise, 1.0, informative, 1.0, y) == 0.0
