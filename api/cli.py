"""The `papertrail` command line. Each command group lives in its own module under api/commands."""

from __future__ import annotations

import typer

from api.commands import documents, index, llm

app = typer.Typer(
    name="papertrail",
    help="Papertrail: safe, auditable decisions on business documents.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
documents.register(app)
index.register(app)
llm.register(app)
