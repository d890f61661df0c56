"""The shadow candidate: the bundle the folder's SHADOW pointer names, scored beside the active
one on every document without acting, and deciding the canary share of documents.

Every worker reads the pointer per document (one small file), so `papertrail bundles shadow`
takes effect without a restart; the candidate is loaded on first use and kept until the pointer
names another bundle. Nothing here may hurt a document: a candidate that cannot load or answer
is recorded as such in lineage and the active bundle decides as if there were none.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from classifiers.bundle import Registry
from classifiers.certify import NEVER
from classifiers.inference import Classifier, load_bundle
from classifiers.options import ClassifierSettings
from classifiers.prediction import Prediction
from classifiers.signals import DocumentSignals

log = logging.getLogger(__name__)


def in_canary(doc_id: str, share: float) -> bool:
    """Whether `doc_id` falls in the canary `share` (stable per document, independent of the
    QA sample, which hashes the bare id)."""
    if share <= 0:
        return False
    digest = hashlib.sha256(f"canary:{doc_id}".encode()).hexdigest()
    return int(digest[:8], 16) / 2**32 < share


def would_take(prediction: Prediction) -> str:
    """The classifier's band: `confident` when its certified gate passes the answer."""
    threshold = NEVER if prediction.auto_threshold is None else prediction.auto_threshold
    return "confident" if prediction.confidence >= threshold else "ambiguous"


def answer_record(prediction: Prediction, role: str) -> dict[str, Any]:
    """The short lineage record of a bundle's answer that did not decide the document."""
    return {"role": role, "bundle_id": prediction.bundle_id, "model": prediction.model,
            "label": prediction.label, "confidence": round(prediction.confidence, 6),
            "threshold": prediction.auto_threshold, "gate_cell": prediction.gate_cell,
            "certified": prediction.certified, "band": would_take(prediction),
            "latency_ms": round(prediction.latency_ms, 2)}


@dataclass
class Loaded:
    bundle_id: str
    classifier: Classifier | None
    error: str | None


class CandidateSlot:
    """The shadow candidate of one bundle folder, loaded lazily, thread-safe."""

    def __init__(self, bundle_dir: Path, options: ClassifierSettings,
                 canary_share: float = 0.0) -> None:
        self.registry = Registry(bundle_dir)
        self.options = options
        self.canary_share = canary_share
        self._loaded: Loaded | None = None
        self._lock = threading.Lock()

    def current(self) -> Loaded | None:
        """The candidate named now, loaded (or why it could not be); None when none is."""
        try:
            bundle_id = self.registry.shadow_id()
        except OSError as exc:
            log.warning("shadow pointer unreadable: %s", exc)
            return None
        if bundle_id is None:
            return None
        with self._lock:
            if self._loaded is None or self._loaded.bundle_id != bundle_id:
                self._loaded = self._load(bundle_id)
            return self._loaded

    def _load(self, bundle_id: str) -> Loaded:
        try:
            classifier = load_bundle(self.registry.path(bundle_id),
                                     self.options.inference_batch_size, self.options.quantize)
            return Loaded(bundle_id, classifier, None)
        except Exception as exc:  # a broken candidate must never reach a document
            log.warning("shadow bundle %s cannot load: %s", bundle_id, exc)
            return Loaded(bundle_id, None, f"cannot load: {type(exc).__name__}: {exc}")


def score(classifier: Any, text: str, signals: DocumentSignals,
          role: str) -> dict[str, Any]:
    """A non-deciding bundle's answer for lineage; a failure is recorded, never raised."""
    try:
        return answer_record(classifier.classify(text, signals), role)
    except Exception as exc:
        log.warning("%s bundle failed to score a document: %s", role, exc)
        return {"role": role, "bundle_id": getattr(classifier, "bundle_id", None),
                "error": f"{type(exc).__name__}: {exc}"}


@dataclass
class Assignment:
    """Which bundle decides a document, and which one is scored beside it without acting."""

    decider: Any
    other: Any | None = None
    other_role: str | None = None  # "candidate" (shadow) or "active" (on a canary document)
    canary: bool = False
    note: dict[str, Any] | None = None  # a candidate that could not take part, and why


def assign(doc_id: str, active: Any, slot: CandidateSlot | None) -> Assignment:
    """The active bundle decides unless the document is in the canary share of a loadable
    candidate with the same labels; the other one is scored in shadow."""
    try:
        loaded = slot.current() if slot is not None else None
    except Exception as exc:  # nothing about a candidate may stop a document
        log.warning("shadow candidate unavailable: %s", exc)
        return Assignment(active, note={"role": "candidate", "error": f"{type(exc).__name__}: "
                                        f"{exc}"})
    if loaded is None or loaded.bundle_id == getattr(active, "bundle_id", None):
        return Assignment(active)
    if loaded.classifier is None:
        return Assignment(active, note={"role": "candidate", "bundle_id": loaded.bundle_id,
                                        "error": loaded.error})
    candidate = loaded.classifier
    if in_canary(doc_id, slot.canary_share if slot else 0.0):
        if list(candidate.labels) == list(active.labels):
            return Assignment(candidate, active, "active", canary=True)
        return Assignment(active, candidate, "candidate", note={
            "canary": "skipped: the candidate's labels differ from the active bundle's"})
    return Assignment(active, candidate, "candidate")
