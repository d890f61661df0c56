"""Fixed, stratified train/test splits written as `path,label` CSVs (paths, never copies)."""

from __future__ import annotations

import csv
import random
from collections import defaultdict
from pathlib import Path

from evals.datasets import EvalItem


def split(items: list[EvalItem], test_fraction: float, seed: int) -> tuple[list[EvalItem],
                                                                           list[EvalItem]]:
    by_label: dict[str, list[EvalItem]] = defaultdict(list)
    for item in sorted(items, key=lambda i: str(i.path)):
        by_label[item.label].append(item)
    rng = random.Random(seed)
    train, test = [], []
    for label in sorted(by_label):
        group = by_label[label]
        rng.shuffle(group)
        cut = max(1, round(len(group) * test_fraction))
        test += group[:cut]
        train += group[cut:]
    return train, test


def write_csv(items: list[EvalItem], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["path", "label"])
        for item in items:
            writer.writerow([str(item.path.resolve()), item.label])
