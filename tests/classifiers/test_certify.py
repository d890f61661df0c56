import numpy as np
import pytest

from classifiers.certify import (
    NEVER,
    certify_threshold,
    clopper_pearson_upper,
    min_accepted,
)
from classifiers.gate import GateOptions, apply_gate, fit_gate


def test_clopper_pearson_matches_the_closed_form_with_no_error() -> None:
    # With 0 errors in n the bound is 1 - delta^(1/n).
    for n in (10, 149, 1000):
        assert clopper_pearson_upper(0, n, 0.05) == pytest.approx(1 - 0.05 ** (1 / n))
    assert clopper_pearson_upper(3, 3, 0.05) == 1.0
    assert clopper_pearson_upper(0, 0, 0.05) == 1.0


def test_min_accepted_is_the_first_clean_sample_size_that_certifies() -> None:
    floor = min_accepted(0.98, 0.05)
    assert floor == 149
    assert clopper_pearson_upper(0, floor, 0.05) <= 0.02 < clopper_pearson_upper(0, floor - 1,
                                                                                 0.05)


def test_a_clean_record_certifies_the_lowest_threshold_it_can() -> None:
    conf = np.linspace(0.5, 1.0, 300)
    correct = np.ones(300, dtype=bool)
    cert = certify_threshold(conf, correct, 0.98, 0.05)
    assert cert.certified and cert.accepted == 300 and cert.errors == 0
    assert cert.threshold == pytest.approx(0.5)
    assert cert.error_bound <= 0.02


def test_too_few_documents_certify_nothing_and_say_how_many_more() -> None:
    conf = np.linspace(0.5, 1.0, 100)
    cert = certify_threshold(conf, np.ones(100, dtype=bool), 0.98, 0.05)
    assert not cert.certified and cert.threshold == NEVER
    assert cert.needed_more == 49  # 149 clean documents certify
    assert "149" in cert.note


def test_fixed_sequence_stops_at_the_first_threshold_that_fails() -> None:
    # 200 clean high-confidence documents, then a block of errors, then clean ones again:
    # lower thresholds would look fine on average but the sequence must not jump the gap.
    conf = np.linspace(1.0, 0.0, 1000)
    correct = np.ones(1000, dtype=bool)
    correct[200:230] = False
    cert = certify_threshold(conf, correct, 0.98, 0.05)
    assert cert.certified
    assert cert.accepted < 230
    assert cert.errors / cert.accepted <= 0.02


def test_the_guarantee_holds_in_simulation() -> None:
    """Over many calibration samples, the chosen threshold's true error exceeds 1 - target in
    at most about delta of them (here: the confidence is the true probability of being right)."""
    rng = np.random.default_rng(0)
    target, delta, violations, runs = 0.95, 0.1, 0, 300
    for _ in range(runs):
        conf = rng.uniform(0.6, 1.0, 800)
        correct = rng.uniform(size=800) < conf
        cert = certify_threshold(conf, correct, target, delta)
        if not cert.certified:
            continue
        t = cert.threshold  # true error of everything >= t: mean of 1 - c over U(t, 1)
        true_error = (1 - t) / 2
        violations += true_error > 1 - target
    assert violations / runs <= delta + 0.03


def test_per_cell_gates_split_delta_and_apply_their_own_thresholds() -> None:
    rng = np.random.default_rng(1)
    n = 2000
    probs = rng.dirichlet(np.ones(3) * 0.3, size=n)
    y = probs.argmax(axis=1)  # always right: every cell certifies
    ocr = rng.uniform(20, 90, size=n)
    gate = fit_gate(probs, y, ["a", "b", "c"], ocr, GateOptions(scheme="ocr_quality"))
    assert set(gate.cells) == {"ocr_low", "ocr_high"}
    assert all(c.delta == pytest.approx(0.025) for c in gate.cells.values())
    approved = apply_gate(gate, probs, ["a", "b", "c"], ocr)
    assert approved.sum() == gate.accepted and gate.errors == 0
    by_class = fit_gate(probs, y, ["a", "b", "c"], ocr, GateOptions(scheme="class"))
    assert set(by_class.cells) == {"class:a", "class:b", "class:c"}
    assert by_class.threshold("b", None)[0] == "class:b"


def test_a_gate_that_cannot_certify_approves_nothing() -> None:
    probs = np.full((50, 2), 0.5)
    probs[:, 0] += 0.1
    probs[:, 1] -= 0.1
    gate = fit_gate(probs, np.zeros(50, dtype=int), ["a", "b"], None, GateOptions())
    assert not gate.certified
    assert not apply_gate(gate, probs, ["a", "b"], None).any()
    assert gate.cells["all"].needed_more == 99
