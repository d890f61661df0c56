import numpy as np

from classifiers.thresholds import NEVER, auto_threshold


def test_lowest_threshold_meeting_the_target() -> None:
    conf = np.array([0.99, 0.95, 0.9, 0.8, 0.7, 0.6])
    correct = np.array([1, 1, 1, 0, 1, 0], dtype=bool)
    auto = auto_threshold(conf, correct, 0.75)
    # Cutting at 0.7 approves 5 docs with 4 right (0.8); at 0.6, 4/6 < 0.75.
    assert auto.reached and auto.threshold == 0.7
    assert auto.precision == 0.8 and auto.coverage == 5 / 6
    assert auto_threshold(conf, correct, 1.0).threshold == 0.9


def test_no_threshold_reaches_the_target() -> None:
    auto = auto_threshold(np.array([0.9, 0.8]), np.array([False, True]), 0.98)
    assert not auto.reached and auto.threshold == NEVER and auto.threshold > 1.0
    assert auto.coverage == 0.0 and "nothing is auto-approved" in auto.note


def test_ties_are_approved_together() -> None:
    conf = np.array([0.9, 0.9, 0.5])
    correct = np.array([True, False, True])
    # Both 0.9s pass together (1/2 right), so 0.9 cannot reach 0.75.
    assert not auto_threshold(conf, correct, 0.75).reached
