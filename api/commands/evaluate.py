"""`papertrail eval`: run labelled corpora through the real graph; `eval compare` gates a change."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn
from rich.table import Table

from agent.services import DocumentClassifier, active_classifier
from api.cli_support import console, handles_user_errors, settings
from evals.compare import compare, load_report
from evals.datasets import load_dataset
from evals.metrics import summarize
from evals.report import render_html
from evals.runner import eval_settings, run_eval, select
from evals.splits import split, write_csv

eval_app = typer.Typer(help="Offline evaluation: decision quality on labelled documents.",
                       invoke_without_command=True)


def register(app: typer.Typer) -> None:
    app.add_typer(eval_app, name="eval")


@eval_app.callback()
@handles_user_errors
def run(
    ctx: typer.Context,
    data: list[Path] = typer.Option(None, "--data", help="Folder-per-class, path,label CSV, "
                                    "or SROIE-style folder (key/ + img/). Repeatable."),
    out: Path = typer.Option(None, "--out", help="Where results, report.json and report.html "
                             "go. Re-running with the same folder resumes."),
    bundle: str | None = typer.Option(None, help="Bundle id or folder; default the active one."),
    no_llm: bool = typer.Option(False, "--no-llm", help="Skip LLM adjudication: ambiguous "
                                "documents go to the (oracle) reviewer."),
    limit: int | None = typer.Option(None, min=1, help="Evaluate a fixed sample of N documents."),
    workers: int | None = typer.Option(None, min=1, help="OCR processes (default: cores)."),
) -> None:
    """Run every document through the graph; an oracle reviewer answers reviews."""
    if ctx.invoked_subcommand is not None:
        return
    if not data or out is None:
        raise typer.BadParameter("give at least one --data and an --out folder")
    items = select([item for source in data for item in load_dataset(source)], limit)
    cfg = eval_settings(settings(), out, workers, llm=not no_llm)
    classifier = _classifier(bundle)
    columns = (*Progress.get_default_columns()[:1], BarColumn(), MofNCompleteColumn(),
               TimeRemainingColumn())
    with Progress(*columns, console=console) as progress:
        rows, wall = run_eval(items, out, cfg, classifier, progress)
    lineage = classifier.lineage()
    report = summarize(rows, list(classifier.labels), str(lineage["bundle_id"]), wall,
                       certificate=lineage.get("gate"))
    (out / "report.json").write_text(json.dumps(report, indent=2, default=str))
    (out / "report.html").write_text(render_html(report, rows), encoding="utf-8")
    table = Table("metric", "value", title=f"{len(rows)} documents")
    for key in ("accuracy", "macro_f1", "ece", "coverage_at_98", "coverage_at_99",
                "auto_precision", "auto_coverage", "final_accuracy", "docs_per_min"):
        table.add_row(key, f"{report[key]:.4f}")
    if report.get("fields_auto_precision") is not None:  # documents with ground-truth fields
        table.add_row(f"fields_auto_precision (n={report['fields_auto_n']})",
                      f"{report['fields_auto_precision']:.4f}")
        table.add_row("fields_auto_coverage", f"{report['fields_auto_coverage']:.4f}")
    console.print(table)
    console.print(f"routing: {report['routing']}")
    console.print(certificate_line(report))
    console.print(f"wrote {out / 'report.json'} and {out / 'report.html'}")


def _classifier(bundle: str | None) -> DocumentClassifier:
    """The active bundle of the data folder, or `bundle` as a registry id (or a unique prefix of
    one) or a bundle folder."""
    from classifiers.bundle import Registry
    from classifiers.inference import load_bundle

    if bundle is None:
        return active_classifier(settings())
    if Path(bundle).is_dir():
        return load_bundle(Path(bundle))
    registry = Registry(settings().bundle_dir)
    return load_bundle(registry.path(registry.resolve(bundle)))


@eval_app.command("split")
@handles_user_errors
def split_cmd(
    data: Path = typer.Option(..., "--data", help="A labelled corpus (any supported layout)."),
    out: Path = typer.Option(..., "--out", help="Folder for train.csv and test.csv."),
    test_fraction: float = typer.Option(0.2, min=0.05, max=0.95),
    seed: int = typer.Option(13),
) -> None:
    """Write a fixed, stratified train/test split as path,label CSVs (for `train` and `eval`)."""
    train, test = split(load_dataset(data), test_fraction, seed)
    write_csv(train, out / "train.csv")
    write_csv(test, out / "test.csv")
    console.print(f"train: {len(train)} → {out / 'train.csv'}\ntest: {len(test)} → "
                  f"{out / 'test.csv'}")


@eval_app.command("compare")
@handles_user_errors
def compare_cmd(
    old: Path = typer.Argument(..., exists=True, help="Old report.json or its folder."),
    new: Path = typer.Argument(..., exists=True, help="New report.json or its folder."),
    max_drop: float = typer.Option(0.01, min=0.0, help="Largest tolerated drop per metric."),
) -> None:
    """Side-by-side table; exits 1 when NEW regresses beyond --max-drop (the gate before
    `bundles activate`)."""
    changes = compare(load_report(old), load_report(new), max_drop)
    table = Table("metric", "old", "new", "delta", "")
    for c in changes:
        flag = "[red]REGRESSED[/]" if c.regressed else ""
        table.add_row(c.metric, f"{c.old:.4f}", f"{c.new:.4f}", f"{c.delta:+.4f}", flag)
    console.print(table)
    if any(c.regressed for c in changes):
        console.print(f"[red]gate failed[/]: a metric dropped by more than {max_drop}")
        raise typer.Exit(code=1)
    console.print("[green]gate passed[/]")


def certificate_line(report: dict) -> str:
    """The bundle's promise beside what this evaluation measured."""
    gate, ci = report.get("certificate") or {}, report.get("auto_precision_ci95")
    measured = (f"measured auto-approved precision {report['auto_precision']:.3f}"
                + (f" [95 % CI {ci[0]:.3f}, {ci[1]:.3f}]" if ci else " (nothing auto-approved)"))
    if not gate.get("certified"):
        return f"certificate: none ({gate.get('note', 'no certified threshold')}); {measured}"
    return (f"certificate: precision >= {gate['target_precision']} at {1 - gate['delta']:.0%} "
            f"confidence ({gate['scheme']} gate, {gate['accepted']}/{gate['n']} out-of-fold "
            f"documents accepted, {gate['errors']} errors); {measured}. The certificate holds "
            "for documents like the bundle's training data.")
