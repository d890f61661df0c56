"""Generated receipts: field accuracy and auto-approval precision per OCR policy.

    python benchmarks/generated_receipts.py [--n 200] [--seed 31] [--cache-dir DIR]

The project's own receipt generator (`evals.samples`, ground truth known: merchant, address,
date, total) writes --n noisy 150-dpi PNG scans. Each goes through the product's `OcrService`
with both engines (cached in --cache-dir), then, as `benchmarks/ocr_policy.py` does for SROIE,
the receipt extractor, fusion, checks, confidence and the packaged receipt rule set (band taken
as confident), under the `tesseract` and `auto` policies. Reported: exact match per field,
`auto %`, and `fields_auto_precision` (of the auto-approved, the share whose vendor, date and
total are all right) with its two-sided 95 % Clopper-Pearson interval: with no error in n the
lower bound is what the sample can show, so n is printed beside it.
Prints a table, writes benchmarks/results/generated_receipts.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rich.console import Console  # noqa: E402
from rich.progress import track  # noqa: E402
from rich.table import Table  # noqa: E402

from agent.ocr.policy import SecondReader  # noqa: E402
from agent.rules import load_rule_sets  # noqa: E402
from agent.settings import Settings  # noqa: E402
from benchmarks.extraction import matches  # noqa: E402
from benchmarks.ocr_policy import auto_approved, policy_fields, services  # noqa: E402
from evals.metrics import precision_interval  # noqa: E402
from evals.samples import generate  # noqa: E402

FIELDS = {"merchant": "vendor", "date": "date", "address": "address", "total": "total"}
KEY = ("merchant", "date", "total")
POLICIES = ("tesseract", "auto")


def score(samples: list[Any], ocr: dict, second: SecondReader, rule_set: Any) -> dict[str, Any]:
    tess = list(ocr["tesseract"].ocr_paths([s.files[0] for s in samples]))
    rapid = list(ocr["rapidocr"].ocr_paths([s.files[0] for s in samples]))
    out: dict[str, Any] = {"documents": len(samples), "policies": {}, "rows": []}
    stats = {p: {"auto": 0, "right": 0, **{k: 0 for k in FIELDS}} for p in POLICIES}
    for sample, t, r in track(list(zip(samples, tess, rapid, strict=True)),
                              description="extracting"):
        found = policy_fields("receipt", t, r, second)
        for policy in POLICIES:
            fields = found[policy].fields
            hit = {k: matches(f, getattr(fields, f), sample.fields[k])[0]
                   for k, f in FIELDS.items()}
            auto = auto_approved(found[policy], rule_set)
            s = stats[policy]
            for k in FIELDS:
                s[k] += hit[k]
            s["auto"] += auto
            s["right"] += auto and all(hit[k] for k in KEY)
            if policy == "auto":
                out["rows"].append({"id": sample.doc_id, "hit": hit, "auto": auto,
                                    "fields": fields.values()})
    n = len(samples) or 1
    for policy, s in stats.items():
        out["policies"][policy] = {
            **{k: round(s[k] / n, 3) for k in FIELDS},
            "auto_share": round(s["auto"] / n, 3), "auto_n": s["auto"],
            "fields_auto_precision": round(s["right"] / s["auto"], 4) if s["auto"] else None,
            "fields_auto_precision_ci95": precision_interval(s["right"], s["auto"])}
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="receipts to generate")
    parser.add_argument("--seed", type=int, default=31)
    parser.add_argument("--cache-dir", type=Path, default=ROOT / "var" / "cache")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path,
                        default=ROOT / "benchmarks" / "results" / "generated_receipts.json")
    args = parser.parse_args(argv)
    console = Console()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        samples = generate(Path(tmp), n_per_class=args.n, seed=args.seed,
                           classes=["receipt"], formats=("png",))
        report = score(samples, services(args.cache_dir, args.workers),
                       SecondReader(Settings(data_dir=args.cache_dir / "var")),
                       load_rule_sets()["receipt"])
    report.update(seconds=round(time.perf_counter() - started, 1), n=args.n, seed=args.seed)
    table = Table(title=f"Generated receipts ({report['documents']}, seed {args.seed}), "
                  "exact match and auto-approval")
    for col in ("policy", *FIELDS, "auto %", "fields_auto_precision", "95 % interval"):
        table.add_column(col, justify="left" if col == "policy" else "right")
    for policy, s in report["policies"].items():
        ci = s["fields_auto_precision_ci95"]
        table.add_row(policy, *(f"{s[k]:.3f}" for k in FIELDS), f"{100 * s['auto_share']:.0f}",
                      "-" if s["fields_auto_precision"] is None
                      else f"{s['fields_auto_precision']:.3f} (n={s['auto_n']})",
                      "-" if ci is None else f"{ci[0]:.3f}–{ci[1]:.3f}")
    console.print(table)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, default=str))
    console.print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
