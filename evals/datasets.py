"""Labelled evaluation data: what the corpus loader finds, plus SROIE-style key folders.

Files and labels come from `classifiers.corpus.list_labelled_files` (a `path,label` CSV or a
folder per class, one document per stem, labels as written), so `eval` counts exactly the
documents `train` and `index` do. Only the SROIE layout (`key/ID.json` + `img/ID.*`: receipts
with ground-truth fields) is the harness's own.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from classifiers.corpus import documents_by_stem, list_labelled_files
from papertrail.errors import PapertrailError

# SROIE's key names -> Papertrail's field names
SROIE_FIELDS = {"company": "vendor", "date": "date", "address": "address", "total": "total"}


class EvalItem(BaseModel):
    path: Path  # the document's file; also its key in the results
    label: str
    fields: dict[str, Any] | None = None  # ground-truth fields, when the data set has them


class DatasetError(PapertrailError):
    code = "dataset_invalid"


def load_dataset(source: Path) -> list[EvalItem]:
    """A SROIE-style folder (key/ + img/), or any corpus the corpus loader reads."""
    if (source / "key").is_dir() and (source / "img").is_dir():
        return _from_sroie(source)
    return [EvalItem(path=path, label=label) for path, label in list_labelled_files(source)]


def _from_sroie(root: Path) -> list[EvalItem]:
    """SROIE-style: every document is a receipt; `key/ID.json` holds its fields."""
    images = documents_by_stem(root / "img")
    items = []
    for key in sorted((root / "key").glob("*.json")):
        if key.stem not in images:
            continue
        truth = json.loads(key.read_text(encoding="utf-8"))
        fields = {ours: truth[theirs] for theirs, ours in SROIE_FIELDS.items() if theirs in truth}
        items.append(EvalItem(path=images[key.stem], label="receipt", fields=fields))
    if not items:
        raise DatasetError(f"{root} has key/ and img/ folders but no matching ID.json/ID.jpg.")
    return items
