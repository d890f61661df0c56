"""`papertrail index --data DIR`: seed the exemplar index from a labelled corpus."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from api.cli_support import handles_user_errors
from api.cli_support import settings as cli_settings


def register(app: typer.Typer) -> None:
    @app.command("index")
    @handles_user_errors
    def index(
        data: Annotated[Path, typer.Option(
            "--data", help="Labelled corpus: a folder with one sub-folder per class, or a "
            "path,label CSV.")],
        limit: Annotated[
            int | None, typer.Option(help="Index at most this many documents.")
        ] = None,
    ) -> None:
        """Seed the `exemplars` collection from a labelled corpus."""
        from agent.ocr.text_reader import ocr_text_reader
        from classifiers.corpus import list_labelled_files
        from retrieval.exemplars import exemplar_from_file
        from retrieval.index import ExemplarIndex

        settings = cli_settings()
        source = data.expanduser().resolve()
        root = source if source.is_dir() else source.parent
        read = ocr_text_reader(settings)
        items = list_labelled_files(source)[:limit]
        with ExemplarIndex(settings.retrieval, settings.index_dir) as idx:
            batch: list = []
            done = 0
            for path, label in items:
                batch.append(exemplar_from_file(path, label, read, root=root))
                if len(batch) >= 64:
                    done += idx.upsert_exemplars(batch)
                    batch = []
                    typer.echo(f"  {done}/{len(items)} exemplars")
            done += idx.upsert_exemplars(batch)
            typer.echo(f"Indexed {done} exemplars from {source}; in the index: {idx.count()}.")
