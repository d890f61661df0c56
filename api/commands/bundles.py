"""`papertrail bundles list | show ID`: the classifier bundle registry (shadow, compare, activate
and rollback are in api/commands/bundle_lifecycle.py)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from api.cli_support import console, handles_user_errors, settings

if TYPE_CHECKING:
    from agent.store.models import BundleEvent
    from classifiers.bundle import BundleInfo

bundles_app = typer.Typer(help="Classifier bundles: list, inspect, shadow, compare, activate "
                          "(promote), roll back.", no_args_is_help=True)

RootOption = Annotated[Path | None, typer.Option(
    "--root", help="Bundle registry folder (default: the data folder's bundles/).")]


def _registry(root: Path | None):  # -> classifiers.bundle.Registry
    from classifiers.bundle import Registry

    return Registry(root or settings().bundle_dir)


@bundles_app.command("list")
def list_bundles(root: RootOption = None) -> None:
    """Every bundle in the registry; the active one is marked with *."""
    from classifiers.bundle import read_info
    from classifiers.errors import BundleError

    registry = _registry(root)
    ids = registry.ids()
    if not ids:
        console.print(f"no bundles in {registry.root}; train one with `papertrail train`.")
        return
    active, shadow = registry.active_id(), registry.shadow_id()
    steps = last_steps()
    table = Table("")
    table.add_column("id", no_wrap=True, min_width=16)
    table.add_column("created", no_wrap=True)
    table.add_column("model", no_wrap=True)
    for header in ("labels", "accuracy", "certified", "coverage"):
        table.add_column(header, justify="right")
    table.add_column("last step")
    for bundle_id in ids:
        mark = "*" if bundle_id == active else "s" if bundle_id == shadow else ""
        try:
            info = read_info(registry.path(bundle_id))
        except BundleError as exc:
            table.add_row(mark, bundle_id, f"[red]{exc}[/red]", "", "", "", "", "", "")
            continue
        gate = info.gate
        table.add_row(mark, bundle_id,
                      info.created_at.strftime("%Y-%m-%d"), info.primary,
                      str(len(info.labels)), f"{info.metrics[info.primary].accuracy:.3f}",
                      ("yes" if gate.certified else "no") if gate else "predates gates",
                      f"{gate.coverage:.1%}" if gate else "-", steps.get(bundle_id, ""))
    console.print(table)
    console.print("* active, s shadow (`papertrail bundles show ID` has each one's history)")


def last_steps() -> dict[str, str]:
    """Per bundle, its latest lifecycle step as 'action by who at when' (empty when the
    database cannot be read: the listing does not need it)."""
    from agent.store.bundle_events import BundleEventLog
    from api.cli_support import store
    from papertrail.errors import PapertrailError

    try:
        events = BundleEventLog(store().db).events()
    except PapertrailError:
        return {}
    return {e.bundle_id: describe_event(e) for e in events if e.bundle_id}


def describe_event(event: BundleEvent) -> str:
    text = f"{event.action} by {event.actor} {event.at:%Y-%m-%d %H:%M}"
    return text + (" (forced)" if event.forced else "")


@bundles_app.command("show")
@handles_user_errors
def show(bundle_id: str, root: RootOption = None) -> None:
    """One bundle's metadata, metrics per model and verification status."""
    from classifiers.bundle import read_info, read_manifest, verify

    registry = _registry(root)
    full = registry.resolve(bundle_id)
    folder = registry.path(full)
    manifest, info, bad = read_manifest(folder), read_info(folder), verify(folder)
    console.print(f"[bold]{full}[/bold]{'  (active)' if registry.active_id() == full else ''}")
    console.print(f"content hash  {manifest.content_hash}")
    console.print(f"verified      {'yes' if not bad else f'[red]NO: {bad}[/red]'}")
    console.print(f"created       {info.created_at.isoformat()}")
    console.print(f"base model    {info.base_model}  max_length {info.max_length}  "
                  f"head_fraction {info.head_fraction}")
    members = info.weights or {"bert": info.ensemble_weight}
    console.print(f"answers with  {info.primary}  weights "
                  + ", ".join(f"{m} {w:.2f}" for m, w in members.items()))
    console.print(f"corpus        {info.corpus_hash[:16]}  documents {info.n_train}  "
                  + (f"cross-fitted over {info.folds} folds" if info.folds
                     else f"validation {info.n_validation}"))
    console.print(f"labels        {', '.join(info.labels)}")
    print_trained_on(info)
    table = Table("model", "accuracy", "macro-F1", "ECE before", "ECE after", "T",
                  title="out-of-fold metrics" if info.folds else "validation metrics")
    for name, m in info.metrics.items():
        table.add_row(name, f"{m.accuracy:.3f}", f"{m.macro_f1:.3f}", f"{m.ece_before:.3f}",
                      f"{m.ece_after:.3f}", f"{m.temperature:.2f}")
    console.print(table)
    print_gate(info)
    per_class = Table("class", "precision", "recall", "F1", "support",
                      title=f"per class ({info.primary})")
    for label, c in info.metrics[info.primary].per_class.items():
        per_class.add_row(label, f"{c.precision:.2f}", f"{c.recall:.2f}", f"{c.f1:.2f}",
                          str(c.support))
    console.print(per_class)
    from api.commands.bundle_profile import print_profile

    print_profile(info)
    print_history(full)


def print_trained_on(info: BundleInfo) -> None:
    t = info.trained_on
    if t is None:
        return
    console.print(f"trained on    {t.corpus_documents} corpus documents ({', '.join(t.sources)})"
                  + (f" + {t.reviewed_documents} reviewed ({t.relabels} relabelled, "
                     f"{t.confirmations} confirmed) up to the review of "
                     f"{t.last_review_doc_id[:12] if t.last_review_doc_id else '?'} at "
                     f"{t.reviewed_through.isoformat() if t.reviewed_through else '?'}; "
                     f"retrained from {t.parent_bundle}" if t.reviewed_documents else ""))
    if t.skipped_reviews:
        console.print(f"              reviews left out: {t.skipped_reviews}")
    if t.ocr_engine:
        console.print(f"read by       {engine_line(t.ocr_engine)}")


def engine_line(engine: dict) -> str:
    """`tesseract 5.5.4 (tesserocr 2.13.0) binding=api ...`: an OCR engine in one line."""
    options = " ".join(f"{k}={v}" for k, v in sorted((engine.get("options") or {}).items()))
    return f"{engine.get('name')} {engine.get('version')} {options}".strip()


def print_history(bundle_id: str) -> None:
    from agent.store.bundle_events import BundleEventLog
    from api.cli_support import store

    events = BundleEventLog(store().db).events(bundle_id)
    if not events:
        return
    table = Table("when", "step", "bundle", "previous", "by", "reason", title="history")
    for e in events:
        table.add_row(f"{e.at:%Y-%m-%d %H:%M:%S}", e.action + (" (forced)" if e.forced else ""),
                      e.bundle_id or "-", e.previous_id or "-", e.actor, e.reason or "")
    console.print(table)


def register(app: typer.Typer) -> None:
    from api.commands.bundle_lifecycle import register_lifecycle

    register_lifecycle(bundles_app)
    app.add_typer(bundles_app, name="bundles")


def print_gate(info: BundleInfo) -> None:
    """The certificate: per cell threshold, accepted, errors, bound; or why there is none."""
    gate = info.gate
    if gate is None:
        console.print("[yellow]uncertified: this bundle predates certified gates; its "
                      "thresholds were fitted on one validation split. Re-train it.[/yellow]")
        return
    console.print(f"gate          {gate.scheme}: precision >= {gate.target_precision} with "
                  f"confidence {1 - gate.delta:.0%} (Clopper-Pearson, fixed-sequence), "
                  f"coverage {gate.coverage:.1%} of {gate.n} out-of-fold documents")
    table = Table("cell", "threshold", "n", "accepted", "errors", "error bound", "certified",
                  "needs more docs", title="certified auto-approve gate")
    for cell, c in gate.cells.items():
        table.add_row(cell, f"{c.threshold:.4f}", str(c.n), str(c.accepted), str(c.errors),
                      "-" if c.error_bound is None else f"{c.error_bound:.4f}",
                      "yes" if c.certified else "[yellow]no[/yellow]",
                      "-" if c.needed_more is None or c.certified else f"~{c.needed_more}")
    console.print(table)
