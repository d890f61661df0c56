"""Field extraction accuracy on real labelled documents.

    python benchmarks/extraction.py [--data ../shared/data] [--errors FIELD]

Sets (each skipped cleanly when its folder is absent):
- `sroie-tesseract`: SROIE receipt images through Papertrail's OCR service (cached), then the
  receipt extractor; scored on company, date, address, total.
- `sroie-transcript`: the same receipts' ground-truth line transcripts (`box/ID.csv`) as input,
  which separates OCR errors from extractor errors.
- `invoices`: invoice2data's vendor invoices (PDF text layers with their word boxes; TXT when
  there is no PDF) through the invoice extractor and layout pairing, combined as the graph
  combines them; scored on issuer, amount, date, invoice_number, currency.
- `invoices-lines`: the same through the text-line finders alone (the baseline, same run).
- `invoices-scan`: the invoices that ship a PNG render, through Tesseract (cached) and both
  finders; `invoices-scan-lines` beside it with the text-line finders alone.

Values are compared after normalisation (dates parsed, amounts as decimals, names folded:
case, accents, punctuation, whitespace). `exact` = equal after that; `close` = folded string
similarity >= 0.8 (text fields only; shows near misses such as one OCR typo). Coverage = share
of documents where the extractor produced a value. Prints one table, writes
benchmarks/results/extraction.json.
"""

from __future__ import annotations

import argparse
import csv
import difflib
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from agent.extraction import EXTRACTOR_VERSION, ExtractedFields, extract_fields  # noqa: E402
from agent.extraction.document import reading_of  # noqa: E402
from agent.extraction.normalize import (  # noqa: E402
    fold_text,
    parse_amount,
    parse_date,
    same_amount,
)
from agent.ocr import OcrResult, OcrService  # noqa: E402
from agent.ocr.pdf_words import with_text_layer_words  # noqa: E402
from agent.settings import Settings  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data"
SETS = ("sroie-tesseract", "sroie-transcript", "invoices-lines", "invoices", "invoices-scan")

# label key -> our field name
SROIE_FIELDS = {"company": "vendor", "date": "date", "address": "address", "total": "total"}
INVOICE_FIELDS = {"issuer": "vendor", "amount": "total", "date": "date",
                  "invoice_number": "invoice_number", "currency": "currency"}


def matches(field: str, predicted: Any, expected: Any) -> tuple[bool, bool]:
    """(exact, close) after normalisation."""
    if predicted is None:
        return False, False
    if field == "date":
        ok = parse_date(str(expected)) == predicted
        return ok, ok
    if field == "total":
        ok = same_amount(parse_amount(expected), predicted)
        return ok, ok
    if field == "currency":
        ok = str(predicted).upper() == str(expected).upper()
        return ok, ok
    a, b = fold_text(str(predicted)), fold_text(str(expected))
    return a == b, a == b or difflib.SequenceMatcher(None, a, b).ratio() >= 0.8


def score(name: str, docs: list[tuple[str, dict[str, Any], ExtractedFields]],
          fields: dict[str, str]) -> dict[str, Any]:
    per_field: dict[str, dict[str, Any]] = {}
    rows = []
    for doc_id, labels, got in docs:
        row: dict[str, Any] = {"id": doc_id, "fields": {}}
        for label_key, field in fields.items():
            if labels.get(label_key) in (None, ""):
                continue
            predicted = getattr(got, field)
            exact, close = matches(field, predicted, labels[label_key])
            stats = per_field.setdefault(label_key, {"n": 0, "covered": 0, "exact": 0,
                                                     "close": 0})
            stats["n"] += 1
            stats["covered"] += predicted is not None
            stats["exact"] += exact
            stats["close"] += close
            source = got.provenance.get(field)
            row["fields"][label_key] = {
                "expected": labels[label_key], "got": None if predicted is None else str(predicted),
                "exact": exact, "rule": source.rule if source else None,
            }
        rows.append(row)
    for stats in per_field.values():
        n = stats["n"] or 1
        stats["coverage_pct"] = round(100 * stats["covered"] / n, 1)
        stats["exact_pct"] = round(100 * stats["exact"] / n, 1)
        stats["close_pct"] = round(100 * stats["close"] / n, 1)
    return {"set": name, "documents": len(docs), "fields": per_field, "rows": rows}


def sroie_ids(folder: Path) -> list[str]:
    return sorted(p.stem for p in (folder / "key").glob("*.json"))


def transcript(box_csv: Path) -> str:
    """The ground-truth lines of a SROIE receipt, in file order (top to bottom)."""
    with box_csv.open(encoding="utf-8", errors="replace", newline="") as fh:
        return "\n".join(",".join(row[8:]) for row in csv.reader(fh) if len(row) > 8)


def run_sroie(folder: Path, ocr: OcrService, sets: set[str]) -> list[dict[str, Any]]:
    ids = sroie_ids(folder)
    if not ids:
        return []
    labels = {i: json.loads((folder / "key" / f"{i}.json").read_text()) for i in ids}
    results = []
    images = [folder / "img" / f"{i}.jpg" for i in ids]
    present = [(i, p) for i, p in zip(ids, images, strict=True) if p.exists()]
    if present and "sroie-tesseract" in sets:
        texts = ocr.ocr_paths([p for _, p in present])
        docs = [(i, labels[i], extract_fields("receipt", r.text))
                for (i, _), r in zip(present, texts, strict=True)]
        results.append(score("sroie-tesseract", docs, SROIE_FIELDS))
    boxes = [(i, folder / "box" / f"{i}.csv") for i in ids]
    docs = [(i, labels[i], extract_fields("receipt", transcript(p))) for i, p in boxes
            if p.exists()]
    if docs and "sroie-transcript" in sets:
        results.append(score("sroie-transcript", docs, SROIE_FIELDS))
    return results


def invoice_inputs(folder: Path) -> list[tuple[str, Path, dict[str, Any]]]:
    found = []
    for label_file in sorted(folder.glob("*.json")):
        source = next((label_file.with_suffix(s) for s in (".pdf", ".txt", ".png")
                       if label_file.with_suffix(s).exists()), None)
        if source is None:
            continue
        labels = json.loads(label_file.read_text())
        found.append((label_file.stem, source, labels[0] if isinstance(labels, list) else labels))
    return found


def invoice_fields(result: OcrResult, source: Path) -> tuple[ExtractedFields, ExtractedFields]:
    """(text-line finders alone, with layout pairing) for one invoice, as the graph reads it:
    word boxes from OCR, or from the PDF's text layer."""
    if source.suffix.lower() == ".pdf":
        result = with_text_layer_words(result, source.read_bytes())
    reading = reading_of("invoice", result.engine.name, result)
    return reading.lines_found or reading.fields, reading.fields


def run_invoices(folder: Path, ocr: OcrService, sets: set[str]) -> list[dict[str, Any]]:
    inputs = invoice_inputs(folder)
    results = []
    if inputs and sets & {"invoices", "invoices-lines"}:
        read = [invoice_fields(r, p) for r, (_, p, _) in
                zip(ocr.ocr_paths([p for _, p, _ in inputs]), inputs, strict=True)]
        for name, k in (("invoices-lines", 0), ("invoices", 1)):
            if name in sets:
                docs = [(doc, labels, fields[k])
                        for (doc, _, labels), fields in zip(inputs, read, strict=True)]
                results.append(score(name, docs, INVOICE_FIELDS))
    scans = [(doc, source.with_suffix(".png"), labels) for doc, source, labels in inputs
             if source.with_suffix(".png").exists()]
    if scans and "invoices-scan" in sets:
        read = [invoice_fields(r, p) for r, (_, p, _) in
                zip(ocr.ocr_paths([p for _, p, _ in scans]), scans, strict=True)]
        for name, k in (("invoices-scan-lines", 0), ("invoices-scan", 1)):
            docs = [(doc, labels, fields[k])
                    for (doc, _, labels), fields in zip(scans, read, strict=True)]
            results.append(score(name, docs, INVOICE_FIELDS))
    return results


def print_table(results: list[dict[str, Any]], console: Console) -> None:
    table = Table(title=f"Field extraction ({EXTRACTOR_VERSION})")
    for col in ("set", "docs", "field", "coverage %", "exact %", "close %"):
        table.add_column(col, justify="left" if col in ("set", "field") else "right")
    for result in results:
        for i, (field, stats) in enumerate(result["fields"].items()):
            table.add_row(result["set"] if i == 0 else "", str(result["documents"]) if i == 0
                          else "", field, f"{stats['coverage_pct']:.1f}",
                          f"{stats['exact_pct']:.1f}", f"{stats['close_pct']:.1f}")
        table.add_section()
    console.print(table)


def print_errors(results: list[dict[str, Any]], field: str, console: Console) -> None:
    for result in results:
        for row in result["rows"]:
            info = row["fields"].get(field)
            if info and not info["exact"]:
                console.print(f"[{result['set']}] {row['id']} {field}: expected "
                              f"{info['expected']!r} got {info['got']!r} ({info['rule']})",
                              markup=False, highlight=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" /
                        "extraction.json")
    parser.add_argument("--errors", action="append", default=[], metavar="FIELD",
                        help="also list the mismatches of this label field (repeatable)")
    parser.add_argument("--sets", default=",".join(SETS),
                        help=f"comma-separated subset of {','.join(SETS)}")
    args = parser.parse_args(argv)
    sets = set(args.sets.split(","))
    console = Console()
    ocr = OcrService(Settings())
    started = time.perf_counter()
    runs: list[tuple[str, Callable[[Path, OcrService, set[str]], list[dict[str, Any]]]]] = [
        ("sroie", run_sroie), ("invoices", run_invoices)]
    results: list[dict[str, Any]] = []
    for folder, run in runs:
        path = args.data / folder
        if not path.is_dir():
            console.print(f"skipping {folder}: {path} not found")
            continue
        results.extend(run(path, ocr, sets))
    if not results:
        console.print("no data found; nothing to score")
        return 0
    print_table(results, console)
    for field in args.errors:
        print_errors(results, field, console)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({
        "extractor_version": EXTRACTOR_VERSION, "seconds": round(time.perf_counter() - started, 1),
        "results": results}, indent=2, default=str))
    shown = args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out
    console.print(f"wrote {shown}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
