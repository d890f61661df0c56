"""The `papertrail` command line. Each command group lives in its own module under api/commands."""

from __future__ import annotations

from pathlib import Path

import typer

from api import cli_support
from api.commands import (
    bundles,
    demo,
    documents,
    evaluate,
    index,
    llm,
    pipeline,
    samples,
    serve,
    train,
)

app = typer.Typer(
    name="papertrail",
    help="Papertrail: safe, auditable decisions on business documents.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)


@app.callback()
def main(
    data_dir: Path | None = typer.Option(
        None, "--data-dir", envvar="PAPERTRAIL_DATA_DIR",
        help="Folder for the database, blobs, caches, bundles and indexes (default ./var).",
    ),
) -> None:
    cli_support.set_overrides(data_dir)


documents.register(app)
demo.register(app)
pipeline.register(app)
serve.register(app)
train.register(app)
bundles.register(app)
samples.register(app)
evaluate.register(app)
index.register(app)
llm.register(app)

if __name__ == "__main__":
    app()
