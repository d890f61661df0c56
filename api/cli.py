"""The `papertrail` command line. Each command group lives in its own module under api/commands."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from api import cli_support
from api.commands import (
    bundles,
    config_docs,
    demo,
    documents,
    evaluate,
    index,
    llm,
    pipeline,
    report,
    retrain,
    samples,
    serve,
    train,
    users,
    webhooks,
)
from papertrail.errors import PapertrailError

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
retrain.register(app)
bundles.register(app)
samples.register(app)
evaluate.register(app)
index.register(app)
llm.register(app)
config_docs.register(app)
users.register(app)
webhooks.register(app)
report.register(app)



def run() -> None:
    """The `papertrail` entry point: any error a person can act on is one clear line and exit
    code 2, from whichever command raises it, never a traceback."""
    try:
        app()
    except PapertrailError as exc:
        cli_support.print_error(exc)
        sys.exit(2)


if __name__ == "__main__":
    run()
