"""`papertrail process | review | lineage`: run documents through the graph and decide reviews."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from agent.errors import PapertrailError
from agent.ingest import ingest_file
from agent.lineage import LineageLog, VerifyReport
from agent.pipeline import Pipeline
from agent.review import ReviewDecision
from agent.state import DocumentState
from agent.training_rows import export_training_rows
from api.cli_support import console, err_console, handles_user_errors, settings, store

review_app = typer.Typer(help="Pending human reviews: list, show and decide them.",
                         no_args_is_help=True)

ReviewerOpt = typer.Option("cli", "--reviewer", "-r", help="Who decides (recorded in lineage).")


def register(app: typer.Typer) -> None:
    app.command("process")(process)
    app.command("lineage")(lineage)
    app.add_typer(review_app, name="review")


@contextmanager
def _pipeline() -> Iterator[Pipeline]:
    with Pipeline.open(settings(), store=store()) as pipeline:
        yield pipeline


def _outcome(state: DocumentState) -> dict[str, object]:
    prediction = state.prediction or {}
    confidence = prediction.get("probabilities", {}).get(state.label or "")
    return {
        "doc_id": state.doc_id, "filename": state.filename, "status": state.status,
        "band": state.band, "band_reason": state.band_reason, "label": state.label,
        "confidence": confidence, "fields": state.fields,
        "rules": [{k: r[k] for k in ("rule_id", "passed", "message")} for r in state.rule_results],
        "review_reasons": state.review_reasons,
    }


@handles_user_errors
def process(
    files: list[Path] = typer.Argument(..., exists=True, dir_okay=False, readable=True),
    as_json: bool = typer.Option(False, "--json", help="Print JSON outcomes."),
) -> None:
    """Ingest and run documents through the graph; print band, label, fields, rules, status."""
    outcomes, failures = [], 0
    with _pipeline() as pipeline:
        for path in files:
            try:
                doc = ingest_file(path, store(), settings()).document
                outcomes.append(_outcome(pipeline.process(doc.id)))
            except PapertrailError as exc:
                failures += 1
                err_console.print(f"[red]{escape(str(path))}[/]: {escape(exc.message)}")
    if as_json:
        console.print_json(json.dumps(outcomes, default=str))
    else:
        for out in outcomes:
            _print_outcome(out)
    if failures:
        raise typer.Exit(code=2)


def _print_outcome(out: dict) -> None:
    conf = f"{out['confidence']:.3f}" if out["confidence"] is not None else "-"
    colour = {"approved": "green", "rejected": "red", "needs_review": "yellow"}.get(
        str(out["status"]), "white")
    console.rule(f"{escape(str(out['filename']))} · {str(out['doc_id'])[:12]}")
    console.print(f"[{colour}]{out['status']}[/]  label={out['label']} ({conf})  "
                  f"band={out['band']}: {escape(str(out['band_reason']))}")
    if out["fields"]:
        console.print("fields: " + ", ".join(f"{k}={v}" for k, v in out["fields"].items()),
                      markup=False)
    for rule in out["rules"]:
        mark = {True: "[green]pass[/]", False: "[red]FAIL[/]", None: "[dim]skip[/]"}[rule["passed"]]
        console.print(f"  {mark} {rule['rule_id']}: {escape(rule['message'])}")
    for reason in out["review_reasons"]:
        console.print(f"  [yellow]review:[/] {escape(reason)}")


@review_app.command("list")
def review_list(as_json: bool = typer.Option(False, "--json")) -> None:
    """Pending reviews, oldest first."""
    pending = store().reviews.pending()
    if as_json:
        console.print_json(json.dumps([{"doc_id": r.doc_id, "created_at": r.created_at,
                                        **r.payload} for r in pending], default=str))
        return
    table = Table("doc id", "file", "label", "band", "why", "waiting since")
    for r in pending:
        p = r.payload
        table.add_row(r.doc_id[:12], p.get("filename"), str(p.get("label")), str(p.get("band")),
                      "; ".join(p.get("review_reasons", []))[:80],
                      r.created_at.isoformat(timespec="seconds"))
    console.print(table)


@review_app.command("export")
@handles_user_errors
def review_export(
    out: Path = typer.Option(..., "--out", help="CSV to write (path,label)."),
) -> None:
    """Human-reviewed decisions as `path,label` training rows for the next `papertrail train`
    (paths point at the kept originals; their OCR is already cached)."""
    rows = export_training_rows(store(), out)
    console.print(f"wrote {rows} reviewed document(s) to {out}")


@review_app.command("show")
@handles_user_errors
def review_show(doc_id: str) -> None:
    """Everything a reviewer needs for one document."""
    review = store().reviews.get(_full_id(doc_id))
    if review is None:
        raise PapertrailError(f"No review for document {doc_id!r}.")
    console.print_json(json.dumps({"status": review.status, "reviewer": review.reviewer,
                                   "decision": review.decision, **review.payload}, default=str))


def _decide(doc_id: str, decision: ReviewDecision) -> None:
    with _pipeline() as pipeline:
        outcome = pipeline.resume(_full_id(doc_id), decision)
    console.print(("[green]" if outcome.acted else "[yellow]") + escape(outcome.message))


@review_app.command("approve")
@handles_user_errors
def review_approve(doc_id: str, reviewer: str = ReviewerOpt) -> None:
    """Approve as it stands."""
    _decide(doc_id, ReviewDecision(action="approve", reviewer=reviewer))


@review_app.command("reject")
@handles_user_errors
def review_reject(doc_id: str, reviewer: str = ReviewerOpt,
                  note: str = typer.Option(None, help="Why.")) -> None:
    """Reject the document."""
    _decide(doc_id, ReviewDecision(action="reject", reviewer=reviewer, note=note))


@review_app.command("relabel")
@handles_user_errors
def review_relabel(doc_id: str, label: str, reviewer: str = ReviewerOpt) -> None:
    """Change the document type (its fields are extracted again for the new type)."""
    _decide(doc_id, ReviewDecision(action="relabel", label=label, reviewer=reviewer))


@review_app.command("edit")
@handles_user_errors
def review_edit(doc_id: str, fields: list[str] = typer.Argument(..., help="NAME=VALUE ..."),
                reviewer: str = ReviewerOpt) -> None:
    """Correct fields and approve, e.g. `edit ID total=120.50 date=2026-01-31`."""
    pairs = dict(f.split("=", 1) for f in fields if "=" in f)
    if len(pairs) != len(fields):
        raise PapertrailError("Give fields as NAME=VALUE, e.g. total=120.50.")
    _decide(doc_id, ReviewDecision(action="edit", fields=pairs, reviewer=reviewer))


@handles_user_errors
def lineage(
    doc_id: str = typer.Argument(..., help="Document id (or a unique prefix)."),
    verify: bool = typer.Option(False, "--verify", help="Check the hash chain and the "
                                "records' signatures; exit 1 if anything was rewritten."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Every step's record for one document: what produced its decision."""
    log = LineageLog.from_settings(settings(), store().db)
    full = _full_id(doc_id)
    if verify:
        _print_verify(log.verify(full))
        return
    records = log.records(full)
    if as_json:
        console.print_json(json.dumps(records, default=str))
        return
    for r in records:
        signer = f"key {r['key_id']}" if r["key_id"] else "unsigned"
        console.rule(f"{r['seq']}. {r['node']} · {r['created_at']} · {r['hash'][:12]} · {signer}")
        console.print_json(json.dumps(r["payload"], default=str))


def _print_verify(report: VerifyReport) -> None:
    unsigned = (f"; records {_seqs(report.unsigned)} unsigned (written before lineage signing)"
                if report.unsigned else "")
    if report.ok:
        keys = f", signed by key {', '.join(report.key_ids)}" if report.key_ids else ""
        console.print(f"[green]lineage intact[/]: {report.records} records, chain verified"
                      f"{escape(keys)}{escape(unsigned)}")
        return
    for problem in report.problems:
        err_console.print(f"[red]tampered[/]: {escape(problem)}")
    if report.rewritten:
        err_console.print(f"[red]rewritten records[/]: {_seqs(report.rewritten)}{escape(unsigned)}")
    raise typer.Exit(code=1)


def _seqs(seqs: list[int]) -> str:
    return ", ".join(str(seq) for seq in seqs)


def _full_id(prefix: str) -> str:
    return store().documents.resolve_prefix(prefix)
