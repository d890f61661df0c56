"""The mean-pooled BERT: class weights, the linear-probe start, saving, and legacy bundles."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from classifiers.base_models import resolve_base_model
from classifiers.bert import BertClassifier, FineTuneConfig, LegacyPooledClassifier, class_weights
from classifiers.corpus import Corpus
from tests.tiny_bundle import TINY


def test_class_weights_balance_counts_and_ignore_absent_classes() -> None:
    weights = class_weights(np.array([0, 0, 0, 1, 2, 2]), 4)
    assert np.allclose(weights, [6 / 9, 2.0, 1.0, 1.0])
    counts = np.array([3, 1, 2])
    assert np.isclose((weights[:3] * counts).sum(), counts.sum())  # total weight unchanged
    assert np.allclose(class_weights(np.array([0, 1, 0, 1]), 2), [1.0, 1.0])


def _untrained(labels: list[str]) -> BertClassifier:
    return BertClassifier.from_base(resolve_base_model(TINY.base_model), labels,
                                    TINY.max_length, TINY.head_fraction, seed=TINY.seed)


def test_linear_probe_alone_separates_generated_documents(
    sample_corpus: Corpus, heldout_corpus: Corpus
) -> None:
    """Frozen embeddings + the probe's layer, before any fine-tuning step, already classify."""
    labels = sample_corpus.label_set
    index = {label: i for i, label in enumerate(labels)}
    bert = _untrained(labels)
    before = bert.logits(heldout_corpus.texts)
    y = np.array([index[label] for label in sample_corpus.labels])
    bert.fit_probe(bert.token_ids(sample_corpus.texts), y, FineTuneConfig(), progress=False)
    held_y = np.array([index[label] for label in heldout_corpus.labels])
    after = bert.logits(heldout_corpus.texts)
    assert (after.argmax(axis=1) == held_y).mean() >= 0.8
    assert (after.argmax(axis=1) == held_y).mean() > (before.argmax(axis=1) == held_y).mean()


def test_fine_tuned_model_round_trips_through_save(sample_corpus: Corpus, tmp_path: Path,
                                                   heldout_corpus: Corpus) -> None:
    labels = sample_corpus.label_set
    y = [labels.index(label) for label in sample_corpus.labels]
    bert = _untrained(labels)
    bert.fine_tune(sample_corpus.texts[::4], y[::4], FineTuneConfig(epochs=1, batch_size=8),
                   progress=False)
    bert.save(tmp_path / "bert")
    assert (tmp_path / "bert" / "head.safetensors").is_file()
    loaded = BertClassifier.load(tmp_path / "bert", TINY.max_length, TINY.head_fraction)
    assert loaded.labels == labels
    texts = heldout_corpus.texts[:8]
    assert np.allclose(loaded.logits(texts), bert.logits(texts), atol=1e-5)


def test_bundles_from_before_mean_pooling_still_load(tmp_path: Path) -> None:
    """A [CLS]-pooled AutoModelForSequenceClassification folder answers through the adapter."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    base = resolve_base_model(TINY.base_model)
    legacy = AutoModelForSequenceClassification.from_pretrained(
        str(base), num_labels=2, id2label={0: "memo", 1: "letter"},
        label2id={"memo": 0, "letter": 1})
    legacy.save_pretrained(str(tmp_path), safe_serialization=True)
    AutoTokenizer.from_pretrained(str(base)).save_pretrained(str(tmp_path))
    loaded = BertClassifier.load(tmp_path, TINY.max_length, TINY.head_fraction)
    assert isinstance(loaded.model, LegacyPooledClassifier)
    assert loaded.labels == ["memo", "letter"]
    batch = loaded._collate(loaded.token_ids(["MEMORANDUM to all staff"]))
    with torch.inference_mode():
        expected = legacy.eval()(**batch).logits.double().numpy()
    assert np.allclose(loaded.logits(["MEMORANDUM to all staff"]), expected, atol=1e-5)
