"""`papertrail train`: cross-fit the ensemble on labelled corpora, certify its gate, write a
bundle."""

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
    epochs: Annotated[int | None, typer.Option(
        min=0, help="BERT fine-tuning epochs; 0 = linear probe on the frozen encoder.")] = None,
    folds: Annotated[int | None, typer.Option(min=2, max=20, help="Cross-fitting folds.")] = None,
    max_length: Annotated[int | None, typer.Option(min=16, max=512)] = None,
    label_map: Annotated[Path | None, typer.Option(
        help="JSON object mapping corpus labels to bundle labels (null drops a label).")] = None,
    baseline_only: Annotated[bool, typer.Option(
        help="Train only the word TF-IDF baseline (seconds).")] = False,
    activate: Annotated[bool | None, typer.Option(
        "--activate/--no-activate",
        help="Make the new bundle active (default: only if none is active).")] = None,
    seed: Annotated[int | None, typer.Option()] = None,
) -> None:
    """Train a classifier bundle (ensemble cross-fitted, calibrated, gate certified)."""
    from agent.ocr.policy import primary_engine_info
    from agent.ocr.text_reader import ocr_document_reader
    from api.commands.bundles import print_gate
    from classifiers.bundle import Registry, read_info
    from classifiers.corpus import load_corpora, load_label_map
    from classifiers.provenance import TrainedOn
    from classifiers.train import train_bundle

    cfg_all = settings()
    updates = {k: v for k, v in {"base_model": base, "epochs": epochs, "max_length": max_length,
                                  "seed": seed, "folds": folds}.items() if v is not None}
    if baseline_only:
        updates["members"] = ["baseline"]
    cfg = cfg_all.classifier.model_copy(update=updates)
    registry = Registry(out or cfg_all.bundle_dir)
    # One file per worker: single-page scans would otherwise leave all but one core idle.
    corpus = load_corpora(data, ocr_document_reader(cfg_all), workers=cfg_all.ocr_workers)
    if label_map:
        corpus = corpus.map_labels(load_label_map(label_map))
    console.print(f"corpus: {len(corpus)} documents, {corpus.counts()}")
    trained_on = TrainedOn(sources=[str(p.resolve()) for p in data],
                           label_map=str(label_map.resolve()) if label_map else None,
                           corpus_documents=len(corpus), corpus_hash=corpus.content_hash(),
                           ocr_engine=primary_engine_info(cfg_all).model_dump())
    bundle_id = train_bundle(corpus, cfg, registry, activate=activate, trained_on=trained_on)
    info = read_info(registry.path(bundle_id))
    primary = info.metrics[info.primary]
    console.print(f"bundle [bold]{bundle_id}[/bold] written to {registry.path(bundle_id)}")
    console.print(
        f"{info.primary} ({', '.join(info.members or [])}): out-of-fold accuracy "
        f"{primary.accuracy:.3f}, macro-F1 {primary.macro_f1:.3f}, ECE {primary.ece_after:.3f}")
    print_gate(info)
    state = "active" if registry.active_id() == bundle_id else "not active"
    console.print(f"the bundle is {state}; `papertrail bundles activate {bundle_id}` switches.")


def register(app: typer.Typer) -> None:
    app.command("train")(train)
