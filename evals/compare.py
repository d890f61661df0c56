"""Compare two eval reports; fail when the new one regresses beyond a tolerance."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

GATED = ("accuracy", "macro_f1", "coverage_at_98", "coverage_at_99", "auto_precision")
SHOWN = (*GATED, "ece", "final_accuracy", "docs_per_min")


class MetricChange(BaseModel):
    metric: str
    old: float
    new: float
    delta: float
    regressed: bool


def load_report(path: Path) -> dict[str, Any]:
    path = path / "report.json" if path.is_dir() else path
    return json.loads(path.read_text(encoding="utf-8"))


def compare(old: dict[str, Any], new: dict[str, Any], max_drop: float) -> list[MetricChange]:
    changes = []
    for metric in SHOWN:
        before, after = float(old.get(metric, 0.0)), float(new.get(metric, 0.0))
        changes.append(MetricChange(metric=metric, old=before, new=after, delta=after - before,
                                    regressed=metric in GATED and after < before - max_drop))
    return changes
