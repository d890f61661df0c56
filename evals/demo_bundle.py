"""A demo bundle for a fresh machine: trained on our own generated documents when none is active."""

from __future__ import annotations

import tempfile
from pathlib import Path

from agent.settings import Settings
from classifiers.bundle import Registry
from classifiers.corpus import load_corpus
from classifiers.train import train_bundle
from evals.samples import generate


def ensure_active_bundle(settings: Settings, n_per_class: int = 12, with_bert: bool = True,
                         epochs: int = 2, max_length: int = 128, progress: bool = True) -> str:
    """The active bundle id; trains and activates a small demo bundle first if there is none.

    The demo bundle learns the generated sample classes (invoice, receipt, purchase_order,
    bank_statement, contract, letter, memo, resume) from their text: about a minute on 2 cores
    with BERT, seconds with `with_bert=False`. It is a demo, not a model for real documents.
    """
    registry = Registry(settings.bundle_dir)
    active = registry.active_id()
    if active is not None and (registry.path(active) / "manifest.json").is_file():
        return active
    cfg = settings.classifier.model_copy(update={"epochs": epochs, "max_length": max_length})
    with tempfile.TemporaryDirectory(prefix="papertrail-demo-samples-") as tmp:
        generate(Path(tmp), n_per_class=n_per_class, seed=0, formats=("txt",))  # no real data
        corpus = load_corpus(Path(tmp), progress=False)
    return train_bundle(corpus, cfg, registry, with_bert=with_bert, activate=True,
                        progress=progress)
