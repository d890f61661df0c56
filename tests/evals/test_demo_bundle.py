"""The demo bundle a fresh machine gets from `papertrail serve` and `papertrail demo`."""

from __future__ import annotations

from pathlib import Path

from agent.settings import Settings
from classifiers.bundle import Registry
from classifiers.inference import load_active
from evals.demo_bundle import ensure_active_bundle


def test_demo_bundle_is_trained_once(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    first = ensure_active_bundle(settings, n_per_class=3, with_bert=False, progress=False)
    assert Registry(settings.bundle_dir).active_id() == first
    assert ensure_active_bundle(settings, n_per_class=3, with_bert=False) == first
    classifier = load_active(settings.bundle_dir, settings.classifier)
    assert classifier.classify("MEMORANDUM TO: All staff FROM: Ben").model == "baseline"
