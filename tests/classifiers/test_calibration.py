import numpy as np

from classifiers.calibration import expected_calibration_error, fit_temperature, softmax


def _sample(temperature: float, n: int = 4000, k: int = 5, seed: int = 0):
    """Labels drawn from softmax(logits / T): the right temperature for `logits` is T."""
    rng = np.random.default_rng(seed)
    logits = rng.normal(0, 3, size=(n, k))
    probs = softmax(logits, temperature)
    labels = np.array([rng.choice(k, p=p) for p in probs])
    return logits, labels


def test_fit_temperature_recovers_the_generating_temperature() -> None:
    for true_t in (0.5, 2.5):
        logits, labels = _sample(true_t)
        assert abs(fit_temperature(logits, labels) - true_t) / true_t < 0.15


def test_temperature_scaling_lowers_ece_of_overconfident_scores() -> None:
    logits, labels = _sample(3.0, seed=1)
    t = fit_temperature(logits, labels)
    before = expected_calibration_error(softmax(logits), labels)
    after = expected_calibration_error(softmax(logits, t), labels)
    assert before > 0.1
    assert after < before / 3


def test_softmax_rows_sum_to_one() -> None:
    probs = softmax(np.array([[1000.0, 0.0, -5.0], [0.1, 0.2, 0.3]]), 0.7)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0)


def test_ece_of_perfectly_confident_correct_predictions_is_zero() -> None:
    probs = np.eye(3)[[0, 1, 2, 1]]
    assert expected_calibration_error(probs, np.array([0, 1, 2, 1])) == 0.0
    assert expected_calibration_error(probs, np.array([1, 1, 2, 1])) == 0.25


def test_a_perfectly_separated_validation_set_does_not_saturate_confidences() -> None:
    """Plain NLL falls for ever as T -> 0 when no example is wrong: T hit the lower bound and
    every confidence was 1.0 (the demo bundle's T was 0.011)."""
    rng = np.random.default_rng(3)
    n, k = 24, 8
    labels = rng.integers(0, k, n)
    logits = rng.normal(0, 1, size=(n, k))
    logits[np.arange(n), labels] = logits.max(axis=1) + 2.0  # every example right by a margin
    t = fit_temperature(logits, labels)
    confidence = softmax(logits, t).max(axis=1)
    assert t > 0.2
    assert confidence.max() < 0.999
    assert abs(confidence.mean() - (1 - 1 / (n + 2))) < 0.05  # what n right answers support
