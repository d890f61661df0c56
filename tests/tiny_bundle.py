"""One tiny bundle trained on generated documents, once per test session, for every test
that needs a real classifier (classifier tests, the graph end to end, the eval harness)."""

from __future__ import annotations

import os

import pytest

from classifiers.bundle import Registry
from classifiers.corpus import Corpus, load_corpus, stratified_split
from classifiers.options import ClassifierSettings
from classifiers.train import TrainedModels, fit_models, write_bundle
from evals.samples import generate

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

TINY = ClassifierSettings(
    max_length=32, epochs=1, batch_size=8, learning_rate=1e-4, validation_fraction=0.3,
    seed=5, torch_threads=2, inference_batch_size=16, ensemble_weight=0.5,
)


@pytest.fixture(scope="session")
def sample_corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    root = tmp_path_factory.mktemp("samples")
    generate(root, n_per_class=6, seed=1, formats=("txt",))
    return load_corpus(root, progress=False)


@pytest.fixture(scope="session")
def heldout_corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    root = tmp_path_factory.mktemp("heldout")
    generate(root, n_per_class=4, seed=2, formats=("txt",))
    return load_corpus(root, progress=False)


@pytest.fixture(scope="session")
def trained(sample_corpus: Corpus) -> TrainedModels:
    split = stratified_split(sample_corpus, TINY.validation_fraction, TINY.seed)
    return fit_models(split, TINY, with_bert=True, progress=False)


@pytest.fixture(scope="session")
def bundle(tmp_path_factory: pytest.TempPathFactory, sample_corpus: Corpus,
           trained: TrainedModels) -> tuple[Registry, str]:
    """A registry holding one sealed bundle (not yet active)."""
    registry = Registry(tmp_path_factory.mktemp("bundles"))
    split = stratified_split(sample_corpus, TINY.validation_fraction, TINY.seed)
    return registry, write_bundle(trained, sample_corpus, split, TINY, registry)
