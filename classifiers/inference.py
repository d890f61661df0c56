"""Load a bundle and classify texts with calibrated probabilities, falling back to the baseline.

BERT (or the BERT + baseline ensemble) answers when its weights verify and load; otherwise the
bundle's baseline answers and every Prediction says why in `fallback_reason`. A bundle whose
manifest, metadata or baseline is broken cannot answer at all: that is a `BundleCorruptError`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from classifiers.baseline import BaselineClassifier
from classifiers.bundle import BundleInfo, Registry, read_info, read_manifest, verify
from classifiers.calibration import softmax
from classifiers.ensemble import blend
from classifiers.errors import BundleCorruptError, BundleNotFoundError
from classifiers.options import ClassifierSettings
from classifiers.prediction import Prediction
from classifiers.thresholds import NEVER

if TYPE_CHECKING:
    from classifiers.bert import BertClassifier

log = logging.getLogger(__name__)


class Classifier:
    """A loaded bundle: `classify(text)` and `classify_batch(texts)` return `Prediction`s."""

    def __init__(self, bundle_id: str, info: BundleInfo, baseline: BaselineClassifier,
                 bert: BertClassifier | None, fallback_reason: str | None,
                 content_hash: str = "", batch_size: int = 32) -> None:
        self.bundle_id = bundle_id
        self.info = info
        self.baseline = baseline
        self.bert = bert
        self.fallback_reason = fallback_reason
        self.content_hash = content_hash
        self.batch_size = batch_size

    @property
    def labels(self) -> list[str]:
        return self.info.labels

    @property
    def model(self) -> str:
        """The model that answers now: the bundle's primary one unless BERT is unavailable."""
        return "baseline" if self.bert is None else self.info.primary

    def lineage(self) -> dict[str, object]:
        """What a decision record should store about the classifier."""
        return {
            "bundle_id": self.bundle_id,
            "content_hash": self.content_hash,
            "model": self.model,
            "base_model": self.info.base_model,
            "temperature": self.info.temperatures.get(self.model),
            "auto_threshold": self._threshold(self.model),
            "corpus_hash": self.info.corpus_hash,
            "fallback_reason": self.fallback_reason,
        }

    def auto_threshold(self) -> float:
        """Calibrated top-1 confidence at or above which the answering model is `confident`."""
        threshold = self._threshold(self.model)
        return NEVER if threshold is None else threshold

    def _threshold(self, model: str) -> float | None:
        auto = self.info.thresholds.get(model)
        return auto.threshold if auto else None

    def _probabilities(self, texts: Sequence[str]) -> tuple[np.ndarray, str, str | None]:
        temps = self.info.temperatures
        base_logits = self.baseline.logits(texts)
        if self.bert is not None and self.info.primary != "baseline":
            try:
                bert_logits = self.bert.logits(texts, self.batch_size)
            except Exception as exc:  # a broken model must not take classification down
                log.exception("BERT inference failed; the baseline answers from now on")
                reason = f"BERT inference failed: {type(exc).__name__}: {exc}"
                # Degrade for good, so model, auto_threshold() and lineage() stay consistent.
                self.bert, self.fallback_reason = None, reason
                return softmax(base_logits, temps["baseline"]), "baseline", reason
            if self.info.primary == "bert":
                return softmax(bert_logits, temps["bert"]), "bert", None
            mixed = blend(bert_logits, temps["bert"], base_logits, temps["baseline"],
                          self.info.ensemble_weight)
            return softmax(mixed, temps["ensemble"]), "ensemble", None
        return softmax(base_logits, temps["baseline"]), "baseline", self.fallback_reason

    def classify_batch(self, texts: Sequence[str]) -> list[Prediction]:
        """Calibrated predictions for many texts; latency is the batch time per document."""
        if not texts:
            return []
        start = time.perf_counter()
        probs, model, reason = self._probabilities(list(texts))
        per_doc_ms = (time.perf_counter() - start) * 1000 / len(texts)
        threshold = self._threshold(model)
        return [
            Prediction(
                label=self.labels[int(row.argmax())],
                probabilities={label: float(p) for label, p in zip(self.labels, row, strict=True)},
                bundle_id=self.bundle_id, model=model, fallback_reason=reason,
                latency_ms=per_doc_ms, auto_threshold=threshold,
            )
            for row in probs
        ]

    def classify(self, text: str) -> Prediction:
        return self.classify_batch([text])[0]


def load_bundle(folder: Path, batch_size: int = 32, quantize: bool = False) -> Classifier:
    """Verify and load one bundle folder; BERT problems degrade to the baseline, never silently."""
    folder = Path(folder)
    if not folder.is_dir():
        raise BundleNotFoundError(f"Bundle folder {folder} does not exist.")
    manifest = read_manifest(folder)
    bad = verify(folder)
    essential = [p for p in bad if not p.startswith("bert/")]
    if essential:
        raise BundleCorruptError(
            f"Bundle {manifest.bundle_id} at {folder} is corrupt: {essential} do not match its "
            "manifest. Re-train it (`papertrail train`) or activate another bundle."
        )
    info = read_info(folder)
    baseline = BaselineClassifier.load(folder / "baseline")
    if baseline.labels != info.labels:
        raise BundleCorruptError(f"Bundle {manifest.bundle_id}: baseline labels differ from "
                                 "bundle.json labels. Re-train it.")
    bert, reason = None, None
    if info.primary == "baseline":
        pass
    elif bad:
        reason = f"BERT files fail their manifest hash ({', '.join(bad[:3])}); weights corrupt"
    elif not (folder / "bert").is_dir():
        reason = "bundle has no BERT weights"
    else:
        try:
            from classifiers.bert import BertClassifier

            bert = BertClassifier.load(folder / "bert", info.max_length, info.head_fraction)
            if bert.labels != info.labels:
                raise BundleCorruptError("BERT label map differs from bundle.json")
            if quantize:
                bert = bert.quantized()
        except Exception as exc:  # any load failure means: answer with the baseline, say why
            bert, reason = None, f"BERT could not load: {type(exc).__name__}: {exc}"
    if reason:
        log.warning("bundle %s: %s; the baseline answers", manifest.bundle_id, reason)
    return Classifier(manifest.bundle_id, info, baseline, bert, reason,
                      content_hash=manifest.content_hash, batch_size=batch_size)


def load_active(bundle_dir: Path, options: ClassifierSettings) -> Classifier:
    """The active bundle of the registry in `bundle_dir`; `BundleNotFoundError` when none is."""
    import torch

    torch.set_num_threads(options.torch_threads)
    registry = Registry(bundle_dir)
    active = registry.active_id()
    if active is None:
        raise BundleNotFoundError(
            f"No active classifier bundle in {registry.root}. Train one with `papertrail train "
            "--data DIR` or activate one with `papertrail bundles activate ID`."
        )
    return load_bundle(registry.path(active), options.inference_batch_size, options.quantize)
