"""Exemplars from labelled files, for seeding the index (`papertrail index`)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from retrieval.index import Exemplar


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
