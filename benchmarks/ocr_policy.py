"""Receipts and invoices per OCR policy: field accuracy, auto-approval precision, throughput.

    python benchmarks/ocr_policy.py [--data ../shared/data] [--cache-dir DIR] [--speed-pages 16]

For each policy of `PAPERTRAIL_OCR_POLICY` (tesseract, rapidocr, auto) the receipts of `sroie/`
(tuning set) and `sroie-more/` (held out: nothing was tuned on it) go through the product's
`OcrService` (cached in --cache-dir), the receipt extractor on each reading, fusion, checks and
confidence (`agent.extraction.document.read_fields`), and the packaged receipt rule set:

- exact match per field (company, date, address, total; normalised as benchmarks/extraction.py
  does) and their mean;
- `auto %`: receipts the rules would let through without a person (band assumed confident);
  `fields_auto_precision`: of those, the share whose key fields (company, date, total) are all
  right; `all4` also asks the address.

The 12 invoices (`invoices/`): issuer and invoice number per policy.

Throughput (cache off, best of --rounds alternating rounds, 2 workers): pages/min per policy on
--speed-pages SROIE receipts, as a ratio to the bare `tesseract` CLI on the same pages (`auto`
re-reads every receipt); and RVL-CDIP scans under the default `auto` policy, where only pages
of the invoice class are read again (as if classified right), against bare Tesseract.
Prints a table, writes benchmarks/results/ocr_policy.json.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from agent.extraction.document import DocumentFields, read_fields, reading_of  # noqa: E402
from agent.ocr import OcrResult, OcrService  # noqa: E402
from agent.ocr.cache import cache_key  # noqa: E402
from agent.ocr.policy import SecondReader  # noqa: E402
from agent.ocr.respace import respace  # noqa: E402
from agent.rules import evaluate, load_rule_sets  # noqa: E402
from agent.settings import Settings  # noqa: E402
from benchmarks.extraction import invoice_inputs, matches  # noqa: E402
from benchmarks.ocr import bare_tesseract, rvlcdip_pages  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data"
POLICIES = ("tesseract", "rapidocr", "auto")
SROIE = {"company": "vendor", "date": "date", "address": "address", "total": "total"}
KEY = ("company", "date", "total")
INVOICE = {"issuer": "vendor", "invoice_number": "invoice_number"}


def services(cache_dir: Path, workers: int, use_cache: bool = True) -> dict[str, OcrService]:
    def one(policy: str) -> OcrService:
        settings = Settings(data_dir=cache_dir / "var", shared_cache_dir=cache_dir,
                            ocr_policy=policy, ocr_workers=workers)
        return OcrService(settings, use_cache=use_cache)

    return {"tesseract": one("tesseract"), "rapidocr": one("rapidocr")}


def policy_fields(doc_type: str, tess: OcrResult, rapid: OcrResult,
                  second: SecondReader) -> dict[str, DocumentFields]:
    """What each policy extracts from the two engines' readings of one document."""
    t = reading_of(doc_type, "tesseract", tess)
    r = reading_of(doc_type, "rapidocr", rapid)
    spaced = respace(rapid, tess)  # what SecondReader.read returns
    auto = [reading_of(doc_type, "rapidocr", spaced), t] \
        if second.reason(doc_type, tess) else [t]
    return {"tesseract": read_fields([t]), "rapidocr": read_fields([r]),
            "auto": read_fields(auto)}


def auto_approved(found: DocumentFields, rule_set: Any) -> bool:
    values = {k: v for k, v in found.fields.values().items() if v is not None}
    results = evaluate(rule_set, values, "benchmark", lambda *_: [], today=date.today(),
                       evidence={k: v.model_dump(mode="json") for k, v in found.evidence.items()},
                       checks=[c.model_dump() for c in found.checks])
    return not any(r.requires_review for r in results)


def _cached(ocr: dict[str, OcrService], path: Path) -> bool:
    """Both engines' readings of `path` are in the OCR cache."""
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    return all(s.cache is not None and s.cache.get(cache_key(sha, s.engine_info()),
                                                   s.engine_info()) is not None
               for s in ocr.values())


def run_sroie(folder: Path, ocr: dict[str, OcrService], second: SecondReader,
              rule_set: Any, cached_only: bool = False) -> dict[str, Any]:
    ids = sorted(p.stem for p in (folder / "key").glob("*.json"))
    ids = [i for i in ids if (folder / "img" / f"{i}.jpg").exists()]
    if cached_only:
        ids = [i for i in ids if _cached(ocr, folder / "img" / f"{i}.jpg")]
    labels = {i: json.loads((folder / "key" / f"{i}.json").read_text()) for i in ids}
    paths = [folder / "img" / f"{i}.jpg" for i in ids]
    tess = list(ocr["tesseract"].ocr_paths(paths))
    rapid = list(ocr["rapidocr"].ocr_paths(paths))
    out: dict[str, Any] = {"documents": len(ids), "ids": ids, "policies": {}}
    rows = []
    for policy in POLICIES:
        exact = {k: 0 for k in SROIE}
        auto, auto_right, auto_all4 = 0, 0, 0
        for i, t, r in zip(ids, tess, rapid, strict=True):
            found = policy_fields("receipt", t, r, second)[policy]
            hit = {k: matches(f, getattr(found.fields, f), labels[i].get(k))[0]
                   for k, f in SROIE.items()}
            for k in SROIE:
                exact[k] += hit[k]
            if auto_approved(found, rule_set):
                auto += 1
                auto_right += all(hit[k] for k in KEY)
                auto_all4 += all(hit.values())
            if policy == "auto":
                rows.append({"id": i, "hit": hit, "fields": found.fields.values(),
                             "confidence": found.confidences(), "auto": auto_approved(
                                 found, rule_set), "doubts": {k: e.doubts for k, e in
                                                              found.evidence.items() if e.doubts}})
        n = len(ids) or 1
        out["policies"][policy] = {
            **{k: round(v / n, 3) for k, v in exact.items()},
            "mean": round(sum(exact.values()) / (n * len(SROIE)), 3),
            "auto_share": round(auto / n, 3),
            "fields_auto_precision": round(auto_right / auto, 3) if auto else None,
            "fields_auto_precision_all4": round(auto_all4 / auto, 3) if auto else None,
            "auto_n": auto}
    out["rows_auto"] = rows
    return out


def run_invoices(folder: Path, ocr: dict[str, OcrService], second: SecondReader
                 ) -> dict[str, Any]:
    inputs = invoice_inputs(folder)
    tess = list(ocr["tesseract"].ocr_paths([p for _, p, _ in inputs]))
    rapid = list(ocr["rapidocr"].ocr_paths([p for _, p, _ in inputs]))
    out: dict[str, Any] = {"documents": len(inputs), "policies": {}}
    for policy in POLICIES:
        exact = {k: 0 for k in INVOICE}
        for (_, _, labels), t, r in zip(inputs, tess, rapid, strict=True):
            found = policy_fields("invoice", t, r, second)[policy]
            for k, f in INVOICE.items():
                exact[k] += matches(f, getattr(found.fields, f), labels.get(k))[0]
        out["policies"][policy] = {k: round(v / (len(inputs) or 1), 3) for k, v in exact.items()}
    return out


def _timed(service: OcrService, paths: list[Path]) -> float:
    started = time.perf_counter()
    list(service.ocr_paths(paths))
    return time.perf_counter() - started


def speed(paths: list[Path], reread: list[Path], cache_dir: Path, workers: int,
          rounds: int) -> dict[str, Any]:
    """Seconds for `paths` per policy (auto: Tesseract on all, RapidOCR on `reread`) and bare
    Tesseract; best of `rounds` alternating rounds."""
    fresh = services(cache_dir, workers, use_cache=False)
    _timed(fresh["rapidocr"], paths[:1])  # load the models once, as a running worker has
    best: dict[str, float] = {}
    for _ in range(rounds):
        times = {"bare": bare_tesseract(paths, workers),
                 "tesseract": _timed(fresh["tesseract"], paths),
                 "rapidocr": _timed(fresh["rapidocr"], paths),
                 "reread": _timed(fresh["rapidocr"], reread) if reread else 0.0}
        times["auto"] = times["tesseract"] + times["reread"]
        best = {k: min(v, best.get(k, v)) for k, v in times.items()}
    n = len(paths)
    return {"pages": n, "reread_pages": len(reread),
            "bare_pages_per_min": round(60 * n / best["bare"], 1),
            **{f"{p}_pages_per_min": round(60 * n / best[p], 1) for p in POLICIES},
            **{f"{p}_ratio": round(best["bare"] / best[p], 3) for p in POLICIES}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--cache-dir", type=Path, default=ROOT / "var" / "cache")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--speed-pages", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--cached-only", action="store_true",
                        help="score only the receipts both engines' readings of are cached "
                        "(a partial cache on a busy machine); the table says how many")
    parser.add_argument("--out", type=Path,
                        default=ROOT / "benchmarks" / "results" / "ocr_policy.json")
    args = parser.parse_args(argv)
    console = Console(width=150)
    ocr = services(args.cache_dir, args.workers)
    second = SecondReader(Settings(data_dir=args.cache_dir / "var"))
    rule_set = load_rule_sets()["receipt"]
    report: dict[str, Any] = {"rule_set": rule_set.version, "sets": {}, "speed": {}}
    for name in ("sroie", "sroie-more"):
        if (args.data / name / "key").is_dir():
            report["sets"][name] = run_sroie(args.data / name, ocr, second, rule_set,
                                             args.cached_only)
    if (args.data / "invoices").is_dir():
        report["invoices"] = run_invoices(args.data / "invoices", ocr, second)
    receipts = sorted((args.data / "sroie" / "img").glob("*.jpg"))
    random.Random(7).shuffle(receipts)
    if receipts and args.speed_pages:
        sample = receipts[:args.speed_pages]
        report["speed"]["sroie"] = speed(sample, sample, args.cache_dir, args.workers,
                                         args.rounds)
    every = rvlcdip_pages(args.data / "rvlcdip", 10_000) if args.speed_pages else []
    invoices = [p for p in every if p.parent.name == "invoice"][:max(1, args.speed_pages // 16)]
    scans = [p for p in every if p.parent.name != "invoice"][:args.speed_pages - len(invoices)]
    scans += invoices if scans else []  # the invoice class's share (1 in 16), re-read by auto
    if scans:
        report["speed"]["rvlcdip"] = speed(scans, invoices, args.cache_dir, args.workers,
                                           args.rounds)
    print_tables(report, console)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, default=str))
    console.print(f"wrote {args.out}")
    return 0


def print_tables(report: dict[str, Any], console: Console) -> None:
    table = Table(title=f"Receipts per OCR policy (rule set {report['rule_set']}; sroie = "
                  "tuning set, sroie-more = held out)")
    for col in ("set", "policy", "company", "date", "address", "total", "mean", "auto %",
                "fields_auto_precision", "all4"):
        table.add_column(col, justify="left" if col in ("set", "policy") else "right")
    for name, result in report["sets"].items():
        for policy, r in result["policies"].items():
            fap = "-" if r["fields_auto_precision"] is None else f"{r['fields_auto_precision']:.3f}"
            all4 = "-" if r["fields_auto_precision_all4"] is None else \
                f"{r['fields_auto_precision_all4']:.3f}"
            table.add_row(f"{name} ({result['documents']})", policy,
                          *(f"{r[k]:.3f}" for k in ("company", "date", "address", "total",
                                                    "mean")),
                          f"{100 * r['auto_share']:.0f}", f"{fap} (n={r['auto_n']})", all4)
        table.add_section()
    console.print(table)
    if "invoices" in report:
        inv = Table(title=f"Invoices ({report['invoices']['documents']}), exact match")
        for col in ("policy", *INVOICE):
            inv.add_column(col)
        for policy, r in report["invoices"]["policies"].items():
            inv.add_row(policy, *(f"{r[k]:.3f}" for k in INVOICE))
        console.print(inv)
    if report["speed"]:
        sp = Table(title="Throughput, cache off (ratio = bare tesseract time / policy time)")
        for col in ("set", "pages", "re-read", "bare/min", *POLICIES):
            sp.add_column(col, justify="right")
        for name, s in report["speed"].items():
            sp.add_row(name, str(s["pages"]), str(s["reread_pages"]),
                       f"{s['bare_pages_per_min']}",
                       *(f"{s[f'{p}_pages_per_min']}/min ({s[f'{p}_ratio']:.2f}x)"
                         for p in POLICIES))
        console.print(sp)


if __name__ == "__main__":
    raise SystemExit(main())
