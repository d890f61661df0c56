"""Train a bundle: split, fit the baseline and BERT, calibrate, pick thresholds, write, seal."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
import torch

from classifiers.base_models import resolve_base_model
from classifiers.baseline import BaselineClassifier
from classifiers.bert import BertClassifier, FineTuneConfig
from classifiers.bundle import BundleInfo, Registry, write_info
from classifiers.calibration import fit_temperature, nll
from classifiers.corpus import Corpus, Split, stratified_split
from classifiers.ensemble import blend
from classifiers.errors import TrainingError
from classifiers.metrics import Metrics, evaluate
from classifiers.options import ClassifierSettings


@dataclass
class TrainedModels:
    """The fitted models and their validation logits, before they are written to disk."""

    labels: list[str]
    baseline: BaselineClassifier
    bert: BertClassifier | None
    val_y: np.ndarray
    val_logits: dict[str, np.ndarray]
    temperatures: dict[str, float]
    metrics: dict[str, Metrics]
    primary: str
    ensemble_weight: float
    timings: dict[str, float] = field(default_factory=dict)


def fit_models(split: Split, cfg: ClassifierSettings, with_bert: bool = True,
               progress: bool = True, bert: BertClassifier | None = None) -> TrainedModels:
    """Fit baseline (+ BERT), temperatures and thresholds on `split`; nothing is written.

    Pass an already fine-tuned `bert` to reuse it (only calibration and the blend are refitted).
    """
    labels = split.train.label_set
    if set(split.validation.label_set) - set(labels):
        raise TrainingError("validation has labels the training split lacks")
    index = {label: i for i, label in enumerate(labels)}
    train_y = np.array([index[label] for label in split.train.labels])
    val_y = np.array([index[label] for label in split.validation.labels])
    timings: dict[str, float] = {}

    start = time.perf_counter()
    baseline = BaselineClassifier.fit(split.train.texts, train_y, labels, seed=cfg.seed)
    logits = {"baseline": baseline.logits(split.validation.texts)}
    timings["baseline_train_s"] = time.perf_counter() - start

    if bert is not None:
        if bert.labels != labels:
            raise TrainingError(f"the given BERT has labels {bert.labels}, the split {labels}")
        logits["bert"] = bert.logits(split.validation.texts, cfg.inference_batch_size)
    elif with_bert:
        torch.set_num_threads(cfg.torch_threads)
        start = time.perf_counter()
        bert = BertClassifier.from_base(resolve_base_model(cfg.base_model), labels,
                                        cfg.max_length, cfg.head_fraction, seed=cfg.seed)
        bert.fine_tune(split.train.texts, train_y.tolist(), FineTuneConfig(
            epochs=cfg.epochs, batch_size=cfg.batch_size, learning_rate=cfg.learning_rate,
            seed=cfg.seed), progress=progress)
        timings["bert_train_s"] = time.perf_counter() - start
        logits["bert"] = bert.logits(split.validation.texts, cfg.inference_batch_size)

    temps = {name: fit_temperature(z, val_y) for name, z in logits.items()}
    weight = 0.0
    if bert is not None:
        weight = cfg.ensemble_weight
        if weight is None:
            weight = choose_ensemble_weight(logits["bert"], temps["bert"], logits["baseline"],
                                            temps["baseline"], val_y)
        logits["ensemble"] = blend(logits["bert"], temps["bert"], logits["baseline"],
                                   temps["baseline"], weight)
        temps["ensemble"] = fit_temperature(logits["ensemble"], val_y)
    metrics = {name: evaluate(z, val_y, labels, temps[name], cfg.target_precision)
               for name, z in logits.items()}
    if bert is None or weight <= 0.0:
        primary = "baseline"
    elif weight >= 1.0:
        primary = "bert"
    else:
        primary = "ensemble"
    return TrainedModels(labels, baseline, bert, val_y, logits, temps, metrics, primary,
                         weight, timings)


def choose_ensemble_weight(bert_logits: np.ndarray, bert_t: float, base_logits: np.ndarray,
                           base_t: float, y: np.ndarray,
                           grid: tuple[float, ...] = (0.0, 0.25, 0.5, 0.75, 1.0)) -> float:
    """The BERT weight with the lowest validation log-loss (each blend temperature-scaled)."""
    def loss(w: float) -> float:
        z = blend(bert_logits, bert_t, base_logits, base_t, w)
        return nll(z, y, fit_temperature(z, y))

    return min(grid, key=loss)


def write_bundle(models: TrainedModels, corpus: Corpus, split: Split, cfg: ClassifierSettings,
                 registry: Registry) -> str:
    """Write the models and their metadata as a sealed bundle in `registry`; returns its id."""
    staged = registry.staging_dir()
    models.baseline.save(staged / "baseline")
    if models.bert is not None:
        models.bert.save(staged / "bert")
    info = BundleInfo(
        labels=models.labels,
        primary=models.primary,
        base_model=cfg.base_model if models.bert is not None else None,
        max_length=cfg.max_length,
        head_fraction=cfg.head_fraction,
        ensemble_weight=models.ensemble_weight,
        temperatures=models.temperatures,
        thresholds={name: m.auto for name, m in models.metrics.items()},
        metrics=models.metrics,
        corpus_hash=corpus.content_hash(),
        corpus_counts=corpus.counts(),
        n_train=len(split.train),
        n_validation=len(split.validation),
        training={**cfg.model_dump(), **models.timings},
        created_at=datetime.now(UTC),
    )
    write_info(staged, info)
    return registry.add(staged)


def train_bundle(corpus: Corpus, cfg: ClassifierSettings, registry: Registry,
                 with_bert: bool = True, activate: bool | None = None,
                 progress: bool = True) -> str:
    """The whole `papertrail train`: returns the new bundle id.

    `activate=None` activates the new bundle only when no bundle is active yet.
    """
    split = stratified_split(corpus, cfg.validation_fraction, cfg.seed)
    models = fit_models(split, cfg, with_bert=with_bert, progress=progress)
    bundle_id = write_bundle(models, corpus, split, cfg, registry)
    if activate or (activate is None and registry.active_id() is None):
        registry.activate(bundle_id)
    return bundle_id
