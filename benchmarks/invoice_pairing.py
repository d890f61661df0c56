"""Layout pairing on generated invoices: field accuracy and auto-approval precision, with and
without it, in the same run.

    python benchmarks/invoice_pairing.py [--n 24] [--seed 7] [--out-dir /tmp/DIR]

Two generators, both the project's own (ground truth known): `evals.samples` invoices (one
flowing column: labels and values on one line) and `evals.samples.invoice_layouts` (labels and
values in separate columns/rows, the seller in the footer or beside the buyer). Each invoice is
read twice: its born-digital PDF (text layer with its word boxes) and its noisy 150-dpi PNG scan
(Tesseract, through the product's cached `OcrService`). Each reading goes through the invoice
extractor -- the text-line finders alone (baseline), and combined with layout pairing (what
the graph does) -- then fusion, checks, confidence and the packaged invoice rule set (band taken
as confident). Reported per set: exact match of vendor, invoice number, date and total; `auto %`
(invoices the rules let through); `fields_auto_precision`: of those, the share whose key fields
(vendor, date, total: `evals.metrics.KEY_FIELDS`) are all right.
Prints a table, writes benchmarks/results/invoice_pairing.json.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from agent.extraction.document import DocumentFields, read_fields, reading_of  # noqa: E402
from agent.ocr import OcrService  # noqa: E402
from agent.ocr.pdf_words import with_text_layer_words  # noqa: E402
from agent.rules import evaluate, load_rule_sets  # noqa: E402
from agent.settings import Settings  # noqa: E402
from benchmarks.extraction import matches  # noqa: E402
from evals.metrics import KEY_FIELDS  # noqa: E402
from evals.samples import generate  # noqa: E402
from evals.samples.invoice_layouts import generate_column_invoices  # noqa: E402

FIELDS = ("vendor", "invoice_number", "date", "total")


def auto_approved(found: DocumentFields, rule_set: Any) -> bool:
    values = {k: v for k, v in found.fields.values().items() if v is not None}
    results = evaluate(rule_set, values, "benchmark", lambda *_: [], today=date.today(),
                       evidence={k: v.model_dump(mode="json") for k, v in found.evidence.items()},
                       checks=[c.model_dump() for c in found.checks])
    return not any(r.requires_review for r in results)


def both_ways(path: Path, ocr: OcrService) -> dict[str, DocumentFields]:
    """The invoice read with the text-line finders alone and with layout pairing."""
    result = ocr.ocr_file(path)
    engine = "text_layer" if path.suffix == ".pdf" else result.engine.name
    if path.suffix == ".pdf":
        result = with_text_layer_words(result, path.read_bytes())
    reading = reading_of("invoice", engine, result)
    lines_only = dataclasses.replace(reading, fields=reading.lines_found or reading.fields,
                                     pairs={}, lines_found=None)
    return {"lines": read_fields([lines_only]), "lines+layout": read_fields([reading])}


def score(docs: list[tuple[str, dict, Path]], ocr: OcrService, rule_set: Any
          ) -> dict[str, Any]:
    out: dict[str, Any] = {}
    rows = []
    for doc_id, truth, path in docs:
        for variant, found in both_ways(path, ocr).items():
            hit = {f: matches(f, getattr(found.fields, f), truth[f])[0] for f in FIELDS}
            auto = auto_approved(found, rule_set)
            stats = out.setdefault(variant, {"n": 0, "auto": 0, "auto_right": 0,
                                             **{f: 0 for f in FIELDS}})
            stats["n"] += 1
            for f in FIELDS:
                stats[f] += hit[f]
            stats["auto"] += auto
            stats["auto_right"] += auto and all(hit[f] for f in KEY_FIELDS)
            rows.append({"id": doc_id, "variant": variant, "auto": auto, "hit": hit,
                         "got": {f: None if getattr(found.fields, f) is None
                                 else str(getattr(found.fields, f)) for f in FIELDS}})
    for stats in out.values():
        n = stats["n"] or 1
        for f in FIELDS:
            stats[f] = round(stats[f] / n, 3)
        stats["auto_share"] = round(stats["auto"] / n, 3)
        stats["fields_auto_precision"] = round(stats["auto_right"] / stats["auto"], 3) \
            if stats["auto"] else None
    return {"summary": out, "rows": rows}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=24, help="invoices per generator")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out-dir", type=Path, default=None,
                        help="where to write the generated invoices (default: a temp dir)")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" /
                        "invoice_pairing.json")
    args = parser.parse_args(argv)
    console = Console()
    rule_set = load_rule_sets()["invoice"]
    ocr = OcrService(Settings())
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.out_dir or Path(tmp)
        flowing = generate(folder / "flowing", n_per_class=args.n, seed=args.seed,
                           classes=["invoice"], formats=("png", "pdf"))
        columns = generate_column_invoices(folder / "columns", args.n, seed=args.seed)
        sets = {
            "flowing, PDF": [(s.doc_id, s.fields, s.files[1]) for s in flowing],
            "flowing, PNG scan": [(s.doc_id, s.fields, s.files[0]) for s in flowing],
            "columns, PDF": [(d, f, pdf) for d, f, _, pdf in columns],
            "columns, PNG scan": [(d, f, png) for d, f, png, _ in columns],
        }
        results = {name: score(docs, ocr, rule_set) for name, docs in sets.items()}
    table = Table(title="Generated invoices: text-line finders vs + layout pairing")
    for col in ("set", "finders", "n", *FIELDS, "auto %", "fields_auto_precision"):
        table.add_column(col, justify="left" if col in ("set", "finders") else "right")
    for name, result in results.items():
        for i, (variant, s) in enumerate(result["summary"].items()):
            precision = s["fields_auto_precision"]
            table.add_row(name if i == 0 else "", variant, str(s["n"]),
                          *(f"{s[f]:.3f}" for f in FIELDS), f"{100 * s['auto_share']:.0f}",
                          "-" if precision is None else f"{precision:.3f} (n={s['auto']})")
        table.add_section()
    console.print(table)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"seconds": round(time.perf_counter() - started, 1),
                                    "n": args.n, "seed": args.seed, "results": results},
                                   indent=2, default=str))
    console.print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
