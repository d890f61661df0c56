"""Reviewed decisions become training rows: `path,label` for `papertrail train --data CSV`."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

from agent.store import Store


def export_training_rows(store: Store, out: Path) -> int:
    """Write every human-reviewed, not rejected decision as (original's path, label).

    The originals are content-addressed blobs without extensions; each row points at a copy
    under `out`'s folder with the original filename's suffix, so the corpus loader knows its
    type. Returns the number of rows."""
    out.parent.mkdir(parents=True, exist_ok=True)
    files = out.parent / f"{out.stem}-files"
    files.mkdir(exist_ok=True)
    rows = 0
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["path", "label"])
        for decision in store.decisions.reviewed():
            document = store.documents.get(decision.doc_id)
            if document is None or not decision.label:
                continue
            target = files / f"{document.id}{Path(document.filename).suffix.lower()}"
            if not target.exists():
                shutil.copyfile(store.blobs.path_for(document.id), target)
            writer.writerow([str(target.resolve()), decision.label])
            rows += 1
    return rows
