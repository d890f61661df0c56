"""Model bundles on disk: manifest with a content hash, a registry folder, one active pointer.

Layout of one bundle (`<bundle_dir>/<bundle id>/`)::

    manifest.json   {"bundle_id", "content_hash", "files": {relative path: sha256}}
    bundle.json     BundleInfo: labels, base model, temperatures, thresholds, metrics, ...
    baseline/       word TF-IDF vocabulary, idf and logistic-regression weights (JSON + npz)
    char/           the same over character n-grams (when a member)
    bert/           weights (safetensors) + tokenizer via save_pretrained (when a member)
    layout/         layout-feature scaling and logistic-regression weights (npz, when a member)

The content hash is sha256 over the sorted "path sha256" lines of every file except the
manifest; the bundle id is its first 16 hex digits. `<bundle_dir>/ACTIVE` names the active one,
`<bundle_dir>/SHADOW` the candidate scored beside it without acting (docs/lifecycle.md).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from datetime import datetime
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from classifiers.drift import ReferenceProfile
from classifiers.errors import BundleCorruptError, BundleNotFoundError
from classifiers.gate import AutoApprovalGate
from classifiers.metrics import Metrics
from classifiers.provenance import TrainedOn
from classifiers.thresholds import AutoThreshold

MANIFEST = "manifest.json"
INFO = "bundle.json"
ACTIVE = "ACTIVE"
SHADOW = "SHADOW"
ID_LENGTH = 16


class BundleInfo(BaseModel):
    """Everything about a bundle except its weights."""

    labels: list[str]
    primary: str = Field(description="Model that answers: 'ensemble', 'bert' or 'baseline'.")
    base_model: str | None
    max_length: int
    head_fraction: float
    ensemble_weight: float = Field(description="Weight of BERT in the ensemble blend.")
    members: list[str] | None = Field(
        None, description="Ensemble members (classifiers.members); None: a bundle from before "
        "cross-fitting (BERT + baseline blended by `ensemble_weight`).")
    weights: dict[str, float] | None = Field(
        None, description="Per member: weight of its calibrated log-probabilities.")
    temperatures: dict[str, float] = Field(description="Per member (and 'ensemble' in old "
                                           "bundles).")
    gate: AutoApprovalGate | None = Field(
        None, description="The certified auto-approve gate of the ensemble; None in bundles "
        "from before certification (their `thresholds` are uncertified).")
    fallback_gate: AutoApprovalGate | None = Field(
        None, description="The gate that applies when only the baseline can answer.")
    profile: ReferenceProfile | None = Field(
        None, description="What the certification documents looked like (drift checks); None "
        "in bundles from before drift checks.")
    folds: int | None = Field(None, description="Cross-fitting folds the gate was fitted on.")
    thresholds: dict[str, AutoThreshold] = Field(
        default_factory=dict, description="Old bundles: uncertified threshold per model.")
    metrics: dict[str, Metrics] = Field(description="Out-of-fold (old bundles: validation) "
                                        "metrics per model.")
    corpus_hash: str
    corpus_counts: dict[str, int]
    n_train: int
    n_validation: int
    training: dict[str, object] = Field(default_factory=dict, description="Settings used.")
    trained_on: TrainedOn | None = Field(
        None, description="What the bundle learned from: corpus sources, reviewed documents "
        "(up to which review) and the bundle it was retrained from; None in older bundles.")
    created_at: datetime


class Manifest(BaseModel):
    bundle_id: str
    content_hash: str
    files: dict[str, str]


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _hash_files(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): file_sha256(p)
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != MANIFEST
    }


def _content_hash(files: dict[str, str]) -> str:
    lines = "\n".join(f"{path} {sha}" for path, sha in sorted(files.items()))
    return hashlib.sha256(lines.encode()).hexdigest()


def seal(folder: Path) -> Manifest:
    """Write `manifest.json` over every file in `folder`; returns it."""
    files = _hash_files(folder)
    content_hash = _content_hash(files)
    manifest = Manifest(bundle_id=content_hash[:ID_LENGTH], content_hash=content_hash,
                        files=files)
    (folder / MANIFEST).write_text(manifest.model_dump_json(indent=2))
    return manifest


def read_manifest(folder: Path) -> Manifest:
    try:
        return Manifest.model_validate_json((folder / MANIFEST).read_text())
    except FileNotFoundError as exc:
        raise BundleCorruptError(
            f"{folder} has no {MANIFEST}: it is not a bundle, or it was not written completely. "
            "Re-train it with `papertrail train`."
        ) from exc
    except (OSError, ValidationError, ValueError) as exc:
        raise BundleCorruptError(f"{folder / MANIFEST} is unreadable: {exc}") from exc


def read_info(folder: Path) -> BundleInfo:
    try:
        return BundleInfo.model_validate_json((folder / INFO).read_text())
    except (OSError, ValidationError, ValueError) as exc:
        raise BundleCorruptError(f"{folder / INFO} is missing or unreadable: {exc}") from exc


def verify(folder: Path) -> list[str]:
    """Files whose content differs from the manifest (missing, changed or unlisted).

    Raises BundleCorruptError when the manifest itself is missing or inconsistent.
    """
    manifest = read_manifest(folder)
    if _content_hash(manifest.files) != manifest.content_hash or \
            not manifest.content_hash.startswith(manifest.bundle_id):
        raise BundleCorruptError(
            f"{folder / MANIFEST} is inconsistent (its content hash does not match its file "
            "list): the manifest was edited. Re-train the bundle."
        )
    actual = _hash_files(folder)
    bad = {p for p, sha in manifest.files.items() if actual.get(p) != sha}
    bad |= set(actual) - set(manifest.files)
    return sorted(bad)


class Registry:
    """The bundle folder: every bundle in its own sub-folder named by id, plus `ACTIVE`."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path(self, bundle_id: str) -> Path:
        return self.root / bundle_id

    def ids(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.iterdir()
                      if p.is_dir() and (p / MANIFEST).is_file())

    def resolve(self, bundle_id: str) -> str:
        """Full id from an id or a unique prefix of one."""
        matches = [i for i in self.ids() if i.startswith(bundle_id)]
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise BundleNotFoundError(
                f"No bundle {bundle_id!r} in {self.root}. `papertrail bundles list` shows "
                f"the {len(self.ids())} there."
            )
        raise BundleNotFoundError(f"{bundle_id!r} matches several bundles: {matches}.")

    def add(self, staged: Path) -> str:
        """Seal a staged bundle folder and move it into the registry; returns its id."""
        manifest = seal(staged)
        target = self.path(manifest.bundle_id)
        if target.exists():  # identical content already registered
            shutil.rmtree(staged)
        else:
            self.root.mkdir(parents=True, exist_ok=True)
            os.replace(staged, target)
        return manifest.bundle_id

    def active_id(self) -> str | None:
        return self._pointer(ACTIVE)

    def shadow_id(self) -> str | None:
        """The candidate bundle scored in shadow (and deciding the canary share), or None."""
        return self._pointer(SHADOW)

    def activate(self, bundle_id: str) -> str:
        """Make a bundle the single active one (after verifying it); returns its full id."""
        full = self._verified(bundle_id, "activate")
        self._write_pointer(ACTIVE, full)
        return full

    def set_shadow(self, bundle_id: str | None) -> str | None:
        """Name the shadow candidate (verified first), or clear it with None."""
        if bundle_id is None:
            (self.root / SHADOW).unlink(missing_ok=True)
            return None
        full = self._verified(bundle_id, "shadow")
        self._write_pointer(SHADOW, full)
        return full

    def _verified(self, bundle_id: str, what: str) -> str:
        full = self.resolve(bundle_id)
        bad = verify(self.path(full))
        if bad:
            raise BundleCorruptError(
                f"Bundle {full} fails verification ({len(bad)} file(s) changed or missing, e.g. "
                f"{bad[0]}); refusing to {what} it. Re-train it."
            )
        return full

    def _pointer(self, name: str) -> str | None:
        pointer = self.root / name
        if not pointer.is_file():
            return None
        return pointer.read_text().strip() or None

    def _write_pointer(self, name: str, bundle_id: str) -> None:
        tmp = self.root / f".{name}.tmp"
        tmp.write_text(bundle_id + "\n")
        os.replace(tmp, self.root / name)

    def staging_dir(self) -> Path:
        """A fresh folder inside the registry root for writing a bundle before it is sealed."""
        self.root.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now().strftime("%Y%m%d%H%M%S%f")
        folder = self.root / f".staging-{stamp}-{os.getpid()}"
        folder.mkdir()
        return folder


def write_info(folder: Path, info: BundleInfo) -> None:
    (folder / INFO).write_text(info.model_dump_json(indent=2))


def info_json(info: BundleInfo) -> dict:
    return json.loads(info.model_dump_json())
