"""`papertrail train`: fine-tune BERT and the baseline on labelled corpora into a new bundle."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from api.cli_support import console, handles_user_errors, settings


@handles_user_errors
def train(
    data: Annotated[list[Path], typer.Option(
        "--data", help="Corpus: a folder with one sub-folder per class, or a path,label CSV. "
        "Repeat to combine corpora.")],
    out: Annotated[Path | None, typer.Option(
        help="Bundle registry folder to write into (default: the data folder's bundles/).")] = None,
    base: Annotated[str | None, typer.Option(help="Base model (default from settings).")] = None,
    epochs: Annotated[int | None, typer.Option(min=1)] = None,
    max_length: Annotated[int | None, typer.Option(min=16, max=512)] = None,
    label_map: Annotated[Path | None, typer.Option(
        help="JSON object mapping corpus labels to bundle labels (null drops a label).")] = None,
    baseline_only: Annotated[bool, typer.Option(
        help="Train only the TF-IDF baseline (seconds; no BERT).")] = False,
    activate: Annotated[bool | None, typer.Option(
        "--activate/--no-activate",
        help="Make the new bundle active (default: only if none is active).")] = None,
    seed: Annotated[int | None, typer.Option()] = None,
) -> None:
    """Train a classifier bundle (BERT + TF-IDF baseline, calibrated) and register it."""
    from agent.ocr.text_reader import ocr_text_reader
    from classifiers.bundle import Registry, read_info
    from classifiers.corpus import load_corpora, load_label_map
    from classifiers.train import train_bundle

    cfg_all = settings()
    updates = {k: v for k, v in {"base_model": base, "epochs": epochs, "max_length": max_length,
                                  "seed": seed}.items() if v is not None}
    cfg = cfg_all.classifier.model_copy(update=updates)
    registry = Registry(out or cfg_all.bundle_dir)
    # One file per worker: single-page scans would otherwise leave all but one core idle.
    corpus = load_corpora(data, ocr_text_reader(cfg_all), workers=cfg_all.ocr_workers)
    if label_map:
        corpus = corpus.map_labels(load_label_map(label_map))
    console.print(f"corpus: {len(corpus)} documents, {corpus.counts()}")
    bundle_id = train_bundle(corpus, cfg, registry, with_bert=not baseline_only,
                             activate=activate)
    info = read_info(registry.path(bundle_id))
    primary = info.metrics[info.primary]
    auto = info.thresholds[info.primary]
    console.print(f"bundle [bold]{bundle_id}[/bold] written to {registry.path(bundle_id)}")
    console.print(
        f"{info.primary}: validation accuracy {primary.accuracy:.3f}, macro-F1 "
        f"{primary.macro_f1:.3f}, ECE {primary.ece_before:.3f} -> {primary.ece_after:.3f}, "
        f"auto-approve threshold {auto.threshold:.3f} (coverage {auto.coverage:.1%})"
    )
    if not auto.reached:
        console.print(f"[yellow]{auto.note}[/yellow]")
    state = "active" if registry.active_id() == bundle_id else "not active"
    console.print(f"the bundle is {state}; `papertrail bundles activate {bundle_id}` switches.")


def register(app: typer.Typer) -> None:
    app.command("train")(train)
