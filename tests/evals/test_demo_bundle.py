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
    assert set(classifier.members) == {"baseline", "char"}
    assert classifier.classify("MEMORANDUM TO: All staff FROM: Ben").model == "ensemble"


def test_demo_bundle_is_certified_and_shows_every_route(tmp_path: Path) -> None:
    """Certified like any bundle, never certain, and the demo's mixed page is left to a person
    while a plain one auto-approves."""
    from agent.ocr.service import OcrService
    from agent.ocr.signals import document_signals
    from evals.samples import generate, generate_mixed

    settings = Settings(data_dir=tmp_path / "var")
    ensure_active_bundle(settings, n_per_class=20, with_bert=False, progress=False)
    classifier = load_active(settings.bundle_dir, settings.classifier)
    gate = classifier.gate
    assert gate is not None and gate.certified and gate.cells["all"].accepted >= 149
    ocr = OcrService(settings)
    plain = generate(tmp_path / "docs", n_per_class=1, seed=7, classes=("memo",),
                     formats=("png",))[0].files[0]
    mixed = generate_mixed(tmp_path / "docs", "memo", "invoice", seed=7)
    verdicts = {}
    for path in (plain, mixed):
        result = ocr.ocr_file(path)
        prediction = classifier.classify(result.text, document_signals(result, path.read_bytes()))
        assert prediction.confidence < 1.0
        verdicts[path.name] = prediction.confidence >= prediction.auto_threshold
    assert verdicts == {plain.name: True, mixed.name: False}
