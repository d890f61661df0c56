"""`papertrail samples generate`: labelled sample documents of our own."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from api.cli_support import console

samples_app = typer.Typer(help="Generated sample documents with ground truth.",
                          no_args_is_help=True)


@samples_app.command("generate")
def generate(
    out: Annotated[Path, typer.Option(help="Folder to write <class>/<id>.* into.")],
    n_per_class: Annotated[int, typer.Option(min=1)] = 10,
    seed: Annotated[int, typer.Option()] = 0,
    formats: Annotated[str, typer.Option(help="Comma-separated: png, pdf, txt.")] = "png,pdf",
    classes: Annotated[str | None, typer.Option(help="Comma-separated subset of classes.")] = None,
    dpi: Annotated[int, typer.Option(min=50, max=600)] = 150,
    noise: Annotated[bool, typer.Option("--noise/--clean")] = True,
) -> None:
    """Render invoices, receipts, purchase orders, ... as PNG/PDF with ground-truth JSON."""
    from evals.samples import CLASSES
    from evals.samples import generate as generate_samples

    chosen = tuple(c.strip() for c in classes.split(",")) if classes else CLASSES
    try:
        samples = generate_samples(out, n_per_class=n_per_class, seed=seed, classes=chosen,
                                   formats=[f.strip() for f in formats.split(",") if f.strip()],
                                   dpi=dpi, noise=noise)
    except ValueError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    console.print(f"wrote {len(samples)} documents ({len(chosen)} classes) under {out}")


def register(app: typer.Typer) -> None:
    app.add_typer(samples_app, name="samples")
