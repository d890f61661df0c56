"""The active bundle as workers hold it: loaded once, and loaded again when the ACTIVE pointer
names another bundle, so `papertrail bundles activate` and `rollback` reach running workers
at their next document without a restart.

Checked once per document, before it is classified (one small file read). A newly named bundle
that fails to load leaves the loaded one deciding, and says so in the log: the pointer is only
ever moved to a verified bundle, so that means a file changed after activation.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from classifiers.bundle import Registry
from classifiers.inference import Classifier, load_bundle
from classifiers.options import ClassifierSettings
from classifiers.prediction import Prediction
from classifiers.signals import DocumentSignals

log = logging.getLogger(__name__)


class FollowsActive:
    """A `Classifier` that follows the registry's ACTIVE pointer (attributes pass through)."""

    def __init__(self, bundle_dir: Path, options: ClassifierSettings, loaded: Classifier) -> None:
        self._registry = Registry(bundle_dir)
        self._options = options
        self._current = loaded
        self._failed: str | None = None  # an id that would not load: not retried per document
        self._lock = threading.Lock()

    @property
    def current(self) -> Classifier:
        return self._current

    def refresh(self) -> Classifier:
        """The bundle ACTIVE names now (loaded if it changed)."""
        try:
            active = self._registry.active_id()
        except OSError as exc:
            log.warning("ACTIVE pointer unreadable, keeping bundle %s: %s",
                        self._current.bundle_id, exc)
            return self._current
        with self._lock:
            if active and active not in (self._current.bundle_id, self._failed):
                try:
                    self._current = load_bundle(self._registry.path(active),
                                                self._options.inference_batch_size,
                                                self._options.quantize)
                    log.info("active bundle is now %s", active)
                    self._failed = None
                except Exception:
                    log.exception("bundle %s named active cannot load; %s keeps deciding",
                                  active, self._current.bundle_id)
                    self._failed = active
            return self._current

    def classify(self, text: str, signals: DocumentSignals | None = None) -> Prediction:
        return self.refresh().classify(text, signals)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):  # not set yet (copy, pickle): never recurse
            raise AttributeError(name)
        return getattr(self._current, name)
