"""Does the LLM help on the classifier's escalated band? (issue 4, point 5)

On a fixed stratified split of ../shared/data/rvlcdip (OCR text), compare on the documents a
classifier escalates: (a) the classifier's top-1, (b) the majority label of the k exemplars
retrieved from Qdrant, (c) each local LLM through the real Adjudicator, (d) the LLM only when
it agrees with (b). Undecided documents (ungrounded, disagreeing) go to a person; the table
shows coverage, accuracy on what was decided, and p50/p95 latency and tokens per adjudication.

STAND-IN CLASSIFIER: until the real BERT bundle lands, the classifier is TF-IDF (1-2-grams)
+ logistic regression trained on the split's train part; its probabilities are uncalibrated.
The escalation threshold is the smallest top-1 probability whose band reaches `--target`
accuracy in 5-fold cross-validation on the train part.

    python benchmarks/adjudication.py --data ../shared/data/rvlcdip --limit 80
"""

from __future__ import annotations

import argparse
import hashlib
import json
import signal
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from agent.adjudication.adjudicator import Adjudicator  # noqa: E402
from agent.llm.models import packaged_model  # noqa: E402
from agent.llm.server import LocalLlmServer  # noqa: E402
from agent.settings import Settings  # noqa: E402
from classifiers.prediction import Prediction  # noqa: E402
from retrieval.index import Exemplar, ExemplarIndex  # noqa: E402
from retrieval.label_guidance import load_label_guidance  # noqa: E402

LLM_CONFIGS = {  # name -> (packaged model, mode)
    "gemma3-270m few-shot": ("gemma3-270m", "completion"),
    "smollm2-135m few-shot": ("smollm2-135m", "completion"),
    "smollm2-135m chat-json": ("smollm2-135m", "chat"),
}


# Tobacco3482's folder names, mapped onto the label guidance's labels (retrieval/policies.yaml).
LABEL_ALIASES = {"news": "news_article", "scientific": "scientific_publication",
                 "report": "scientific_report"}  # fmt: skip


def normalise_label(label: str) -> str:
    label = label.strip().lower()
    return LABEL_ALIASES.get(label, label)


def text_reader(settings: Settings) -> Callable[[Path], str]:
    """Text files as they are; page images from the benchmark's Tesseract cache (by content
    hash) when present, else through agent.ocr's OcrService (itself cached)."""
    from agent.ocr import OcrService

    ocr = OcrService(settings)
    cache = settings.cache_dir / "bench-ocr"

    def read(path: Path) -> str:
        if path.suffix == ".txt":
            return path.read_text(errors="replace")
        cached = cache / f"{hashlib.sha256(path.read_bytes()).hexdigest()}.txt"
        if cached.exists():
            return cached.read_text()
        return ocr.ocr_file(path).text

    return read


def split(rows: list[tuple[str, str]], test_fraction: float, seed: int):
    from sklearn.model_selection import train_test_split

    paths, labels = zip(*rows, strict=True)
    return train_test_split(
        list(paths), list(labels), test_size=test_fraction, random_state=seed, stratify=labels
    )


def stand_in_classifier(train_text, train_y, target: float, seed: int):
    """TF-IDF + LR, and the threshold below which it escalates (from CV on the train part)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from sklearn.pipeline import make_pipeline

    def make():
        return make_pipeline(
            TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True, max_features=50000),
            LogisticRegression(C=10, max_iter=2000),
        )

    cv = StratifiedKFold(5, shuffle=True, random_state=seed)
    proba = cross_val_predict(make(), train_text, train_y, cv=cv, method="predict_proba")
    classes = np.array(sorted(set(train_y)))
    top = proba.max(1)
    correct = classes[proba.argmax(1)] == np.array(train_y)
    threshold = 1.0
    for t in sorted(set(np.round(top, 3))):
        band = top >= t
        if band.any() and correct[band].mean() >= target:
            threshold = float(t)
            break
    model = make().fit(train_text, train_y)
    return model, threshold


def pct(values: list[float], q: float) -> float | None:
    return float(np.percentile(values, q)) if values else None


def summarize(name: str, decided: list[str | None], truth: list[str], extra=None) -> dict:
    n = len(truth)
    made = [(d, t) for d, t in zip(decided, truth, strict=True) if d is not None]
    row = {
        "policy": name,
        "n": n,
        "decided": len(made),
        "coverage": len(made) / n if n else 0.0,
        "accuracy_decided": sum(d == t for d, t in made) / len(made) if made else None,
        "accuracy_all": sum(d == t for d, t in made) / n if n else None,
    }
    return row | (extra or {})


def run_llm(name, model_name, mode, settings, docs, preds, hits, guidance, truth, args):
    packaged = packaged_model(model_name)
    gguf = packaged.path(ROOT / "var" / "models")
    log = settings.resolved_data_dir / f"bench-{model_name}.log"
    rows, details = [], []
    with LocalLlmServer(packaged, gguf, n_ctx=2048, n_threads=2, log_file=log) as server:
        update = {"base_url": server.base_url, "model": model_name, "mode": mode, "policy": "llm",
                  "timeout": 60.0, "max_tokens": 16 if mode == "completion" else 160,
                  "max_doc_chars": args.doc_chars, "shots": args.k}  # fmt: skip
        cfg = settings.llm.model_copy(update=update)
        adjudicator = Adjudicator(cfg, guidance=guidance, snippet_chars=args.snippet_chars)
        results = []
        for text, pred, doc_hits in zip(docs, preds, hits, strict=True):
            results.append(adjudicator.adjudicate(text, pred, doc_hits))
            print(f"  {name}: {len(results)}/{len(docs)}", end="\r", flush=True)
    print()
    lat = [r.record.latency_ms for r in results if r.record and r.record.raw_answer is not None]
    toks = [
        (r.record.prompt_tokens or 0) + (r.record.completion_tokens or 0)
        for r in results
        if r.record and r.record.prompt_tokens
    ]
    perf = {
        "p50_ms": pct(lat, 50), "p95_ms": pct(lat, 95),
        "tokens_per_doc": statistics.mean(toks) if toks else None,
        "ungrounded": sum(r.status == "ungrounded" for r in results),
    }  # fmt: skip
    llm_labels = [r.answer.label if r.status == "grounded" else None for r in results]
    llm_labels = [None if x == "unknown" else x for x in llm_labels]
    rows.append(summarize(f"(c) LLM {name}", llm_labels, truth, perf))
    agree = [x if x is not None and x == r.majority_label else None
             for x, r in zip(llm_labels, results, strict=True)]  # fmt: skip
    rows.append(summarize(f"(d) LLM {name} when = majority", agree, truth, perf))
    agree_top1 = [x if x is not None and x == p.label else None
                  for x, p in zip(llm_labels, preds, strict=True)]  # fmt: skip
    rows.append(summarize(f"(f) LLM {name} when = top-1", agree_top1, truth, perf))
    for r, t in zip(results, truth, strict=True):
        details.append({"truth": t, "status": r.status, "reason": r.reason,
                        "label": r.answer.label if r.answer else None,
                        "raw": r.record.raw_answer if r.record else None})  # fmt: skip
    return rows, details


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared/data/rvlcdip")
    ap.add_argument("--test-fraction", type=float, default=0.3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--target", type=float, default=0.9, help="accuracy of the confident band")
    ap.add_argument("--k", type=int, default=4)
    ap.add_argument("--doc-chars", type=int, default=600, help="document text in the prompt")
    ap.add_argument("--snippet-chars", type=int, default=160, help="per exemplar in the prompt")
    ap.add_argument("--limit", type=int, default=80, help="escalated docs sent to each LLM")
    ap.add_argument("--llms", default=",".join(LLM_CONFIGS), help="comma-separated, or 'none'")
    ap.add_argument("--only-cached-text", action="store_true",
                    help="use only pages whose OCR text is already cached")  # fmt: skip
    ap.add_argument("--max-docs", type=int, default=0, help="stratified subsample first")
    ap.add_argument("--workdir", type=Path, default=ROOT / "var" / "bench")
    ap.add_argument("--split", type=Path, help="folder with train.csv/test.csv from "
                    "`papertrail eval split` (instead of this script's own split)")
    ap.add_argument("--bundle", type=Path, help="a trained bundle folder: its calibrated "
                    "predictions and auto threshold replace the stand-in classifier")
    args = ap.parse_args()
    # SIGTERM unwinds like Ctrl-C, so the LLM server subprocess is stopped on the way out.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    if args.split is None and not (args.data / "labels.csv").exists():
        sys.exit(f"No labelled corpus at {args.data} (expected labels.csv); pass --data.")
    settings = Settings(data_dir=ROOT / "var")
    read = text_reader(settings)
    if args.split is not None:
        run_split(args, read)
        return
    evaluate_band(args, *stand_in_split(args, settings, read))


def stand_in_split(args, settings: Settings, read: Callable[[Path], str]) -> tuple:
    """The corpus at args.data split (seed-stable) and classified by the stand-in: (train_p,
    train_y, train_text, test_y, test_text, preds, threshold, info)."""
    lines = (args.data / "labels.csv").read_text().splitlines()[1:]
    rows = [(path, normalise_label(label)) for path, label in (ln.split(",") for ln in lines)]
    if args.only_cached_text:
        cache = settings.cache_dir / "bench-ocr"
        rows = [
            r
            for r in rows
            if (
                cache / f"{hashlib.sha256((args.data / r[0]).read_bytes()).hexdigest()}.txt"
            ).exists()
        ]  # noqa: E501
    if args.max_docs and len(rows) > args.max_docs:
        rows = list(zip(*split(rows, 1 - args.max_docs / len(rows), args.seed)[::2], strict=True))
    train_p, test_p, train_y, test_y = split(rows, args.test_fraction, args.seed)
    t0 = time.time()
    train_text = [read(args.data / p) for p in train_p]
    test_text = [read(args.data / p) for p in test_p]
    print(f"text for {len(rows)} pages in {time.time() - t0:.0f} s")

    model, threshold = stand_in_classifier(train_text, train_y, args.target, args.seed)
    classes = list(model.classes_)
    proba = model.predict_proba(test_text)
    preds = [
        Prediction(label=classes[int(p.argmax())],
                   probabilities={c: float(x) for c, x in zip(classes, p, strict=True)},
                   bundle_id="stand-in-tfidf-lr", model="baseline")
        for p in proba
    ]  # fmt: skip
    info = {"kind": "STAND-IN tfidf+logreg", "threshold": threshold}
    return train_p, train_y, train_text, test_y, test_text, preds, threshold, info


def run_split(args, read) -> None:
    """Exemplars from train.csv, escalated band of test.csv, by a real bundle when given."""
    import csv

    def rows_of(name: str) -> tuple[list[str], list[str]]:
        with (args.split / name).open() as handle:
            rows = list(csv.DictReader(handle))
        return [r["path"] for r in rows], [normalise_label(r["label"]) for r in rows]

    train_p, train_y = rows_of("train.csv")
    test_p, test_y = rows_of("test.csv")
    train_text = [read(Path(p)) for p in train_p]
    test_text = [read(Path(p)) for p in test_p]
    if args.bundle is None:
        model, threshold = stand_in_classifier(train_text, train_y, args.target, args.seed)
        classes = list(model.classes_)
        preds = [Prediction(label=classes[int(p.argmax())], bundle_id="stand-in-tfidf-lr",
                            probabilities={c: float(x) for c, x in zip(classes, p, strict=True)},
                            model="baseline") for p in model.predict_proba(test_text)]
        info = {"kind": "STAND-IN tfidf+logreg", "threshold": threshold}
    else:
        from classifiers.inference import load_bundle

        classifier = load_bundle(args.bundle)
        preds = classifier.classify_batch(test_text)
        threshold = preds[0].auto_threshold if preds[0].auto_threshold is not None else 1.01
        info = {"kind": "bundle", **{k: str(v) for k, v in classifier.lineage().items()}}
    evaluate_band(args, train_p, train_y, train_text, test_y, test_text, preds, threshold, info)


def retrieve(args, bench, train_p, train_y, train_text, test_text):
    """Index the train part as exemplars (re-embedded only when the split changed); the k
    nearest exemplars of every test document, and the embedding's lineage."""
    with ExemplarIndex(bench.retrieval, bench.index_dir) as index:
        exemplars = [Exemplar(doc_id=p, label=y, text=t, source=p)
                     for p, y, t in zip(train_p, train_y, train_text, strict=True)]  # fmt: skip
        t0 = time.time()
        marker = bench.index_dir / "exemplar-set.sha256"
        pairs = sorted(f"{p}\t{y}" for p, y in zip(train_p, train_y, strict=True))
        digest = hashlib.sha256("\n".join(pairs).encode()).hexdigest()
        if not marker.exists() or marker.read_text() != digest:
            index.drop("exemplars")
            index.upsert_exemplars(exemplars)
            marker.write_text(digest)
        print(f"indexed {index.count()} exemplars in {time.time() - t0:.0f} s")
        vectors = index.embedder.embed(test_text)  # all test docs: a sanity row for (b)
        return [index.search_vector(v, args.k) for v in vectors], index.embedding_info


def evaluate_band(args, train_p, train_y, train_text, test_y, test_text, preds, threshold,
                  info) -> None:
    """Index the train part as exemplars; compare the policies on the escalated band."""
    escalated = [i for i, p in enumerate(preds) if p.confidence < threshold]
    acc_all = np.mean([p.label == y for p, y in zip(preds, test_y, strict=True)])
    print(f"{info['kind']} classifier: test accuracy {acc_all:.3f}; escalation threshold "
          f"{threshold:.3f} -> {len(escalated)}/{len(preds)} escalated")

    bench = Settings(data_dir=args.workdir / args.data.name)
    guidance = load_label_guidance()
    all_hits, embedding = retrieve(args, bench, train_p, train_y, train_text, test_text)
    esc_text = [test_text[i] for i in escalated]
    hits = [all_hits[i] for i in escalated]

    from agent.adjudication.policy import majority_label

    truth = [test_y[i] for i in escalated]
    esc_preds = [preds[i] for i in escalated]
    majority = [majority_label(h) for h in hits]
    table = [
        summarize("(a) classifier top-1, ALL test docs", [p.label for p in preds], test_y),
        summarize(
            "(b) exemplar majority, ALL test docs", [majority_label(h) for h in all_hits], test_y
        ),  # fmt: skip
        summarize("(a) classifier top-1", [p.label for p in esc_preds], truth),
        summarize(f"(b) exemplar majority (k={args.k})", majority, truth),
    ]
    # The LLM runs on a fixed prefix of the escalated band; (a)/(b) on it too, for comparison.
    n = min(args.limit, len(escalated))
    sub = slice(0, n)
    table += [
        summarize(
            f"(a) classifier top-1 [first {n}]", [p.label for p in esc_preds[sub]], truth[sub]
        ),
        summarize(f"(b) exemplar majority [first {n}]", majority[sub], truth[sub]),
        summarize(
            f"(e) top-1 when = majority [first {n}]",
            [
                p.label if p.label == m else None
                for p, m in zip(esc_preds[sub], majority[sub], strict=True)
            ],
            truth[sub],
        ),
    ]
    details = {}
    llms = [] if args.llms == "none" else [x.strip() for x in args.llms.split(",")]
    for name in llms:
        model_name, mode = LLM_CONFIGS[name]
        rows_llm, details[name] = run_llm(
            name, model_name, mode, bench, esc_text[sub], esc_preds[sub], hits[sub],
            guidance, truth[sub], args,
        )  # fmt: skip
        table += rows_llm

    print(f"\n{'policy':48} {'n':>4} {'cov':>6} {'acc|dec':>8} {'acc|all':>8} {'p50 s':>6} "
          f"{'p95 s':>6} {'tok/doc':>7}")  # fmt: skip
    for r in table:

        def f(x, spec):
            return format(x, spec) if x is not None else "-"

        print(f"{r['policy']:48} {r['n']:>4} {f(r['coverage'], '6.2f')} "
              f"{f(r['accuracy_decided'], '8.3f')} {f(r['accuracy_all'], '8.3f')} "
              f"{f(r.get('p50_ms') and r['p50_ms'] / 1000, '6.2f')} "
              f"{f(r.get('p95_ms') and r['p95_ms'] / 1000, '6.2f')} "
              f"{f(r.get('tokens_per_doc'), '7.0f')}")  # fmt: skip
    out = ROOT / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = out / f"adjudication-{stamp}.json"
    path.write_text(json.dumps({
        "args": {k: str(v) for k, v in vars(args).items()},
        "classifier": {**info, "test_accuracy": float(acc_all), "threshold": threshold,
                       "escalated": len(escalated), "test": len(preds)},
        "embedding": embedding, "label_guidance_sha256": guidance.sha256,
        "table": table, "details": details,
    }, indent=2))  # fmt: skip
    print(f"\nwrote {path}")


if __name__ == "__main__":
    main()
