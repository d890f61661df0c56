"""The auto-approve gate: certified thresholds per cell of a partition of documents.

A scheme partitions documents by what is known before the label: nothing (`global`), the OCR
quality stratum of the page (`ocr_quality`), or the predicted class (`class`). Each cell gets a
threshold certified at delta / cells (Bonferroni), so with probability >= 1 - delta every cell's
accepted documents, and therefore all accepted documents together, reach the target precision.
A cell that cannot certify accepts nothing: its documents go to a person with the suggestion.

The scheme is a setting, chosen by the held-out benchmark (benchmarks/classifier.py): picking
it after looking at the calibration labels would need its own share of delta.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import BaseModel, Field

from classifiers.certify import NEVER, Certificate, certify_threshold

GateScheme = Literal["global", "ocr_quality", "class"]
LOW_OCR, HIGH_OCR = "ocr_low", "ocr_high"


class GateOptions(BaseModel):
    scheme: GateScheme = "global"
    target_precision: float = Field(0.98, gt=0.0, lt=1.0)
    delta: float = Field(0.05, gt=0.0, lt=1.0)
    ocr_boundary: float = Field(
        45.0, description="Mean OCR word confidence below which a page is in the low stratum.")


class AutoApprovalGate(BaseModel):
    """What the bundle promises, and the evidence: one certificate per cell."""

    scheme: GateScheme
    target_precision: float
    delta: float
    ocr_boundary: float
    cells: dict[str, Certificate]
    n: int
    accepted: int
    errors: int

    @property
    def certified(self) -> bool:
        return any(cell.certified for cell in self.cells.values())

    @property
    def coverage(self) -> float:
        return self.accepted / self.n if self.n else 0.0

    def cell_of(self, label: str, ocr_confidence: float | None) -> str:
        if self.scheme == "class":
            return f"class:{label}"
        if self.scheme == "ocr_quality":
            low = ocr_confidence is not None and ocr_confidence < self.ocr_boundary
            return LOW_OCR if low else HIGH_OCR
        return "all"

    def threshold(self, label: str, ocr_confidence: float | None) -> tuple[str, float]:
        """The cell a prediction falls in and that cell's threshold (NEVER when uncertified)."""
        cell = self.cell_of(label, ocr_confidence)
        certificate = self.cells.get(cell)
        return cell, certificate.threshold if certificate else NEVER

    def summary(self) -> dict[str, object]:
        """The short form for /healthz, `bundles show` and lineage."""
        return {
            "scheme": self.scheme, "target_precision": self.target_precision,
            "delta": self.delta, "certified": self.certified, "n": self.n,
            "accepted": self.accepted, "errors": self.errors,
            "coverage": round(self.coverage, 4),
            "cells": {name: {"threshold": c.threshold, "certified": c.certified,
                             "accepted": c.accepted, "errors": c.errors,
                             "error_bound": None if c.error_bound is None
                             else round(c.error_bound, 4), "needed_more": c.needed_more}
                      for name, c in self.cells.items()},
        }


def fit_gate(probabilities: np.ndarray, y: np.ndarray, labels: list[str],
             ocr_confidence: np.ndarray | None, options: GateOptions) -> AutoApprovalGate:
    """Certify the gate on out-of-fold calibrated probabilities `probabilities` (n x classes)."""
    probabilities = np.asarray(probabilities, dtype=np.float64)
    pred = probabilities.argmax(axis=1)
    conf = probabilities.max(axis=1)
    correct = pred == np.asarray(y)
    names = cell_names(pred, labels, ocr_confidence, options)
    unique = {"global": ["all"], "ocr_quality": [LOW_OCR, HIGH_OCR],
              "class": [f"class:{label}" for label in labels]}[options.scheme]
    per_cell_delta = options.delta / len(unique)
    cells: dict[str, Certificate] = {}
    for cell in unique:
        mask = names == cell
        cells[cell] = certify_threshold(conf[mask], correct[mask], options.target_precision,
                                        per_cell_delta)
    accepted = np.zeros(len(conf), dtype=bool)
    for cell, certificate in cells.items():
        accepted |= (names == cell) & (conf >= certificate.threshold)
    return AutoApprovalGate(
        scheme=options.scheme, target_precision=options.target_precision, delta=options.delta,
        ocr_boundary=options.ocr_boundary, cells=cells, n=len(conf),
        accepted=int(accepted.sum()), errors=int((accepted & ~correct).sum()))


def cell_names(pred: np.ndarray, labels: list[str], ocr_confidence: np.ndarray | None,
               options: GateOptions) -> np.ndarray:
    if options.scheme == "class":
        return np.array([f"class:{labels[i]}" for i in pred])
    if options.scheme == "ocr_quality":
        if ocr_confidence is None:
            return np.full(len(pred), HIGH_OCR)
        ocr = np.asarray(ocr_confidence, dtype=np.float64)
        return np.where(ocr < options.ocr_boundary, LOW_OCR, HIGH_OCR)
    return np.full(len(pred), "all")


def apply_gate(gate: AutoApprovalGate, probabilities: np.ndarray, labels: list[str],
               ocr_confidence: np.ndarray | None) -> np.ndarray:
    """Which documents the gate auto-approves (boolean mask), for held-out measurement."""
    probabilities = np.asarray(probabilities, dtype=np.float64)
    pred, conf = probabilities.argmax(axis=1), probabilities.max(axis=1)
    ocr = [None] * len(pred) if ocr_confidence is None else list(ocr_confidence)
    return np.array([conf[i] >= gate.threshold(labels[p], ocr[i])[1]
                     for i, p in enumerate(pred)], dtype=bool)
