"""`papertrail index --data DIR`: seed the exemplar index from a labelled corpus, load policies."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from api.cli_support import settings as cli_settings


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
        policies: Annotated[
            Path | None, typer.Option(help="Policies YAML (default: the settings' file).")
        ] = None,
    ) -> None:
        """Seed the `exemplars` collection from a labelled corpus and reload the `policies` one."""
        from retrieval.corpus import exemplar_from_file, iter_labelled_files
        from retrieval.index import ExemplarIndex
        from retrieval.policies import load_policies

        settings = cli_settings()
        root = data.expanduser().resolve()
        read = _text_reader(settings)
        items = list(iter_labelled_files(root))[:limit]
        with ExemplarIndex(settings) as idx:
            policy_set = load_policies(policies or settings.retrieval.policies_file)
            n_policies = idx.upsert_policies(policy_set)
            batch: list = []
            done = 0
            for path, label in items:
                batch.append(exemplar_from_file(path, label, read, root=root))
                if len(batch) >= 64:
                    done += idx.upsert_exemplars(batch)
                    batch = []
                    typer.echo(f"  {done}/{len(items)} exemplars")
            done += idx.upsert_exemplars(batch)
            typer.echo(
                f"Indexed {done} exemplars from {root} and {n_policies} policies "
                f"(v{policy_set.version}); exemplars in index: {idx.count()}."
            )
