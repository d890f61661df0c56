"""Labelled corpora for seeding exemplars: folder-per-class, or a `labels.csv` of path,label."""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path

from retrieval.errors import RetrievalError
from retrieval.index import Exemplar

DOCUMENT_SUFFIXES = {".txt", ".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff"}


class CorpusError(RetrievalError):
    """The corpus folder is missing or has no labelled documents."""


def iter_labelled_files(root: Path) -> Iterator[tuple[Path, str]]:
    """(path, label) pairs from `root/labels.csv` when present, else from `root/<label>/*`."""
    if not root.is_dir():
        raise CorpusError(
            f"Corpus folder {root} does not exist; pass --data with a labelled corpus."
        )
    labels_csv = root / "labels.csv"
    if labels_csv.exists():
        with labels_csv.open(newline="") as fh:
            for row in csv.DictReader(fh):
                yield root / row["path"], row["label"]
        return
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        for path in sorted(folder.rglob("*")):
            if path.suffix.lower() in DOCUMENT_SUFFIXES:
                yield path, folder.name


def exemplar_from_file(
    path: Path, label: str, read_text: Callable[[Path], str], *, root: Path
) -> Exemplar:
    """An exemplar keyed by the file's content hash, so re-indexing the same file is idempotent."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return Exemplar(
        doc_id=f"sha256:{digest}",
        label=label,
        text=read_text(path),
        reviewed=True,
        reviewer=f"corpus:{root.name}",
        source=str(path.relative_to(root)) if path.is_relative_to(root) else str(path),
    )


def read_plain_text(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace")
