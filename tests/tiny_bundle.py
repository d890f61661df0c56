"""One tiny bundle trained on generated documents, once per test session, for every test
that needs a real classifier (classifier tests, the graph end to end, the eval harness)."""

from __future__ import annotations

import os

import pytest

from classifiers.bundle import Registry
from classifiers.corpus import Corpus, load_corpus
from classifiers.options import ClassifierSettings
from classifiers.train import TrainedModels, fit_models, write_bundle
from evals.samples import generate

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

TINY = ClassifierSettings(
    max_length=32, epochs=0, batch_size=8, learning_rate=1e-4, folds=4, seed=5,
    torch_threads=2, inference_batch_size=16, members=["baseline", "char", "bert"],
)


@pytest.fixture(scope="session")
def sample_corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    root = tmp_path_factory.mktemp("samples")
    # 8 classes x 20: enough to certify 98 % at 95 % confidence (149 clean documents at least)
    generate(root, n_per_class=20, seed=1, formats=("txt",))
    return load_corpus(root, progress=False)


@pytest.fixture(scope="session")
def heldout_corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    root = tmp_path_factory.mktemp("heldout")
    generate(root, n_per_class=4, seed=2, formats=("txt",))
    return load_corpus(root, progress=False)


@pytest.fixture(scope="session")
def trained(sample_corpus: Corpus) -> TrainedModels:
    return fit_models(sample_corpus, TINY, progress=False)


@pytest.fixture(scope="session")
def bundle(tmp_path_factory: pytest.TempPathFactory, sample_corpus: Corpus,
           trained: TrainedModels) -> tuple[Registry, str]:
    """A registry holding one sealed bundle (not yet active)."""
    registry = Registry(tmp_path_factory.mktemp("bundles"))
    return registry, write_bundle(trained, sample_corpus, TINY, registry)
