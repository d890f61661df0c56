"""Upscaling low-resolution scans before OCR: text quality, classifier accuracy and OCR time.

Every RVL-CDIP page (rvlcdip + rvlcdip-more) and some SROIE receipts go through the product's
`OcrService` twice: with upscaling below `--upscale-below` dpi, then native
(`upscale_below_dpi=0`). Results land in the OCR cache under `--cache-dir` (the product's own
cache code and keys), so a second run, the classifier training and the eval harness read them
from there instead of OCRing again. OCR seconds are the results' own page `seconds` (kept in the
cache), so a cached rerun reports the time the OCR took when it ran.

    nice -n 5 python benchmarks/ocr_resolution.py --cache-dir /work/cache --workers 2

Prints tables and writes benchmarks/results/ocr_resolution.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402
from tqdm import tqdm  # noqa: E402

from agent.ocr import OcrResult, OcrService  # noqa: E402
from agent.ocr.options import TesseractOptions  # noqa: E402
from agent.ocr.tesseract import tesseract_version  # noqa: E402
from agent.settings import Settings  # noqa: E402
from classifiers.corpus import list_labelled_files  # noqa: E402
from papertrail.errors import PapertrailError  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
READABLE = 45.0  # PAPERTRAIL_MIN_OCR_CONFIDENCE's default: below it a page is `unreadable`


def ocr_all(paths: Sequence[Path], settings: Settings, desc: str) -> list[OcrResult | None]:
    """Every file through the product's OCR service (cache on), in order; None if invalid."""
    service = OcrService(settings)
    documents = ((path.read_bytes(), path.name) for path in paths)
    out: list[OcrResult | None] = []
    for result in tqdm(service.ocr_many(documents, skip_invalid=True), total=len(paths),
                       desc=desc, unit="doc", mininterval=5, file=sys.stderr):
        out.append(None if isinstance(result, PapertrailError) else result)
    return out


def ocr_stats(results: Sequence[OcrResult | None]) -> dict[str, float]:
    pages = [page for r in results if r is not None for page in r.pages]
    ocred = [p for p in pages if p.method == "ocr"]
    return {
        "documents": len(results),
        "invalid": sum(r is None for r in results),
        "pages": len(pages),
        "page_errors": sum(p.error is not None for p in pages),
        "upscaled_pages": sum(p.scale > 1.0 for p in ocred),
        "median_estimated_dpi": statistics.median(
            [p.estimated_dpi for p in ocred if p.estimated_dpi] or [0.0]),
        "ocr_seconds_per_page": round(sum(p.seconds for p in pages) / max(len(pages), 1), 3),
        "mean_confidence": round(statistics.fmean(
            [r.mean_confidence for r in results if r is not None] or [0.0]), 2),
        "readable_share": round(sum(p.confidence >= READABLE for p in pages)
                                / max(len(pages), 1), 4),
        "words_per_page": round(sum(p.words for p in pages) / max(len(pages), 1), 1),
        "boxes_per_page": round(sum(len(p.boxes) for p in pages) / max(len(pages), 1), 1),
    }


def cv_accuracy(texts: Sequence[str], labels: Sequence[str], folds: int, seed: int) -> list[float]:
    """Per-fold accuracy of TF-IDF (word 1-2-grams, sublinear tf) + logistic regression."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_score
    from sklearn.pipeline import make_pipeline

    model = make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2),
        LogisticRegression(max_iter=3000, C=10.0),
    )
    splits = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    scores = cross_val_score(model, list(texts), list(labels), cv=splits, n_jobs=1)
    return [round(float(s), 4) for s in scores]


def first_per_class(pairs: list[tuple[Path, str]], n: int) -> list[tuple[Path, str]]:
    kept: list[tuple[Path, str]] = []
    counts: dict[str, int] = {}
    for path, label in pairs:
        counts[label] = counts.get(label, 0) + 1
        if counts[label] <= n:
            kept.append((path, label))
    return kept


def paired_timing(paths: Sequence[Path], args: argparse.Namespace, data_dir: Path,
                  settings: dict[str, tuple[int, float]]) -> dict[str, float]:
    """Wall seconds per page of every setting on the same pages, cache off, alternating rounds
    (best of each), so a busy spell on the shared machine hits them all: the fair time ratio."""
    best: dict[str, float] = {}
    for _ in range(args.timing_rounds):
        for name, (below, factor) in settings.items():
            service = OcrService(settings_for(args, below, data_dir, factor), use_cache=False)
            started = time.perf_counter()
            for _result in service.ocr_paths(paths):
                pass
            per_page = (time.perf_counter() - started) / len(paths)
            best[name] = min(best.get(name, per_page), per_page)
    return {"pages": len(paths), "rounds": args.timing_rounds,
            **{f"{k}_seconds_per_page": round(v, 3) for k, v in best.items()},
            "ratio_upscaled_over_native": round(best["upscaled"] / best["native"], 2),
            **{f"ratio_{k}_over_native": round(v / best["native"], 2) for k, v in best.items()
               if k not in ("upscaled", "native")}}


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text).upper()


def receipt_hits(results: Sequence[OcrResult | None],
                 keys: Sequence[dict[str, str]]) -> dict[str, float]:
    """Share of receipts whose labelled total / date appear verbatim (whitespace ignored)."""
    out: dict[str, float] = {}
    for field in ("total", "date"):
        hits = [r is not None and _squash(k[field]) in _squash(r.text)
                for r, k in zip(results, keys, strict=True)]
        out[f"{field}_found"] = round(sum(hits) / max(len(hits), 1), 4)
    return out


def settings_for(args: argparse.Namespace, below: int, data_dir: Path,
                 factor: float | None = None) -> Settings:
    return Settings(data_dir=data_dir, shared_cache_dir=args.cache_dir, ocr_workers=args.workers,
                    ocr=TesseractOptions(upscale_below_dpi=below,
                                         upscale_factor=factor or args.factor))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, nargs="+",
                        default=[DATA / "rvlcdip", DATA / "rvlcdip-more"])
    parser.add_argument("--sroie", type=Path, default=DATA / "sroie")
    parser.add_argument("--receipts", type=int, default=40)
    parser.add_argument("--cache-dir", type=Path, required=True,
                        help="OCR cache root (the product's PAPERTRAIL_SHARED_CACHE_DIR)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--upscale-below", type=int, default=150)
    parser.add_argument("--factor", type=float, default=2.0,
                        help="Enlargement of the `upscaled` setting (the product's default: 2).")
    parser.add_argument("--also-factors", type=float, nargs="*", default=[],
                        help="More enlargements to compare, e.g. 1.5 (settings `x1.5`, ...).")
    parser.add_argument("--per-class", type=int, default=0,
                        help="Only the first N pages of each class (0: every page).")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--timing-pages", type=int, default=40,
                        help="pages OCRed again without the cache, both settings alternating")
    parser.add_argument("--timing-rounds", type=int, default=2)
    parser.add_argument("--out", type=Path,
                        default=ROOT / "benchmarks" / "results" / "ocr_resolution.json")
    args = parser.parse_args()
    console = Console(stderr=True)

    pairs = [pair for source in args.data for pair in list_labelled_files(source)]
    if args.per_class:
        pairs = first_per_class(pairs, args.per_class)
    paths, labels = [p for p, _ in pairs], [label for _, label in pairs]
    receipt_paths = sorted((args.sroie / "img").glob("*.jpg"))[:args.receipts]
    receipt_keys = [json.loads((args.sroie / "key" / f"{p.stem}.json").read_text())
                    for p in receipt_paths]
    console.print(f"{len(paths)} RVL-CDIP pages, {len(set(labels))} classes; "
                  f"{len(receipt_paths)} receipts; cache {args.cache_dir}")

    # upscaled first: it is trained on
    settings = {"upscaled": (args.upscale_below, args.factor),
                **{f"x{f:g}": (args.upscale_below, f) for f in args.also_factors},
                "native": (0, args.factor)}
    rows: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="ocr-resolution-") as tmp:
        for name, (below, factor) in settings.items():
            config = settings_for(args, below, Path(tmp) / name, factor)
            results = ocr_all(paths, config, f"rvlcdip {name}")
            receipts = ocr_all(receipt_paths, config, f"sroie {name}")
            texts = [r.text if r is not None else "" for r in results]
            folds = cv_accuracy(texts, labels, args.folds, args.seed)
            rows[name] = {
                "upscale_below_dpi": below, "upscale_factor": factor if below else None,
                "options": config.ocr.model_dump(),
                "rvlcdip": ocr_stats(results) | {
                    "cv_accuracy": round(statistics.fmean(folds), 4),
                    "cv_accuracy_std": round(statistics.pstdev(folds), 4), "folds": folds},
                "sroie": ocr_stats(receipts) | receipt_hits(receipts, receipt_keys),
            }
            console.print(f"{name}: {rows[name]['rvlcdip']}")
        timing = None
        if args.timing_pages > 0:  # a spread over the classes: the list is sorted by class
            step = max(len(paths) // args.timing_pages, 1)
            timing = paired_timing(paths[::step][:args.timing_pages], args, Path(tmp) / "timing",
                                   settings)

    up, native = rows["upscaled"], rows["native"]
    time_ratio = {part: round(up[part]["ocr_seconds_per_page"]
                              / max(native[part]["ocr_seconds_per_page"], 1e-9), 2)
                  for part in ("rvlcdip", "sroie")}
    fold_deltas = [round(a - b, 4) for a, b in zip(up["rvlcdip"]["folds"],
                                                   native["rvlcdip"]["folds"], strict=True)]
    other_deltas = {name: [round(a - b, 4) for a, b in zip(
        row["rvlcdip"]["folds"], native["rvlcdip"]["folds"], strict=True)]
        for name, row in rows.items() if name not in ("upscaled", "native")}
    report = {
        "date": dt.date.today().isoformat(), "tesseract": tesseract_version(),
        "workers": args.workers, "settings": rows, "time_ratio_upscaled_over_native": time_ratio,
        "cv_fold_deltas_upscaled_minus_native": fold_deltas,
        "cv_fold_deltas_minus_native": other_deltas, "paired_timing": timing,
    }
    show(report)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2))
    console.print(f"wrote {args.out}")


def show(report: dict) -> None:
    console = Console()
    rows = report["settings"]
    table = Table(title=f"RVL-CDIP ({rows['native']['rvlcdip']['pages']} pages), tesseract "
                  f"{report['tesseract']}, {report['workers']} workers")
    for column in ("setting", "upscaled pages", "OCR s/page", "mean conf", "readable (≥45)",
                   "words/page", f"CV accuracy ({len(rows['native']['rvlcdip']['folds'])}-fold)"):
        table.add_column(column)
    for name, row in rows.items():
        r = row["rvlcdip"]
        how = f"×{row['upscale_factor']:g} below {row['upscale_below_dpi']} dpi" \
            if row["upscale_below_dpi"] else "native"
        table.add_row(f"{name} ({how})", str(r["upscaled_pages"]),
                      f"{r['ocr_seconds_per_page']:.2f}", f"{r['mean_confidence']:.1f}",
                      f"{r['readable_share']:.1%}", f"{r['words_per_page']:.0f}",
                      f"{r['cv_accuracy']:.3f} ± {r['cv_accuracy_std']:.3f}")
    console.print(table)
    table = Table(title=f"SROIE receipts ({rows['native']['sroie']['documents']})")
    for column in ("setting", "upscaled pages", "OCR s/page", "mean conf", "readable (≥45)",
                   "total found", "date found"):
        table.add_column(column)
    for name, row in rows.items():
        r = row["sroie"]
        table.add_row(name, str(r["upscaled_pages"]), f"{r['ocr_seconds_per_page']:.2f}",
                      f"{r['mean_confidence']:.1f}", f"{r['readable_share']:.1%}",
                      f"{r['total_found']:.1%}", f"{r['date_found']:.1%}")
    console.print(table)
    if report["paired_timing"]:
        console.print(f"paired timing, cache off: {report['paired_timing']}")
    console.print(f"OCR time upscaled/native: {report['time_ratio_upscaled_over_native']}; "
                  f"CV fold deltas (upscaled - native): "
                  f"{report['cv_fold_deltas_upscaled_minus_native']}; others: "
                  f"{report['cv_fold_deltas_minus_native']}")


if __name__ == "__main__":
    main()
