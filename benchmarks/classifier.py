"""Held-out measurement of the certified gate: does what the bundle auto-approves keep its promise?

    python benchmarks/classifier.py [--data DIR ...] [--outer 5] [--folds 5]
                                    [--members baseline char bert layout] [--cache-dir DIR]

For each of `--outer` test folds: the other documents are the training corpus; the members are
cross-fitted on it (`--folds` inner folds), temperatures, weights and the gate (every scheme) are
fitted on the inner out-of-fold predictions exactly as `papertrail train` does, the members are
trained on all of it, and the test fold is classified and gated. Reported per fold and pooled:
auto-approved precision with its 95 % interval, coverage, accuracy, accuracy by OCR stratum.

`--test-binding api|cli` [`--test-cache-dir DIR`] reads the held-out folds through the other
Tesseract binding than the training folds (PAPERTRAIL_OCR_BINDING): what a bundle trained on one
reading does after an upgrade changes the OCR under it.

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
from tqdm import tqdm  # noqa: E402

from agent.ocr.text_reader import ocr_document_reader  # noqa: E402
from agent.settings import Settings  # noqa: E402
from classifiers.calibration import fit_temperature  # noqa: E402
from classifiers.certify import clopper_pearson_interval  # noqa: E402
from classifiers.corpus import load_corpora  # noqa: E402
from classifiers.crossfit import (  # noqa: E402
    combine,
    fit_weights,
    fold_ids,
    member_log_probs,
    nested_ensemble_probs,
    out_of_fold,
    prepare,
)
from classifiers.gate import GateOptions, apply_gate, fit_gate  # noqa: E402
from classifiers.members import Docs, member_kind  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
GATES = ("global", "ocr_quality", "class")
console = Console(width=200)


def subsets(names: list[str]) -> dict[str, list[str]]:
    """The full ensemble, each member left out in turn, and the baseline alone."""
    out = {"ensemble": names}
    for name in names:
        if name != "baseline":
            out[f"without {name}"] = [n for n in names if n != name]
    out["baseline"] = ["baseline"]
    return out


def run_fold(kinds, prepared, rest, test, y, labels, ocr, args, seen=None) -> dict:
    """Cross-fit on `rest`, certify, train on all of `rest`, measure on `test` (read as
    `seen` = (prepared, ocr) gives it, when the held-out documents are read another way)."""
    seen_prepared, seen_ocr = seen or (prepared, ocr)
    inner = fold_ids(y[rest], args.folds, args.seed)
    oof = out_of_fold(kinds, prepared, rest, y[rest], labels, inner)
    temps = {n: fit_temperature(z, y[rest]) for n, z in oof.logits.items()}
    oof_lp = member_log_probs(oof.logits, temps)
    test_lp = {}
    for kind in kinds:
        member = kind.fit(prepared[kind.name], rest, y[rest], labels)
        test_lp[kind.name] = member_log_probs(
            {kind.name: kind.logits(member, seen_prepared[kind.name], test)}, temps)[kind.name]
    low = seen_ocr[test] < args.ocr_boundary
    result: dict = {"n": len(test), "test_rows": test.tolist(), "models": {}}
    for model, names in subsets([k.name for k in kinds]).items():
        lp = {n: oof_lp[n] for n in names}
        weights = fit_weights(lp, y[rest])
        oof_probs = nested_ensemble_probs(lp, y[rest], inner)
        probs = combine({n: test_lp[n] for n in names}, weights)
        correct = probs.argmax(axis=1) == y[test]
        entry = {"weights": weights, "accuracy": float(correct.mean()),
                 "correct": correct.tolist(),
                 "accuracy_low_ocr": float(correct[low].mean()) if low.any() else None,
                 "accuracy_high_ocr": float(correct[~low].mean()) if (~low).any() else None,
                 "n_low_ocr": int(low.sum()), "gates": {}}
        if model == "ensemble":  # to study other gate procedures without refitting
            entry["test_confidence"] = probs.max(axis=1).round(5).tolist()
            entry["calibration_confidence"] = oof_probs.max(axis=1).round(5).tolist()
            entry["calibration_correct"] = (oof_probs.argmax(axis=1) == y[rest]).tolist()
        for scheme in args.gates:
            options = GateOptions(scheme=scheme, target_precision=args.target,
                                  delta=args.delta, ocr_boundary=args.ocr_boundary)
            gate = fit_gate(oof_probs, y[rest], labels, ocr[rest], options)
            approved = apply_gate(gate, probs, labels, seen_ocr[test])
            entry["gates"][scheme] = {
                "accepted": int(approved.sum()), "errors": int((approved & ~correct).sum()),
                "coverage": float(approved.mean()),
                "precision": float(correct[approved].mean()) if approved.any() else None,
                "certified": gate.certified, "calibration_n": gate.n,
                "calibration_accepted": gate.accepted, "calibration_errors": gate.errors,
                "thresholds": {c: cert.threshold for c, cert in gate.cells.items()},
                "bounds": {c: cert.error_bound for c, cert in gate.cells.items()},
            }
        result["models"][model] = entry
    return result


def ocr_confidences(corpus) -> np.ndarray:  # noqa: ANN001  (a classifiers.corpus.Corpus)
    return np.array([s.ocr_confidence if s.ocr_confidence is not None else 100.0
                     for s in corpus.signals])


def paired_difference(folds: list[dict], model: str, base: str = "ensemble",
                      rounds: int = 2000, seed: int = 0) -> dict:
    """Accuracy of `base` minus `model` on the same documents, with a paired bootstrap 95 % CI."""
    a = np.concatenate([f["models"][base]["correct"] for f in folds]).astype(float)
    b = np.concatenate([f["models"][model]["correct"] for f in folds]).astype(float)
    diff = a - b
    rng = np.random.default_rng(seed)
    boots = [diff[rng.integers(0, len(diff), len(diff))].mean() for _ in range(rounds)]
    return {"difference": float(diff.mean()),
            "ci95": [float(np.percentile(boots, 2.5)), float(np.percentile(boots, 97.5))]}


def pooled(folds: list[dict], model: str, scheme: str) -> dict:
    gates = [f["models"][model]["gates"][scheme] for f in folds]
    accepted = sum(g["accepted"] for g in gates)
    errors = sum(g["errors"] for g in gates)
    n = sum(f["n"] for f in folds)
    lo, hi = clopper_pearson_interval(accepted - errors, accepted) or (None, None)
    precisions = [g["precision"] for g in gates]
    return {"accepted": accepted, "errors": errors, "n": n, "coverage": accepted / n,
            "precision": (accepted - errors) / accepted if accepted else None,
            "precision_ci95": [lo, hi],
            "worst_fold_precision": min((p for p in precisions if p is not None), default=None)}


def ceiling(folds: list[dict], target: float) -> dict:
    """What no gate fitted on other data could beat: the largest share of the pooled held-out
    documents whose most confident part is at least `target` precise, read off their own
    labels (an oracle threshold, no certificate), and the precision at 30 % coverage."""
    conf = np.concatenate([f["models"]["ensemble"]["test_confidence"] for f in folds])
    correct = np.concatenate([f["models"]["ensemble"]["correct"] for f in folds]).astype(float)
    order = np.argsort(-conf, kind="stable")
    precision = np.cumsum(correct[order]) / np.arange(1, len(order) + 1)
    ok = np.flatnonzero(precision >= target)
    at30 = int(round(0.3 * len(order))) - 1
    return {"coverage_at_target": float((ok[-1] + 1) / len(order)) if len(ok) else 0.0,
            "precision_at_30pct": float(precision[at30])}


def stratum_accuracy(folds: list[dict], model: str, low: np.ndarray) -> dict:
    rows = np.concatenate([f["test_rows"] for f in folds])
    correct = np.concatenate([f["models"][model]["correct"] for f in folds]).astype(bool)
    low_rows = low[rows]
    return {"low": float(correct[low_rows].mean()) if low_rows.any() else None,
            "high": float(correct[~low_rows].mean()) if (~low_rows).any() else None,
            "n_low": int(low_rows.sum()), "n_high": int((~low_rows).sum())}


def inference_speed(kinds, docs: Docs, y: np.ndarray, labels: list[str], n: int = 256) -> float:
    """Documents per second of the shipped members on `n` documents, end to end from text."""
    picked = np.random.default_rng(0).permutation(len(docs))[:n]  # every class, not the first
    sample, rows = docs.take(picked), np.arange(len(picked))
    members = {}
    for kind in kinds:
        prepared = kind.prepare(sample)
        members[kind.name] = kind.fit(prepared, rows, y[picked], labels)
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
    parser.add_argument("--members", nargs="+",
                        default=["baseline", "char", "bert", "layout", "page"])
    parser.add_argument("--gates", nargs="+", default=list(GATES), choices=GATES)
    parser.add_argument("--target", type=float, default=0.98)
    parser.add_argument("--delta", type=float, default=0.05)
    parser.add_argument("--ocr-boundary", type=float, default=45.0)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--cache-dir", type=Path, help="shared OCR cache folder")
    parser.add_argument("--test-binding", choices=["api", "cli"],
                        help="read the held-out folds through this Tesseract binding")
    parser.add_argument("--test-cache-dir", type=Path, help="OCR cache for --test-binding")
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
    ocr = ocr_confidences(corpus)
    cfg = settings.classifier.model_copy(update={"members": args.members, "epochs": 0})
    kinds = [member_kind(name, cfg) for name in args.members]
    kinds = [k for k in kinds if k.usable(docs)]
    started = time.perf_counter()
    prepared = prepare(kinds, docs)
    seen = None
    if args.test_binding:
        other = settings.model_copy(update={
            "ocr": settings.ocr.model_copy(update={"binding": args.test_binding}),
            "shared_cache_dir": args.test_cache_dir or settings.shared_cache_dir})
        read = load_corpora(sources, ocr_document_reader(other), workers=other.ocr_workers)
        if read.labels != corpus.labels:
            sys.exit("the two readings list the documents in different orders")
        seen = (prepare(kinds, Docs(read.texts, read.signals)), ocr_confidences(read))
    outer = fold_ids(y, args.outer, args.seed + 1)
    models = list(subsets([k.name for k in kinds]))
    folds = []
    for fold in tqdm(range(int(outer.max()) + 1), desc="outer folds"):
        rest, test = np.flatnonzero(outer != fold), np.flatnonzero(outer == fold)
        folds.append(run_fold(kinds, prepared, rest, test, y, labels, ocr, args, seen))
        partial = args.out.with_suffix(".folds.json")  # a crash later loses no fold
        partial.parent.mkdir(parents=True, exist_ok=True)
        partial.write_text(json.dumps(folds))
    held_ocr = seen[1] if seen else ocr  # the confidences of the readings tested
    report = {
        "corpus": [str(s) for s in sources], "n": len(y), "classes": len(labels),
        "binding": settings.ocr.binding, "test_binding": args.test_binding,
        "members": [k.name for k in kinds], "outer": len(folds), "inner": args.folds,
        "target": args.target, "delta": args.delta, "folds": folds,
        "pooled": {m: {s: pooled(folds, m, s) for s in args.gates} for m in models},
        "accuracy": {m: float(np.mean(np.concatenate([f["models"][m]["correct"]
                                                      for f in folds]))) for m in models},
        "accuracy_by_ocr": {m: stratum_accuracy(folds, m, held_ocr < args.ocr_boundary)
                            for m in models},
        "gain_over": {m: paired_difference(folds, m) for m in models if m != "ensemble"},
        "low_ocr_share": float((held_ocr < args.ocr_boundary).mean()),
        "ceiling": ceiling(folds, args.target),
        "seconds": time.perf_counter() - started,
        "date": time.strftime("%Y-%m-%d"),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2))
    report["inference_docs_per_s"] = inference_speed(kinds, docs, y, labels)
    args.out.write_text(json.dumps(report, indent=2))
    show(report, args)


def show(report: dict, args: argparse.Namespace) -> None:
    table = Table(title=f"certified gate on held-out folds ({report['n']} documents, "
                        f"{report['outer']} outer x {report['inner']} inner folds, target "
                        f"{report['target']}, delta {report['delta']})")
    for column in ("model", "gate", "fold precisions", "pooled precision [95 % CI]",
                   "coverage", "accuracy", "low / high OCR", "vs ensemble [95 % CI]"):
        table.add_column(column)
    for model, by_scheme in report["pooled"].items():
        by_ocr = report["accuracy_by_ocr"][model]
        gain = report["gain_over"].get(model)
        versus = "-" if gain is None else (
            f"{-gain['difference']:+.3f} [{-gain['ci95'][1]:+.3f}, {-gain['ci95'][0]:+.3f}]")
        for scheme, p in by_scheme.items():
            per_fold = " ".join(
                "-" if f["models"][model]["gates"][scheme]["precision"] is None
                else f"{f['models'][model]['gates'][scheme]['precision']:.3f}"
                for f in report["folds"])
            precision = "-" if p["precision"] is None else (
                f"{p['precision']:.3f} [{p['precision_ci95'][0]:.3f}, "
                f"{p['precision_ci95'][1]:.3f}]")
            table.add_row(model, scheme, per_fold, precision, f"{p['coverage']:.1%}",
                          f"{report['accuracy'][model]:.3f}",
                          f"{by_ocr['low'] or 0:.3f} / {by_ocr['high'] or 0:.3f}", versus)
    console.print(table)
    top = report["ceiling"]
    console.print(f"oracle ceiling (held-out labels, no certificate): "
                  f"{top['coverage_at_target']:.1%} of documents at precision >= "
                  f"{report['target']}; precision of the 30 % most confident "
                  f"{top['precision_at_30pct']:.3f}")
    console.print(f"low-OCR share {report['low_ocr_share']:.1%}; inference "
                  f"{report['inference_docs_per_s']:.1f} docs/s; "
                  f"{report['seconds'] / 60:.1f} min in all; {args.out}")


if __name__ == "__main__":
    main()
