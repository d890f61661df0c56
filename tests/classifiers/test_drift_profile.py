"""Drift references: PSI, binning, and the profile every trained bundle carries."""

from __future__ import annotations

import json

import numpy as np
import pytest

from classifiers.bundle import INFO, Registry, read_info, seal
from classifiers.drift import (
    TEXT_EDGES,
    categorical_histogram,
    histogram_psi,
    like,
    numeric_histogram,
    psi,
)
from classifiers.inference import load_bundle
from classifiers.train import TrainedModels


def test_psi_is_zero_for_the_same_distribution_and_grows_with_the_shift() -> None:
    reference = [0.25, 0.25, 0.25, 0.25]
    assert psi(reference, reference) == pytest.approx(0.0)
    small = psi(reference, [0.3, 0.25, 0.25, 0.2])
    large = psi(reference, [0.7, 0.1, 0.1, 0.1])
    assert 0 < small < 0.1 < 0.25 < large


def test_psi_matches_the_textbook_formula() -> None:
    ref, now = np.array([0.5, 0.3, 0.2]), np.array([0.2, 0.3, 0.5])
    assert psi(ref, now) == pytest.approx(float(np.sum((now - ref) * np.log(now / ref))))


def test_psi_stays_finite_when_a_bin_empties() -> None:
    assert np.isfinite(psi([0.5, 0.5, 0.0], [0.0, 0.5, 0.5]))


def test_a_bin_the_reference_missed_is_smoothed_by_its_count() -> None:
    reference = categorical_histogram(["a"] * 80 + ["b"] * 80, ["a", "b", "c"])
    few_new = categorical_histogram(["a"] * 95 + ["b"] * 95 + ["c"] * 10, ["a", "b", "c"])
    many_new = categorical_histogram(["a"] * 60 + ["b"] * 60 + ["c"] * 80, ["a", "b", "c"])
    assert histogram_psi(reference, reference) == pytest.approx(0.0)
    assert histogram_psi(reference, few_new) < psi(reference.shares, few_new.shares)
    assert histogram_psi(reference, few_new) < 0.25 < histogram_psi(reference, many_new)


def test_numeric_bins_are_left_closed_and_the_last_is_open() -> None:
    hist = numeric_histogram([0.0, 49.0, 50.0, 1e6, None], TEXT_EDGES)
    assert hist.n == 4 and hist.shares[0] == 0.5 and hist.shares[1] == 0.25
    assert hist.shares[-1] == 0.25


def test_unknown_labels_fall_in_other() -> None:
    hist = categorical_histogram(["a", "b", "zzz"], ["a", "b"])
    assert hist.categories == ["a", "b", "other"]
    assert hist.shares == pytest.approx([1 / 3] * 3)
    assert like(hist, ["a", "a"]).shares == [1.0, 0.0, 0.0]


def test_a_trained_bundle_carries_its_reference_profile(
        bundle: tuple[Registry, str], trained: TrainedModels) -> None:
    registry, bundle_id = bundle
    profile = load_bundle(registry.path(bundle_id)).info.profile
    assert profile is not None and profile.n == len(trained.y)
    assert set(profile.signals) == {"confidence", "label", "ocr_confidence", "text_chars"}
    for hist in profile.signals.values():
        assert sum(hist.shares) == pytest.approx(1.0) and hist.n == profile.n
    assert profile.signals["label"].categories == [*trained.labels, "other"]
    assert profile.gate_pass_share == pytest.approx(trained.gate.coverage)


def test_a_bundle_without_a_profile_loads(bundle_copy: tuple[Registry, str]) -> None:
    registry, bundle_id = bundle_copy
    folder = registry.path(bundle_id)
    info = json.loads((folder / INFO).read_text())
    info.pop("profile")
    (folder / INFO).write_text(json.dumps(info))
    seal(folder)
    assert read_info(folder).profile is None
    assert load_bundle(folder).info.profile is None
