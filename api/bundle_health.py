"""The classifier's health from the active bundle's verified manifest, without loading a model.

The API process classifies nothing: what it must report is whether the bundle the workers load
is there and intact, and which it is. Verifying hashes every file (BERT's weights too, a
fraction of a second), so a result is kept until the ACTIVE pointer or a file's size or
modification time changes.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from api.schemas import ComponentHealth
from classifiers.bundle import Registry, read_info, read_manifest, verify
from papertrail.errors import PapertrailError


class ActiveBundleHealth:
    def __init__(self, bundle_dir: Path) -> None:
        self.registry = Registry(bundle_dir)
        self._seen: tuple[Any, ...] | None = None
        self._report: ComponentHealth | None = None
        self._lock = threading.Lock()

    def check(self) -> ComponentHealth:
        try:
            active = self.registry.active_id()
            if active is None:
                return _error(f"No active classifier bundle in {self.registry.root}. Train one "
                              "with `papertrail train --data DIR` or activate one with "
                              "`papertrail bundles activate ID`.")
            folder = self.registry.path(active)
            seen = (active, _file_stats(folder))
            with self._lock:
                if self._report is None or seen != self._seen:
                    self._report, self._seen = _verified(active, folder), seen
                return self._report
        except (OSError, PapertrailError) as exc:  # shown, not raised: a health check
            return _error(f"{type(exc).__name__}: {exc}")


def _file_stats(folder: Path) -> tuple[tuple[str, int, int], ...]:
    stats = []
    for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
        if path.is_file():
            stat = path.stat()
            stats.append((path.relative_to(folder).as_posix(), stat.st_size, stat.st_mtime_ns))
    return tuple(stats)


def _verified(active: str, folder: Path) -> ComponentHealth:
    manifest = read_manifest(folder)  # BundleCorruptError when missing or unreadable
    if manifest.bundle_id != active:
        return _error(f"ACTIVE names bundle {active}, but its folder holds bundle "
                      f"{manifest.bundle_id}. Activate a bundle with `papertrail bundles "
                      "activate ID`.")
    bad = verify(folder)
    if bad:
        return _error(f"Active bundle {active} fails verification: {len(bad)} file(s) changed, "
                      f"missing or unlisted (e.g. {bad[0]}). Activate another bundle "
                      "(`papertrail bundles activate ID`) or re-train it.")
    info = read_info(folder)
    if info.gate is not None:
        certificate = info.gate.summary()
        thresholds = {cell: c.threshold for cell, c in info.gate.cells.items()}
    else:
        certificate = {"certified": False, "note": "bundle predates certified gates: its "
                       "threshold was fitted on one validation split. Re-train it."}
        thresholds = {model: t.threshold for model, t in info.thresholds.items()}
    return ComponentHealth(status="ok", detail={
        "bundle_id": manifest.bundle_id, "content_hash": manifest.content_hash,
        "verified": True, "trained_at": info.created_at.isoformat(), "classes": info.labels,
        "model": info.primary, "members": info.members, "base_model": info.base_model,
        "certificate": certificate, "thresholds": thresholds,
        "temperatures": info.temperatures, "corpus_hash": info.corpus_hash,
    })


def _error(message: str) -> ComponentHealth:
    return ComponentHealth(status="error", detail={"error": message})
