"""Held-out measurement of the certified gate: does what the bundle auto-approves keep its promise?

    python benchmarks/classifier.py [--data DIR ...] [--outer 5] [--folds 5]
                                    [--members baseline char bert layout] [--cache-dir DIR]

For each of `--outer` test folds: the other documents are the training corpus; the members are
cross-fitted on it (`--folds` inner folds), temperatures, weights and the gate (every scheme) are
fitted on the inner out-of-fold predictions exactly as `papertrail train` does, the members are
trained on all of it, and the test fold is classified and gated. Reported per fold and pooled:
auto-approved precision with its 95 % interval, coverage, accuracy, accuracy by OCR stratum.

Label-free features are computed once for all documents (the frozen encoder's embeddings, layout
vectors): they never see a label, so sharing them across folds leaks nothing. Writes a table and
benchmarks/results/classifier.json.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import numpy as np  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402
from scipy.stats import beta  # noqa: E402
from tqdm import tqdm  # noqa: E402

from agent.ocr.text_reader import ocr_document_reader  # noqa: E402
from agent.settings import Settings  # noqa: E402
from classifiers.calibration import fit_temperature, softmax  # noqa: E402
from classifiers.corpus import load_corpora  # noqa: E402
from classifiers.crossfit import (  # noqa: E402
    combine,
    fit_weights,
    fold_ids,
    member_log_probs,
    nested_ensemble_probs,
    nested_member_probs,
    out_of_fold,
    prepare,
)
from classifiers.gate import GateOptions, apply_gate, fit_gate  # noqa: E402
from classifiers.members import Docs, member_kind  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
SCHEMES = ("global", "ocr_quality", "class")
console = Console()


def interval(successes: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """Two-sided Clopper-Pearson interval of a proportion."""
    if n == 0:
        return float("nan"), float("nan")
    a = (1 - level) / 2
    lo = 0.0 if successes == 0 else float(beta.ppf(a, successes, n - successes + 1))
    hi = 1.0 if successes == n else float(beta.ppf(1 - a, successes + 1, n - successes))
    return lo, hi


def run_fold(kinds, prepared, rest, test, y, labels, ocr, args) -> dict:
    """Cross-fit on `rest`, certify, train on all of `rest`, measure on `test`."""
    inner = fold_ids(y[rest], args.folds, args.seed)
    oof = out_of_fold(kinds, prepared, rest, y[rest], labels, inner)
    temps = {n: fit_temperature(z, y[rest]) for n, z in oof.logits.items()}
    log_probs = member_log_probs(oof.logits, temps)
    weights = fit_weights(log_probs, y[rest])
    oof_ensemble = nested_ensemble_probs(log_probs, y[rest], inner)
    oof_baseline = nested_member_probs(oof.logits["baseline"], y[rest], inner)
    test_logits = {}
    for kind in kinds:
        member = kind.fit(prepared[kind.name], rest, y[rest], labels)
        test_logits[kind.name] = kind.logits(member, prepared[kind.name], test)
    probs = {"ensemble": combine(member_log_probs(test_logits, temps), weights),
             "baseline": softmax(test_logits["baseline"], temps["baseline"])}
    result: dict = {"weights": weights, "n": len(test), "members": {}}
    for name, z in test_logits.items():
        result["members"][name] = float((z.argmax(axis=1) == y[test]).mean())
    for model, oof_probs in (("ensemble", oof_ensemble), ("baseline", oof_baseline)):
        pred = probs[model].argmax(axis=1)
        correct = pred == y[test]
        low = ocr[test] < args.ocr_boundary
        entry = {"accuracy": float(correct.mean()),
                 "accuracy_low_ocr": float(correct[low].mean()) if low.any() else None,
                 "accuracy_high_ocr": float(correct[~low].mean()) if (~low).any() else None,
                 "n_low_ocr": int(low.sum()), "gates": {}}
        for scheme in args.schemes:
            options = GateOptions(scheme=scheme, target_precision=args.target,
                                  delta=args.delta, ocr_boundary=args.ocr_boundary)
            gate = fit_gate(oof_probs, y[rest], labels, ocr[rest], options)
            approved = apply_gate(gate, probs[model], labels, ocr[test])
            entry["gates"][scheme] = {
                "accepted": int(approved.sum()), "errors": int((approved & ~correct).sum()),
                "coverage": float(approved.mean()),
                "precision": float(correct[approved].mean()) if approved.any() else None,
                "certified": gate.certified, "calibration_n": gate.n,
                "calibration_accepted": gate.accepted, "calibration_errors": gate.errors,
                "thresholds": {c: cert.threshold for c, cert in gate.cells.items()},
                "bounds": {c: cert.error_bound for c, cert in gate.cells.items()},
            }
        result[model] = entry
    return result


def pooled(folds: list[dict], model: str, scheme: str) -> dict:
    accepted = sum(f[model]["gates"][scheme]["accepted"] for f in folds)
    errors = sum(f[model]["gates"][scheme]["errors"] for f in folds)
    n = sum(f["n"] for f in folds)
    lo, hi = interval(accepted - errors, accepted)
    precisions = [f[model]["gates"][scheme]["precision"] for f in folds]
    return {"accepted": accepted, "errors": errors, "n": n, "coverage": accepted / n,
            "precision": (accepted - errors) / accepted if accepted else None,
            "precision_ci95": [lo, hi],
            "worst_fold_precision": min((p for p in precisions if p is not None), default=None)}


def inference_speed(kinds, docs: Docs, y: np.ndarray, labels: list[str], n: int = 256) -> float:
    """Documents per second of the shipped members on `n` documents, end to end from text."""
    rows = np.arange(min(n, len(docs)))
    sample = docs.take(rows)
    members = {}
    for kind in kinds:
        prepared = kind.prepare(sample)
        members[kind.name] = kind.fit(prepared, rows, y[rows], labels)
    start = time.perf_counter()
    for member in members.values():
        member.logits(sample)
    return len(rows) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, action="append",
                        help="corpus folder(s) (default: shared rvlcdip + rvlcdip-more)")
    parser.add_argument("--outer", type=int, default=5)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--members", nargs="+", default=["baseline", "char", "bert", "layout"])
    parser.add_argument("--schemes", nargs="+", default=list(SCHEMES), choices=SCHEMES)
    parser.add_argument("--target", type=float, default=0.98)
    parser.add_argument("--delta", type=float, default=0.05)
    parser.add_argument("--ocr-boundary", type=float, default=45.0)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--cache-dir", type=Path, help="shared OCR cache folder")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/classifier.json")
    args = parser.parse_args()
    sources = args.data or [DATA / "rvlcdip", DATA / "rvlcdip-more"]
    sources = [s for s in sources if s.is_dir()]
    if not sources:
        sys.exit(f"no corpus found under {DATA}; pass --data")
    settings = Settings(shared_cache_dir=args.cache_dir) if args.cache_dir else Settings()
    corpus = load_corpora(sources, ocr_document_reader(settings), workers=settings.ocr_workers)
    labels = corpus.label_set
    y = np.array([labels.index(label) for label in corpus.labels])
    docs = Docs(corpus.texts, corpus.signals)
    ocr = np.array([s.ocr_confidence if s.ocr_confidence is not None else 100.0
                    for s in corpus.signals])
    cfg = settings.classifier.model_copy(update={"members": args.members, "epochs": 0})
    kinds = [member_kind(name, cfg) for name in args.members]
    kinds = [k for k in kinds if k.usable(docs)]
    started = time.perf_counter()
    prepared = prepare(kinds, docs)
    outer = fold_ids(y, args.outer, args.seed + 1)
    folds = []
    for fold in tqdm(range(int(outer.max()) + 1), desc="outer folds"):
        rest, test = np.flatnonzero(outer != fold), np.flatnonzero(outer == fold)
        folds.append(run_fold(kinds, prepared, rest, test, y, labels, ocr, args))
    report = {
        "corpus": [str(s) for s in sources], "n": len(y), "classes": len(labels),
        "members": [k.name for k in kinds], "outer": len(folds), "inner": args.folds,
        "target": args.target, "delta": args.delta, "folds": folds,
        "pooled": {m: {s: pooled(folds, m, s) for s in args.schemes}
                   for m in ("ensemble", "baseline")},
        "accuracy": {m: float(np.mean([f[m]["accuracy"] for f in folds]))
                     for m in ("ensemble", "baseline")},
        "member_accuracy": {k.name: float(np.mean([f["members"][k.name] for f in folds]))
                            for k in kinds},
        "low_ocr_share": float((ocr < args.ocr_boundary).mean()),
        "seconds": time.perf_counter() - started,
        "inference_docs_per_s": inference_speed(kinds, docs, y, labels),
        "date": time.strftime("%Y-%m-%d"),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2))
    show(report, args)


def show(report: dict, args: argparse.Namespace) -> None:
    table = Table(title=f"certified gate on held-out folds ({report['n']} documents, "
                        f"{report['outer']} outer x {report['inner']} inner folds, target "
                        f"{report['target']}, delta {report['delta']})")
    for column in ("model", "gate", "fold precisions", "pooled precision [95 % CI]",
                   "coverage", "accuracy"):
        table.add_column(column)
    for model in ("ensemble", "baseline"):
        for scheme in args.schemes:
            p = report["pooled"][model][scheme]
            per_fold = " ".join("-" if f[model]["gates"][scheme]["precision"] is None
                                else f"{f[model]['gates'][scheme]['precision']:.3f}"
                                for f in report["folds"])
            precision = "-" if p["precision"] is None else (
                f"{p['precision']:.3f} [{p['precision_ci95'][0]:.3f}, "
                f"{p['precision_ci95'][1]:.3f}]")
            table.add_row(model, scheme, per_fold, precision, f"{p['coverage']:.1%}",
                          f"{report['accuracy'][model]:.3f}")
    console.print(table)
    low = np.mean([f["ensemble"]["accuracy_low_ocr"] or 0.0 for f in report["folds"]])
    high = np.mean([f["ensemble"]["accuracy_high_ocr"] or 0.0 for f in report["folds"]])
    console.print(f"ensemble accuracy by OCR stratum: low {low:.3f} "
                  f"({report['low_ocr_share']:.1%} of pages), high {high:.3f}")
    console.print("member accuracy: " + ", ".join(
        f"{k} {v:.3f}" for k, v in report["member_accuracy"].items()))
    console.print(f"inference {report['inference_docs_per_s']:.1f} docs/s; "
                  f"{report['seconds'] / 60:.1f} min in all; {args.out}")


if __name__ == "__main__":
    main()
