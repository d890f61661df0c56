"""What the load test uploads: generated invoice scans or text, or the shared RVL-CDIP scans."""

from __future__ import annotations

import functools
import os
from pathlib import Path

from benchmarks.ocr import rvlcdip_pages as shuffled_pages
from evals import fixtures

ROOT = Path(__file__).resolve().parents[1]
RVLCDIP = ROOT.parent / "shared" / "data" / "rvlcdip"  # real scans, read by path, never copied


@functools.cache
def rvlcdip_pages() -> list[Path]:
    """The shared RVL-CDIP scans (JPEG, ~100 dpi, 16 classes) in benchmarks/ocr.py's order."""
    pages = shuffled_pages(RVLCDIP, 10**6)
    if not pages:
        raise SystemExit(f"--kind rvlcdip needs the shared scans in {RVLCDIP}")
    return pages


def document(n: int, kind: str) -> tuple[str, bytes, str]:
    """A unique invoice; every 4th is dated in the future, so a rule sends it to review.
    `rvlcdip`: the n-th real scan instead (unique while n < 1,120)."""
    if kind == "rvlcdip":
        page = rvlcdip_pages()[n % len(rvlcdip_pages())]
        return page.name, page.read_bytes(), "image/jpeg"
    lines = [*fixtures.INVOICE_LINES[:4], f"Invoice number: LOAD-{os.getpid()}-{n}",
             *fixtures.INVOICE_LINES[5:]]
    if n % 4 == 3:
        lines = [line.replace("2026-03-14", "2099-01-01") for line in lines]
    if kind == "txt":
        return f"load-{n}.txt", "\n".join(lines).encode(), "text/plain"
    return f"load-{n}.png", fixtures.png_bytes(lines), "image/png"
