"""Image preparation steps on receipts: each step on against all off, on Tesseract's reading and
on the fields of the `auto` OCR policy; and what the steps cost on office scans.

    python benchmarks/image_prep.py --cache-dir DIR [--sets sroie] \
        [--variants grayscale contrast_stretch deskew binarize contrast_stretch+deskew] \
        [--speed-pages 24]

For each set (`sroie` = tuning, `sroie-more` = held out) and variant (`baseline` = the product's
OCR options; a variant turns the named `OcrOptions` steps on, `+` joins several) the receipts go
through Tesseract (`OcrService`, cached in DIR) with those options, and RapidOCR as it is (the
`auto` policy's second reading: the steps are measured on Tesseract only). Per variant:

- Tesseract's reading: mean word confidence, *word recall* (the share of the words of the SROIE
  line transcripts, `box/ID.csv`, that the reading holds, case-folded, counted with
  multiplicity), s/page (the pages' own OCR seconds when they were read: a cached run repeats
  them);
- fields as `benchmarks/ocr_policy.py` scores them, for the `tesseract` and the `auto` policy:
  exact match per field, mean, auto %, fields_auto_precision.

Speed (--speed-pages > 0): RVL-CDIP pages, cache off, each variant against the baseline in
alternating rounds (best of --rounds): pages/min and the ratio, plus the pages' mean confidence.
Prints tables, writes benchmarks/results/image_prep.json.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from agent.ocr import OcrResult, OcrService  # noqa: E402
from agent.ocr.options import TesseractOptions  # noqa: E402
from agent.ocr.policy import SecondReader  # noqa: E402
from agent.ocr.prepare import LOW_CONTRAST, MIN_SKEW, NO_INK, ink_and_paper, skew_angle  # noqa: E402
from agent.rules import load_rule_sets  # noqa: E402
from agent.settings import Settings  # noqa: E402
from benchmarks.ocr import rvlcdip_pages  # noqa: E402
from benchmarks.ocr_policy import run_sroie, services  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data"
STEPS = ("grayscale", "contrast_stretch", "deskew", "binarize")
DEFAULT_VARIANTS = ("baseline", *STEPS)


def options_for(variant: str) -> TesseractOptions:
    """The product's Tesseract options (environment included) with the variant's steps on."""
    steps = [] if variant == "baseline" else variant.split("+")
    unknown = set(steps) - set(STEPS)
    if unknown:
        raise SystemExit(f"unknown step(s) {sorted(unknown)}; choose from {STEPS}")
    return TesseractOptions(**{step: True for step in steps})


def tesseract_service(cache_dir: Path, workers: int, variant: str,
                      use_cache: bool = True) -> OcrService:
    settings = Settings(data_dir=cache_dir / "var", shared_cache_dir=cache_dir,
                        ocr_policy="tesseract", ocr_workers=workers, ocr=options_for(variant))
    return OcrService(settings, use_cache=use_cache)


def transcript_words(box_file: Path) -> Counter[str]:
    """The words of a receipt's line transcripts (the text after the 8 corner coordinates)."""
    words: Counter[str] = Counter()
    with box_file.open(encoding="utf-8", errors="replace", newline="") as handle:
        for row in csv.reader(handle):
            if len(row) > 8:
                words.update(",".join(row[8:]).upper().split())
    return words


def reading_stats(results: list[OcrResult], truths: list[Counter[str]]) -> dict[str, float]:
    found = sum(sum((Counter(r.text.upper().split()) & t).values())
                for r, t in zip(results, truths, strict=True))
    pages = [p for r in results for p in r.pages]
    return {"confidence": round(sum(p.confidence for p in pages) / (len(pages) or 1), 1),
            "word_recall": round(found / (sum(sum(t.values()) for t in truths) or 1), 3),
            "seconds_per_page": round(sum(p.seconds for p in pages) / (len(pages) or 1), 2)}


def pages_changed(folder: Path) -> dict[str, Any]:
    """How many of the set's pages the contrast stretch and the deskew would change (and by
    how much they are tilted): a step that touches few pages cannot move the means much."""
    faint, tilts = 0, []
    for path in sorted((folder / "img").glob("*.jpg")):
        with Image.open(path) as image:
            ink, paper = ink_and_paper(image)
            faint += NO_INK <= paper - ink < LOW_CONTRAST
            tilts.append(abs(skew_angle(image)))
    return {"pages": len(tilts), "faint": faint,
            "tilted": sum(t >= MIN_SKEW for t in tilts),
            "tilted_2deg": sum(t >= 2 for t in tilts)}


def run_set(folder: Path, variants: list[str], cache_dir: Path, workers: int,
            console: Console) -> dict[str, Any]:
    rapid = services(cache_dir, workers)["rapidocr"]
    second = SecondReader(Settings(data_dir=cache_dir / "var"))
    rule_set = load_rule_sets()["receipt"]
    out: dict[str, Any] = {}
    for variant in variants:
        started = time.perf_counter()
        tess = tesseract_service(cache_dir, workers, variant)
        scored = run_sroie(folder, {"tesseract": tess, "rapidocr": rapid}, second, rule_set)
        paths = [folder / "img" / f"{i}.jpg" for i in scored["ids"]]
        truths = [transcript_words(folder / "box" / f"{i}.csv") for i in scored["ids"]]
        out[variant] = {"documents": scored["documents"],
                        "reading": reading_stats(list(tess.ocr_paths(paths)), truths),
                        "tesseract": scored["policies"]["tesseract"],
                        "auto": scored["policies"]["auto"],
                        "auto_rows": scored["rows_auto"]}
        console.print(f"{folder.name} {variant}: {time.perf_counter() - started:.0f} s")
    return out


def speed(pages: list[Path], variants: list[str], cache_dir: Path, workers: int,
          rounds: int) -> dict[str, Any]:
    """Cache off, every variant in each round (alternating), best of `rounds`."""
    best: dict[str, float] = {}
    confidence: dict[str, float] = {}
    for _ in range(rounds):
        for variant in variants:
            service = tesseract_service(cache_dir, workers, variant, use_cache=False)
            started = time.perf_counter()
            results = list(service.ocr_paths(pages))
            elapsed = time.perf_counter() - started
            best[variant] = min(elapsed, best.get(variant, elapsed))
            confidence[variant] = reading_stats(results, [Counter()] * len(results))["confidence"]
    base = best.get("baseline", 0.0)
    return {v: {"pages": len(pages), "pages_per_min": round(60 * len(pages) / t, 1),
                "ratio_to_baseline": round(base / t, 3) if base else None,
                "confidence": confidence[v]} for v, t in best.items()}


def print_tables(report: dict[str, Any], console: Console) -> None:
    for name, result in report["sets"].items():
        table = Table(title=f"{name}: image preparation on Tesseract ({report['binding']})")
        for col in ("variant", "conf", "word recall", "s/page", "tess mean", "company", "date",
                    "address", "total", "auto mean", "auto %", "fields_auto_precision"):
            table.add_column(col, justify="left" if col == "variant" else "right")
        for variant, r in result.items():
            a, t = r["auto"], r["tesseract"]
            fap = "-" if a["fields_auto_precision"] is None else \
                f"{a['fields_auto_precision']:.3f}"
            table.add_row(variant, f"{r['reading']['confidence']:.1f}",
                          f"{r['reading']['word_recall']:.3f}",
                          f"{r['reading']['seconds_per_page']:.2f}", f"{t['mean']:.3f}",
                          *(f"{a[k]:.2f}" for k in ("company", "date", "address", "total")),
                          f"{a['mean']:.3f}", f"{100 * a['auto_share']:.0f}",
                          f"{fap} ({a['auto_n']})")
        console.print(table)
    if report.get("speed"):
        table = Table(title="RVL-CDIP, cache off (ratio = baseline time / variant time)")
        for col in ("variant", "pages", "pages/min", "ratio", "conf"):
            table.add_column(col, justify="left" if col == "variant" else "right")
        for variant, s in report["speed"].items():
            table.add_row(variant, str(s["pages"]), str(s["pages_per_min"]),
                          str(s["ratio_to_baseline"]), str(s["confidence"]))
        console.print(table)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--cache-dir", type=Path, required=True)
    parser.add_argument("--sets", nargs="*", default=["sroie"])
    parser.add_argument("--variants", nargs="+", default=list(DEFAULT_VARIANTS))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--speed-pages", type=int, default=0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--out", type=Path,
                        default=ROOT / "benchmarks" / "results" / "image_prep.json")
    args = parser.parse_args(argv)
    console = Console(width=160)
    variants = list(dict.fromkeys(["baseline", *args.variants]))
    report: dict[str, Any] = {"binding": options_for("baseline").binding, "sets": {}}
    report["pages_changed"] = {name: pages_changed(args.data / name) for name in args.sets}
    console.print(report["pages_changed"])
    for name in args.sets:
        report["sets"][name] = run_set(args.data / name, variants, args.cache_dir,
                                       args.workers, console)
    if args.speed_pages:
        pages = rvlcdip_pages(args.data / "rvlcdip", args.speed_pages)
        report["speed"] = speed(pages, variants, args.cache_dir, args.workers, args.rounds)
    print_tables(report, console)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, default=str))
    console.print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
