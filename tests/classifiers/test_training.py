"""Cross-fitting, calibration and the certified gate of a tiny model on generated documents."""

from __future__ import annotations

import numpy as np

from classifiers.calibration import expected_calibration_error, softmax
from classifiers.corpus import Corpus
from classifiers.crossfit import fit_weights, fold_ids
from classifiers.gate import apply_gate
from classifiers.members import Docs
from classifiers.train import TrainedModels, ensemble_probabilities


def _y(trained: TrainedModels, corpus: Corpus) -> np.ndarray:
    index = {label: i for i, label in enumerate(trained.labels)}
    return np.array([index[label] for label in corpus.labels])


def test_every_document_is_predicted_out_of_fold(trained: TrainedModels) -> None:
    counts = np.bincount(trained.folds)
    assert len(counts) == 4 and counts.min() >= 35  # 160 documents, 4 stratified folds
    for name, probs in trained.oof_probs.items():
        assert probs.shape == (len(trained.y), len(trained.labels)), name
        assert np.allclose(probs.sum(axis=1), 1.0)


def test_temperature_lowers_ece_on_heldout_documents(
    trained: TrainedModels, heldout_corpus: Corpus
) -> None:
    docs = Docs(heldout_corpus.texts, heldout_corpus.signals)
    y = _y(trained, heldout_corpus)
    for name in ("baseline", "char"):
        logits = trained.members[name].logits(docs)
        before = expected_calibration_error(softmax(logits), y)
        after = expected_calibration_error(softmax(logits, trained.temperatures[name]), y)
        assert after < before, (name, before, after)


def test_the_gate_is_certified_on_out_of_fold_predictions(trained: TrainedModels) -> None:
    gate = trained.gate
    cell = gate.cells["all"]
    assert gate.certified and cell.n == len(trained.y) == 160
    assert cell.error_bound <= 1 - gate.target_precision
    approved = apply_gate(gate, trained.oof_probs["ensemble"], trained.labels, None)
    assert approved.sum() == cell.accepted == gate.accepted >= 149
    correct = trained.oof_probs["ensemble"].argmax(axis=1) == trained.y
    assert (~correct[approved]).sum() == cell.errors


def test_models_learn_the_generated_classes(trained: TrainedModels,
                                            heldout_corpus: Corpus) -> None:
    probs = ensemble_probabilities(trained, Docs(heldout_corpus.texts, heldout_corpus.signals))
    y = _y(trained, heldout_corpus)
    assert (probs.argmax(axis=1) == y).mean() >= 0.9
    assert probs.max() < 1.0  # calibrated with a pseudo-error: never certain


def test_weights_follow_the_informative_member() -> None:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 4, size=400)
    informative = np.log(softmax(np.eye(4)[y] * 3 + rng.normal(0, 1, size=(400, 4))))
    noise = np.log(softmax(rng.normal(0, 1, size=(400, 4))))
    weights = fit_weights({"good": informative, "noise": noise}, y)
    assert weights["good"] > 1.0 and weights["noise"] < 0.1 * weights["good"]


def test_folds_shrink_to_the_smallest_class() -> None:
    y = np.array([0] * 10 + [1] * 3)
    folds = fold_ids(y, 5, seed=0)
    assert folds.max() + 1 == 3
    assert all(len(set(folds[y == c])) == len(set(folds)) for c in (0, 1))
