"""Load a bundle and classify documents with calibrated probabilities, falling back to the
baseline.

The ensemble (every member of the bundle) answers when BERT's weights verify and load; otherwise
the bundle's baseline answers, every Prediction says why in `fallback_reason`, and the fallback's
own certified gate applies. A bundle whose manifest, metadata or any other member is broken
cannot answer at all: that is a `BundleCorruptError`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from classifiers.bundle import BundleInfo, Registry, read_info, read_manifest, verify
from classifiers.calibration import log_softmax, softmax
from classifiers.certify import NEVER
from classifiers.errors import BundleCorruptError, BundleNotFoundError
from classifiers.gate import AutoApprovalGate
from classifiers.members import Docs, FittedMember, member_kind
from classifiers.options import ClassifierSettings
from classifiers.prediction import Prediction
from classifiers.signals import NO_SIGNALS, DocumentSignals

log = logging.getLogger(__name__)
FALLBACK = "baseline"


class Classifier:
    """A loaded bundle: `classify(text, signals)` and `classify_batch` return `Prediction`s."""

    def __init__(self, bundle_id: str, info: BundleInfo, members: dict[str, FittedMember],
                 fallback_reason: str | None, content_hash: str = "") -> None:
        self.bundle_id = bundle_id
        self.info = info
        self.members = members
        self.fallback_reason = fallback_reason
        self.content_hash = content_hash

    @property
    def labels(self) -> list[str]:
        return self.info.labels

    @property
    def model(self) -> str:
        """The model that answers now: the bundle's primary one unless it had to fall back."""
        return FALLBACK if self.fallback_reason or self.info.primary == FALLBACK \
            else self.info.primary

    @property
    def gate(self) -> AutoApprovalGate | None:
        """The certified gate of the model that answers (None: a bundle from before gates)."""
        return self.info.fallback_gate if self.model == FALLBACK and self.info.members \
            else self.info.gate

    def weights(self) -> dict[str, float]:
        """Weight of each member's calibrated log-probabilities in the answer."""
        info = self.info
        if self.model == FALLBACK:
            return {FALLBACK: 1.0}
        if info.weights is not None:
            return info.weights
        if info.primary == "bert":  # a bundle from before cross-fitting
            return {"bert": 1.0}
        t = info.temperatures["ensemble"]
        return {"bert": info.ensemble_weight / t, FALLBACK: (1 - info.ensemble_weight) / t}

    def lineage(self) -> dict[str, object]:
        """What a decision record should store about the classifier."""
        gate = self.gate
        return {
            "bundle_id": self.bundle_id,
            "content_hash": self.content_hash,
            "model": self.model,
            "members": sorted(self.weights()),
            "base_model": self.info.base_model,
            "weights": self.weights(),
            "temperatures": {m: self.info.temperatures.get(m) for m in self.weights()},
            "gate": gate.summary() if gate else {"certified": False, "note": "bundle predates "
                                                 "certified gates", "threshold": self._legacy()},
            "corpus_hash": self.info.corpus_hash,
            "fallback_reason": self.fallback_reason,
        }

    def _legacy(self) -> float:
        auto = self.info.thresholds.get(self.model)
        return auto.threshold if auto else NEVER

    def threshold_for(self, label: str, ocr_confidence: float | None) -> tuple[str, float]:
        """The gate cell a prediction falls in and its auto-approve threshold."""
        gate = self.gate
        if gate is None:
            return "uncertified", self._legacy()
        return gate.threshold(label, ocr_confidence)

    def _probabilities(self, docs: Docs) -> np.ndarray:
        weights = self.weights()
        temps = self.info.temperatures
        try:
            z = sum(w * log_softmax(self.members[m].logits(docs), temps[m])
                    for m, w in weights.items())
        except Exception as exc:  # a broken model must not take classification down
            if self.model == FALLBACK:
                raise
            log.exception("ensemble inference failed; the baseline answers from now on")
            self.fallback_reason = f"inference failed: {type(exc).__name__}: {exc}"
            self.members = {FALLBACK: self.members[FALLBACK]}
            return self._probabilities(docs)
        return softmax(np.asarray(z))

    def classify_batch(self, texts: Sequence[str],
                       signals: Sequence[DocumentSignals] | None = None) -> list[Prediction]:
        """Calibrated predictions for many documents; latency is the batch time per document."""
        if not texts:
            return []
        signals = list(signals) if signals is not None else [NO_SIGNALS] * len(texts)
        start = time.perf_counter()
        probs = self._probabilities(Docs(list(texts), signals))
        per_doc_ms = (time.perf_counter() - start) * 1000 / len(texts)
        predictions = []
        for row, signal in zip(probs, signals, strict=True):
            label = self.labels[int(row.argmax())]
            cell, threshold = self.threshold_for(label, signal.ocr_confidence)
            predictions.append(Prediction(
                label=label,
                probabilities={name: float(p) for name, p in zip(self.labels, row, strict=True)},
                bundle_id=self.bundle_id, model=self.model, fallback_reason=self.fallback_reason,
                latency_ms=per_doc_ms, auto_threshold=threshold, gate_cell=cell,
                certified=self.gate is not None and threshold < NEVER,
            ))
        return predictions

    def classify(self, text: str, signals: DocumentSignals | None = None) -> Prediction:
        return self.classify_batch([text], None if signals is None else [signals])[0]


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
    cfg = ClassifierSettings(max_length=info.max_length, head_fraction=info.head_fraction,
                             inference_batch_size=batch_size)
    names = info.members or ([FALLBACK] if info.primary == FALLBACK else [FALLBACK, "bert"])
    members: dict[str, FittedMember] = {}
    for name in names:
        if name != "bert":
            members[name] = member_kind(name, cfg).load(folder / name, info.labels)
    if getattr(members[FALLBACK], "model", None) is not None and \
            members[FALLBACK].model.labels != info.labels:  # type: ignore[attr-defined]
        raise BundleCorruptError(f"Bundle {manifest.bundle_id}: baseline labels differ from "
                                 "bundle.json labels. Re-train it.")
    reason = None
    if "bert" in names:
        if bad:
            reason = f"BERT files fail their manifest hash ({', '.join(bad[:3])}); weights corrupt"
        elif not (folder / "bert").is_dir():
            reason = "bundle has no BERT weights"
        else:
            try:
                bert = member_kind("bert", cfg).load(folder / "bert", info.labels)
                if quantize:
                    bert.model = bert.model.quantized()  # type: ignore[attr-defined]
                members["bert"] = bert
            except Exception as exc:  # any load failure means: answer with the baseline, say why
                reason = f"BERT could not load: {type(exc).__name__}: {exc}"
    if reason:
        log.warning("bundle %s: %s; the baseline answers", manifest.bundle_id, reason)
        members = {FALLBACK: members[FALLBACK]}
    return Classifier(manifest.bundle_id, info, members, reason,
                      content_hash=manifest.content_hash)


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
