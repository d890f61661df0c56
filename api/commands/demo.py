"""`papertrail demo`: the first run on a new machine — make documents, store them, read them."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import track
from rich.table import Table

from agent.ingest import ingest_file
from agent.ocr import OcrService
from api.context import console, handles_user_errors, settings, store
from evals import fixtures


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)


def _write_samples(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    second_page = ["Terms and conditions", "Goods remain our property until paid in full."]
    files = {
        "invoice.png": fixtures.png_bytes(),
        "invoice-scan.pdf": fixtures.scanned_pdf_bytes([fixtures.INVOICE_LINES, second_page]),
        "invoice-digital.pdf": fixtures.text_pdf_bytes([fixtures.INVOICE_LINES]),
        "invoice-fax.tiff": fixtures.tiff_bytes([fixtures.INVOICE_LINES, second_page]),
        "note.txt": "\n".join(fixtures.INVOICE_LINES).encode(),
    }
    paths = []
    for name, data in files.items():
        path = folder / name
        path.write_bytes(data)
        paths.append(path)
    return paths


@handles_user_errors
def demo() -> None:
    """Generate sample documents, ingest and OCR them, and print what happened."""
    cfg = settings()
    samples = _write_samples(cfg.resolved_data_dir / "samples")
    service = OcrService(cfg)
    table = Table("file", "id", "type", "pages", "method", "confidence", "seconds")
    for path in track(samples, description="ingest + OCR"):
        document = ingest_file(path, store(), cfg).document
        result = service.ocr_file(path)
        methods = ",".join(sorted({p.method for p in result.pages}))
        table.add_row(path.name, document.id[:12], document.detected_type,
                      str(document.page_count), methods, f"{result.mean_confidence:.1f}",
                      "cached" if result.cached else f"{result.seconds:.2f}")
    console.print(table)
    console.print(f"Data folder: {cfg.resolved_data_dir}")
    console.print("Next: `papertrail documents list`, `papertrail ocr FILE`.")
