"""Labelled evaluation data: folder-per-class trees, `path,label` CSVs, SROIE-style key folders."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from agent.errors import PapertrailError

DOCUMENT_SUFFIXES = {".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff", ".txt"}
# SROIE's key names -> Papertrail's field names
SROIE_FIELDS = {"company": "vendor", "date": "date", "address": "address", "total": "total"}


class EvalItem(BaseModel):
    path: Path
    label: str
    fields: dict[str, Any] | None = None  # ground-truth fields, when the data set has them


class DatasetError(PapertrailError):
    code = "dataset_invalid"


def load_dataset(source: Path) -> list[EvalItem]:
    """Detect the layout: a CSV file, a SROIE-style folder (key/ + img/), or folder-per-class."""
    if source.is_file() and source.suffix.lower() == ".csv":
        return _from_csv(source)
    if not source.is_dir():
        raise DatasetError(f"{source} is neither a folder nor a .csv file of path,label rows.")
    if (source / "key").is_dir() and (source / "img").is_dir():
        return _from_sroie(source)
    if (source / "labels.csv").is_file():
        return _from_csv(source / "labels.csv")
    return _from_folders(source)


def _from_csv(path: Path) -> list[EvalItem]:
    items = []
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if not reader.fieldnames or not {"path", "label"} <= set(reader.fieldnames):
            raise DatasetError(f"{path} needs a header row with `path` and `label` columns; "
                               f"found {reader.fieldnames}.")
        for row in reader:
            file = Path(row["path"])
            file = file if file.is_absolute() else path.parent / file
            items.append(EvalItem(path=file, label=row["label"].strip().lower()))
    missing = [i.path for i in items if not i.path.is_file()]
    if missing:
        raise DatasetError(f"{path}: {len(missing)} listed files do not exist, e.g. {missing[0]}.")
    return items


def _from_folders(root: Path) -> list[EvalItem]:
    items = [
        EvalItem(path=file, label=folder.name.lower())
        for folder in sorted(p for p in root.iterdir() if p.is_dir())
        for file in sorted(folder.rglob("*"))
        if file.is_file() and file.suffix.lower() in DOCUMENT_SUFFIXES
    ]
    if not items:
        raise DatasetError(f"{root} holds no documents in per-class folders.")
    return items


def _from_sroie(root: Path) -> list[EvalItem]:
    """SROIE-style: every document is a receipt; `key/ID.json` holds its fields."""
    items = []
    for key in sorted((root / "key").glob("*.json")):
        images = [p for p in (root / "img").glob(f"{key.stem}.*")
                  if p.suffix.lower() in DOCUMENT_SUFFIXES]
        if not images:
            continue
        truth = json.loads(key.read_text(encoding="utf-8"))
        fields = {ours: truth[theirs] for theirs, ours in SROIE_FIELDS.items() if theirs in truth}
        items.append(EvalItem(path=images[0], label="receipt", fields=fields))
    if not items:
        raise DatasetError(f"{root} has key/ and img/ folders but no matching ID.json/ID.jpg.")
    return items
