"""`papertrail retrain`: a candidate bundle from the original corpus plus what people reviewed,
cross-fitted and certified like any bundle, registered but not activated."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated

import typer

from api.cli_support import console, handles_user_errors, settings, store

# The recipe a retrained candidate copies from the bundle it replaces.
RECIPE = ("base_model", "max_length", "head_fraction", "members", "epochs", "batch_size",
          "learning_rate", "folds", "seed", "target_precision", "delta", "gate_scheme",
          "ocr_boundary")


@handles_user_errors
def retrain(
    data: Annotated[list[Path] | None, typer.Option(
        "--data", help="The original corpus (repeatable); default: the sources the active "
        "bundle records.")] = None,
    label_map: Annotated[Path | None, typer.Option(
        help="Label map for the corpus; default: the one the active bundle records.")] = None,
    by: Annotated[str | None, typer.Option(
        "--by", help="Who retrains (recorded); default: the OS user.")] = None,
) -> None:
    """Train a candidate bundle on the corpus plus reviewed decisions (not activated).

    Relabels and confirmations count, their text read from the OCR cache; shadow it next.
    """
    from agent.lifecycle import LifecycleError
    from agent.lifecycle.retrain import merge, reviewed_rows
    from agent.lifecycle.reviewed import reviewed_documents
    from agent.ocr.policy import primary_engine_info
    from agent.ocr.text_reader import ocr_document_reader
    from agent.store.bundle_events import BundleEventLog
    from api.commands.bundles import print_gate
    from classifiers.bundle import Registry, read_info
    from classifiers.corpus import Corpus, load_corpora, load_label_map
    from classifiers.provenance import TrainedOn
    from classifiers.train import train_bundle

    cfg_all, db = settings(), store()
    registry = Registry(cfg_all.bundle_dir)
    active = registry.active_id()
    if active is None:
        raise LifecycleError(f"No active bundle in {registry.root} to retrain; train one with "
                             "`papertrail train --data DIR`.")
    info = read_info(registry.path(active))
    recorded = info.trained_on
    sources = data or ([Path(s) for s in recorded.sources] if recorded else [])
    if not sources:
        raise LifecycleError(f"The active bundle {active} does not record its corpus (it was "
                             "trained before bundles recorded one): pass it with --data.")
    label_map = label_map or (Path(recorded.label_map) if recorded and recorded.label_map
                              and not data else None)
    recipe = {k: v for k, v in info.training.items() if k in RECIPE}
    cfg = cfg_all.classifier.model_copy(update=recipe)

    corpus = load_corpora(sources, ocr_document_reader(cfg_all), workers=cfg_all.ocr_workers)
    if label_map:
        corpus = corpus.map_labels(load_label_map(label_map))
    reviewed = reviewed_documents(db)
    rows = reviewed_rows(db, cfg_all, reviewed)
    known = set(corpus.label_set)
    unknown = [d for d in rows.corpus.documents if d.label not in known]
    if unknown:
        rows.skipped["label not in the corpus"] += len(unknown)
        keep = [i for i, d in enumerate(rows.corpus.documents) if d.label in known]
        rows.corpus = Corpus(tuple(rows.corpus.documents[i] for i in keep))
        rows.used = [rows.used[i] for i in keep]
    if not rows.used:
        raise LifecycleError(
            f"No reviewed documents to learn from ({len(reviewed)} reviewed, skipped: "
            f"{dict(rows.skipped) or 'none'}); a retrain without them is `papertrail train`.")
    merged, replaced = merge(corpus, rows.corpus)
    last = rows.used[-1]
    trained_on = TrainedOn(
        sources=[str(p.resolve()) for p in sources],
        label_map=str(label_map.resolve()) if label_map else None,
        corpus_documents=len(corpus), corpus_hash=corpus.content_hash(),
        reviewed_documents=len(rows.used), relabels=sum(r.relabelled for r in rows.used),
        confirmations=sum(not r.relabelled for r in rows.used),
        replaced_corpus_rows=replaced, skipped_reviews=dict(rows.skipped),
        reviewed_through=max(r.decided_at for r in rows.used), last_review_doc_id=last.doc_id,
        parent_bundle=active, ocr_engine=primary_engine_info(cfg_all).model_dump())
    console.print(f"corpus: {len(corpus)} documents; reviewed: {len(rows.used)} "
                  f"({trained_on.relabels} relabelled, {trained_on.confirmations} confirmed, "
                  f"{replaced} corpus rows replaced); skipped: {dict(rows.skipped) or 'none'}")
    bundle_id = train_bundle(merged, cfg, registry, activate=False, trained_on=trained_on)
    BundleEventLog(db.db).record("retrain", bundle_id, by or getpass.getuser(),
                                 previous_id=active, detail=trained_on.model_dump(mode="json"))
    new = read_info(registry.path(bundle_id))
    console.print(f"candidate [bold]{bundle_id}[/bold]: out-of-fold accuracy "
                  f"{new.metrics[new.primary].accuracy:.3f} (active {active}: "
                  f"{info.metrics[info.primary].accuracy:.3f})")
    print_gate(new)
    console.print(f"not active. Next: `papertrail bundles shadow {bundle_id}`, then "
                  f"`papertrail bundles compare` once people have reviewed documents.")


def register(app: typer.Typer) -> None:
    app.command("retrain")(retrain)
