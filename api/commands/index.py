"""`papertrail index --data DIR`: seed the exemplar index from a labelled corpus."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from api.context import settings as context_settings


def _text_reader(settings):  # noqa: ANN001, ANN202
    """Plain text files are read as they are; images and PDFs go through the OCR service."""
    from retrieval.corpus import read_plain_text

    ocr = None

    def read(path: Path) -> str:
        nonlocal ocr
        if path.suffix.lower() == ".txt":
            return read_plain_text(path)
        if ocr is None:
            try:
                from agent.ocr import OcrService
            except ImportError as exc:
                raise typer.BadParameter(
                    f"{path} needs OCR but agent.ocr is not available in this build."
                ) from exc
            ocr = OcrService(settings)
        return ocr.ocr_file(path).text

    return read


def register(app: typer.Typer) -> None:
    @app.command("index")
    def index(
        data: Annotated[
            Path, typer.Option("--data", help="Labelled corpus: <label>/* or labels.csv")
        ],
        limit: Annotated[
            int | None, typer.Option(help="Index at most this many documents.")
        ] = None,
    ) -> None:
        """Seed the `exemplars` collection from a labelled corpus."""
        from retrieval.corpus import exemplar_from_file, iter_labelled_files
        from retrieval.index import ExemplarIndex

        settings = context_settings()
        root = data.expanduser().resolve()
        read = _text_reader(settings)
        items = list(iter_labelled_files(root))[:limit]
        with ExemplarIndex(settings) as idx:
            batch: list = []
            done = 0
            for path, label in items:
                batch.append(exemplar_from_file(path, label, read, root=root))
                if len(batch) >= 64:
                    done += idx.upsert_exemplars(batch)
                    batch = []
                    typer.echo(f"  {done}/{len(items)} exemplars")
            done += idx.upsert_exemplars(batch)
            typer.echo(f"Indexed {done} exemplars from {root}; exemplars in index: {idx.count()}.")
