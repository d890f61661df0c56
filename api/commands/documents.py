"""`papertrail ingest | ocr | documents ...`: put documents in, read their text, list them."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from agent.errors import PapertrailError
from agent.ingest import ingest_file
from agent.ocr import OcrService
from api.cli_support import console, err_console, handles_user_errors, settings, store

documents_app = typer.Typer(help="List and inspect stored documents.", no_args_is_help=True)

FilesArg = typer.Argument(..., exists=True, dir_okay=False, readable=True,
                          help="Documents: PDF, PNG, JPEG, TIFF or UTF-8 text.")


def register(app: typer.Typer) -> None:
    app.command("ingest")(ingest)
    app.command("ocr")(ocr)
    app.add_typer(documents_app, name="documents")


def ingest(
    files: list[Path] = FilesArg,
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Validate and store documents (content-addressed; the same bytes twice are stored once)."""
    rows, failures = [], 0
    for path in files:
        try:
            result = ingest_file(path, store(), settings())
        except PapertrailError as exc:
            failures += 1
            err_console.print(f"[bold red]rejected[/] {escape(str(path))}: "
                              f"{escape(f'[{exc.code}]')} {escape(exc.message)}", highlight=False)
            rows.append({"file": str(path), **exc.to_dict()})
            continue
        rows.append({"file": str(path), "created": result.created, **result.document.to_dict()})
    if as_json:
        console.print_json(json.dumps(rows))
    elif len(rows) > failures:
        table = Table("file", "id", "type", "pages", "new?", "note")
        for row in rows:
            if "error" in row:
                continue
            note = f"extension says {row['declared_type']}" if row["type_mismatch"] else ""
            table.add_row(row["file"], row["id"][:12], row["detected_type"],
                          str(row["page_count"]), "yes" if row["created"] else "already stored",
                          note)
        console.print(table)
    if failures:
        raise typer.Exit(code=2)


@handles_user_errors
def ocr(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True),
    as_json: bool = typer.Option(False, "--json", help="Print the full result as JSON."),
) -> None:
    """Print each page's text, confidence and how it was read (cached after the first run)."""
    result = OcrService(settings()).ocr_file(file)
    if as_json:
        console.print_json(result.model_dump_json())
        return
    engine = result.engine
    options = " ".join(f"{name}={value}" for name, value in engine.options.items())
    console.print(
        f"[bold]{file.name}[/]  sha256 {result.sha256[:12]}  {engine.name} {engine.version} "
        f"{options}  {'cached' if result.cached else f'{result.seconds:.2f} s'}",
        highlight=False,
    )
    for page in result.pages:
        upscaled = (f" · upscaled ×{page.scale:g} from ~{page.estimated_dpi:.0f} dpi"
                    if page.scale > 1 and page.estimated_dpi else "")
        console.rule(f"page {page.page} · {page.method} · confidence {page.confidence:.1f} · "
                     f"{page.seconds:.2f} s{upscaled}"
                     + (f" · [red]{page.error}[/]" if page.error else ""))
        console.print(page.text, markup=False, highlight=False)


@documents_app.command("list")
def list_documents(
    status: str | None = typer.Option(None, help="Only documents with this status."),
    limit: int = typer.Option(50, min=1),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Newest documents first."""
    docs = store().documents.list(limit=limit, status=status)
    if as_json:
        console.print_json(json.dumps([d.to_dict() for d in docs]))
        return
    table = Table("id", "filename", "type", "pages", "status", "created")
    for d in docs:
        table.add_row(d.id[:12], d.filename, d.detected_type, str(d.page_count), d.status,
                      d.created_at.isoformat(timespec="seconds"))
    console.print(table)


@documents_app.command("show")
@handles_user_errors
def show_document(doc_id: str = typer.Argument(..., help="Document id (sha256).")) -> None:
    """One document's stored record as JSON."""
    console.print_json(json.dumps(store().documents.require(doc_id).to_dict()))
