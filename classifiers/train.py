"""Train a bundle: cross-fit the members, calibrate and certify on out-of-fold predictions, train
the shipped members on every document, write, seal.

The shipped members are trained on all labelled documents, not kept as K fold models: one model
per member keeps inference at one pass (K fold models would cost K passes of BERT per
document), and a model trained on all the data is at least as accurate as the fold models its
certificate was measured on, so the certificate errs on the safe side.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
from tqdm import tqdm

from classifiers.bundle import BundleInfo, Registry, write_info
from classifiers.calibration import fit_temperature, softmax
from classifiers.corpus import Corpus
from classifiers.crossfit import (
    OutOfFold,
    fit_weights,
    fold_ids,
    member_log_probs,
    nested_ensemble_probs,
    nested_member_probs,
    out_of_fold,
    prepare,
)
from classifiers.drift import ReferenceProfile, build_profile
from classifiers.errors import CorpusError
from classifiers.gate import AutoApprovalGate, apply_gate, fit_gate
from classifiers.members import Docs, FittedMember, MemberKind, member_kind
from classifiers.metrics import Metrics, evaluate
from classifiers.options import ClassifierSettings
from classifiers.provenance import TrainedOn

FALLBACK = "baseline"


@dataclass
class TrainedModels:
    """Fitted members, the out-of-fold evidence and what was calibrated on it."""

    labels: list[str]
    members: dict[str, FittedMember]
    temperatures: dict[str, float]
    weights: dict[str, float]
    gate: AutoApprovalGate
    fallback_gate: AutoApprovalGate
    metrics: dict[str, Metrics]
    y: np.ndarray
    folds: np.ndarray
    oof_probs: dict[str, np.ndarray] = field(repr=False, default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)


def member_kinds(cfg: ClassifierSettings, docs: Docs) -> list[MemberKind]:
    """The configured members this corpus can feed, the fallback always first."""
    names = [FALLBACK] + [name for name in cfg.members if name != FALLBACK]
    return [kind for kind in (member_kind(name, cfg) for name in names) if kind.usable(docs)]


def fit_models(corpus: Corpus, cfg: ClassifierSettings, progress: bool = True,
               kinds: list[MemberKind] | None = None,
               ocr_confidence: np.ndarray | None = None) -> TrainedModels:
    """Cross-fit, calibrate, certify and fit the shipped members on `corpus`; nothing written."""
    labels = corpus.label_set
    if len(labels) < 2:
        raise CorpusError(f"A classifier needs at least 2 classes; the corpus has {labels}.")
    too_small = {label: n for label, n in corpus.counts().items() if n < 2}
    if too_small:
        raise CorpusError(f"Classes with fewer than 2 documents cannot be cross-fitted: "
                          f"{too_small}. Add documents or drop those classes (--label-map).")
    index = {label: i for i, label in enumerate(labels)}
    y = np.array([index[label] for label in corpus.labels])
    docs = Docs(corpus.texts, corpus.signals)
    kinds = kinds if kinds is not None else member_kinds(cfg, docs)
    if ocr_confidence is None:
        ocr_confidence = np.array([s.ocr_confidence if s.ocr_confidence is not None else 100.0
                                   for s in corpus.signals])
    folds = fold_ids(y, cfg.folds, cfg.seed)
    k = int(folds.max()) + 1
    timings: dict[str, float] = {}
    started = time.perf_counter()
    with tqdm(total=len(kinds) * (k + 2), desc="training", disable=not progress) as bar:
        def step(what: str) -> None:
            bar.set_postfix_str(what)
            bar.update(1)

        prepared = prepare(kinds, docs, step)
        everything = np.arange(len(y))
        oof = out_of_fold(kinds, prepared, everything, y, labels, folds, step)
        timings["cross_fit_s"] = time.perf_counter() - started
        members = {}
        for kind in kinds:
            step(f"{kind.name}: all documents")
            members[kind.name] = kind.fit(prepared[kind.name], everything, y, labels)
    timings["train_s"] = time.perf_counter() - started
    return calibrate(oof, y, labels, members, cfg, ocr_confidence, timings)


def calibrate(oof: OutOfFold, y: np.ndarray, labels: list[str],
              members: dict[str, FittedMember], cfg: ClassifierSettings,
              ocr_confidence: np.ndarray, timings: dict[str, float]) -> TrainedModels:
    """Temperatures, weights, gates and metrics from the out-of-fold logits."""
    temps = {name: fit_temperature(z, y) for name, z in oof.logits.items()}
    log_probs = member_log_probs(oof.logits, temps)
    weights = fit_weights(log_probs, y)
    probs = {name: nested_member_probs(z, y, oof.folds) for name, z in oof.logits.items()}
    probs["ensemble"] = nested_ensemble_probs(log_probs, y, oof.folds)
    options = cfg.gate_options()
    gate = fit_gate(probs["ensemble"], y, labels, ocr_confidence, options)
    fallback_gate = fit_gate(probs[FALLBACK], y, labels, ocr_confidence, options)
    metrics = {name: evaluate(np.log(np.clip(p, 1e-12, None)), y, labels, 1.0)
               for name, p in probs.items()}
    for name, z in oof.logits.items():  # before calibration: the raw out-of-fold logits
        metrics[name].ece_before = evaluate(z, y, labels, 1.0).ece_after
        metrics[name].temperature = temps[name]
    return TrainedModels(labels, members, temps, weights, gate, fallback_gate, metrics, y,
                         oof.folds, probs, timings)


def write_bundle(models: TrainedModels, corpus: Corpus, cfg: ClassifierSettings,
                 registry: Registry, trained_on: TrainedOn | None = None) -> str:
    """Write the members and their metadata as a sealed bundle in `registry`; returns its id."""
    staged = registry.staging_dir()
    for name, member in models.members.items():
        member.save(staged / name)
    info = BundleInfo(
        labels=models.labels,
        primary="ensemble" if len(models.members) > 1 else FALLBACK,
        base_model=cfg.base_model if "bert" in models.members else None,
        max_length=cfg.max_length,
        head_fraction=cfg.head_fraction,
        ensemble_weight=models.weights.get("bert", 0.0),
        members=sorted(models.members),
        weights=models.weights,
        temperatures=models.temperatures,
        gate=models.gate,
        fallback_gate=models.fallback_gate,
        profile=reference_profile(models, corpus),
        folds=int(models.folds.max()) + 1,
        thresholds={},
        metrics=models.metrics,
        corpus_hash=corpus.content_hash(),
        corpus_counts=corpus.counts(),
        n_train=len(corpus),
        n_validation=0,
        training={**cfg.model_dump(), **models.timings},
        trained_on=trained_on,
        created_at=datetime.now(UTC),
    )
    write_info(staged, info)
    return registry.add(staged)


def reference_profile(models: TrainedModels, corpus: Corpus) -> ReferenceProfile | None:
    """The drift reference: the certification (out-of-fold) documents as the gate saw them."""
    probs = models.oof_probs.get("ensemble")
    if probs is None:
        return None
    ocr = [s.ocr_confidence if s.ocr_confidence is not None else 100.0 for s in corpus.signals]
    passed = apply_gate(models.gate, probs, models.labels, np.array(ocr))
    return build_profile(probs, models.labels, ocr, corpus.texts, passed)


def train_bundle(corpus: Corpus, cfg: ClassifierSettings, registry: Registry,
                 activate: bool | None = None, progress: bool = True,
                 trained_on: TrainedOn | None = None) -> str:
    """The whole `papertrail train`: returns the new bundle id.

    `activate=None` activates the new bundle only when no bundle is active yet.
    """
    models = fit_models(corpus, cfg, progress=progress)
    bundle_id = write_bundle(models, corpus, cfg, registry, trained_on)
    if activate or (activate is None and registry.active_id() is None):
        registry.activate(bundle_id)
    return bundle_id


def ensemble_probabilities(models: TrainedModels, docs: Docs) -> np.ndarray:
    """What the shipped ensemble answers for `docs` (for held-out measurement)."""
    logits = {name: member.logits(docs) for name, member in models.members.items()}
    log_probs = member_log_probs(logits, models.temperatures)
    z = sum(models.weights[name] * log_probs[name] for name in models.weights)
    return softmax(np.asarray(z))
