"""Lay out, render and write labelled sample documents with their ground truth."""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from evals.samples.financial import bank_statement, invoice, purchase_order, receipt
from evals.samples.layout import Page, font_families
from evals.samples.prose import contract, letter, memo, resume
from evals.samples.render import render_pdf, render_png
from evals.samples.values import Values

CLASSES = (
    "invoice", "receipt", "purchase_order", "bank_statement", "contract", "letter", "memo",
    "resume",
)
FORMATS = ("png", "pdf", "txt")

Builder = Callable[[Page, Values], dict]

BUILDERS: dict[str, Builder] = {
    "invoice": invoice, "receipt": receipt, "purchase_order": purchase_order,
    "bank_statement": bank_statement, "contract": contract, "letter": letter, "memo": memo,
    "resume": resume,
}


@dataclass(frozen=True)
class Sample:
    doc_id: str
    label: str
    fields: dict
    text: str
    files: tuple[Path, ...]


def build(label: str, index: int, seed: int) -> tuple[Page, dict]:
    """Lay out document `index` of class `label`; the same arguments give the same page."""
    rng = random.Random(f"papertrail-samples:{seed}:{label}:{index}")
    page = Page(rng.choice(font_families()), margin=rng.choice([42.0, 56.0, 70.0]))
    fields = BUILDERS[label](page, Values(rng))
    return page, fields


def generate(out: Path, n_per_class: int = 10, seed: int = 0,
             classes: Iterable[str] = CLASSES, formats: Iterable[str] = ("png", "pdf"),
             dpi: int = 150, noise: bool = True) -> list[Sample]:
    """Write `n_per_class` documents of every class under `out/<class>/<id>.{png,pdf,txt,json}`."""
    formats = tuple(formats)
    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise ValueError(f"Unknown sample formats {sorted(unknown)}; choose from {FORMATS}.")
    classes = tuple(classes)
    bad = set(classes) - set(CLASSES)
    if bad:
        raise ValueError(f"Unknown sample classes {sorted(bad)}; choose from {CLASSES}.")
    samples = []
    for label in classes:
        folder = Path(out) / label
        folder.mkdir(parents=True, exist_ok=True)
        for index in range(n_per_class):
            page, fields = build(label, index, seed)
            doc_id = f"{label}-{seed}-{index:04d}"
            text = "\n".join(page.lines)
            files: list[Path] = []
            if "png" in formats:
                files.append(folder / f"{doc_id}.png")
                noise_rng = np.random.default_rng([seed, CLASSES.index(label), index])
                render_png(page, files[-1], noise_rng, dpi=dpi, noise=noise)
            if "pdf" in formats:
                files.append(folder / f"{doc_id}.pdf")
                render_pdf(page, files[-1])
            if "txt" in formats:
                files.append(folder / f"{doc_id}.txt")
                files[-1].write_text(text + "\n", encoding="utf-8")
            truth = {"id": doc_id, "label": label, "seed": seed, "font": page.family.name,
                     "fields": fields, "text": text}
            (folder / f"{doc_id}.json").write_text(json.dumps(truth, indent=2) + "\n")
            samples.append(Sample(doc_id, label, fields, text, tuple(files)))
    return samples


def generate_mixed(out: Path, first: str = "memo", second: str = "invoice",
                   seed: int = 0) -> Path:
    """One PNG page that starts as a `first` and goes on as a `second`: a document no classifier
    should be sure of, so the demo shows the route for doubt (a person gets the suggestion)."""
    rng = random.Random(f"papertrail-mixed:{seed}:{first}:{second}")
    page = Page(rng.choice(font_families()), margin=56.0)
    values = Values(rng)
    BUILDERS[first](page, values)
    BUILDERS[second](page, values)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"mixed-{first}-{second}-{seed}.png"
    render_png(page, path, np.random.default_rng(seed), dpi=150)
    return path
