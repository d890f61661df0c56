"""`papertrail demo`: the whole flow offline, no server — a demo bundle, generated documents
of every type, each run through the graph, with where to look next."""

from __future__ import annotations

import tempfile
from pathlib import Path

import typer
from rich.progress import track
from rich.table import Table

from agent.ingest import ingest_file
from agent.pipeline import Pipeline
from api.cli_support import console, handles_user_errors, settings, store


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)


@handles_user_errors
def demo(per_class: int = typer.Option(1, min=1, help="Documents per generated type.")) -> None:
    """Train the demo bundle if none is active, then process generated documents."""
    from evals.demo_bundle import ensure_active_bundle
    from evals.samples import generate, generate_mixed

    cfg = settings()
    console.print(f"classifier bundle: {ensure_active_bundle(cfg)}")
    table = Table("file", "id", "status", "band", "label", "confidence", "why a person looks")
    with tempfile.TemporaryDirectory(prefix="papertrail-demo-") as tmp, \
            Pipeline.open(cfg, store=store()) as pipeline:
        generate(Path(tmp), n_per_class=per_class, seed=7, formats=("png",))
        mixed = generate_mixed(Path(tmp) / "mixed", "memo", "invoice", seed=7)  # for doubt
        files = [mixed, *sorted(p for p in Path(tmp).rglob("*.png") if p != mixed)]
        for path in track(files, description="processing"):
            doc = ingest_file(path, store(), cfg).document
            state = pipeline.process(doc.id)
            probability = (state.prediction or {}).get("probabilities", {}).get(state.label, 0)
            table.add_row(path.name, doc.id[:12], state.status, str(state.band),
                          str(state.label), f"{probability:.3f}",
                          "; ".join(state.review_reasons)[:70])
    console.print(table)
    console.print(f"data folder: {cfg.resolved_data_dir}\nnext: `papertrail review list`, "
                  "`papertrail lineage ID`, `papertrail serve` for the API.")
