"""Classifier benchmark on RVL-CDIP pages: TF-IDF baseline vs fine-tuned BERT vs their ensemble.

    python benchmarks/classifier.py [--data ../shared/data] [--max-length 256] [--epochs 4]
                                    [--tobacco [--tobacco-bert] [--tobacco-per-class N]]
                                    [--quantize] [--bert-from FOLDER] [--image-features]

One fixed stratified split of ../shared/data/rvlcdip (test 20 %, the rest train + validation as
`papertrail train` does). Pages are read through the project's OCR (cached under the data
folder's cache/, so only the first run OCRs). Every model is calibrated and thresholded on the
validation split and measured on the test split. With --tobacco, Tobacco3482 text mapped onto the
shared labels is added to the training split only (never to validation or test), minus any
near-duplicate of a test page.
Prints one table (each model's accuracy also as a difference to the baseline's on the same pages,
with a paired bootstrap 95 % CI) and writes benchmarks/results/classifier-<timestamp>.json.
Skips (exit 0) when the data folder is absent.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import numpy as np  # noqa: E402

from agent.ocr.text_reader import ocr_text_reader  # noqa: E402
from agent.settings import Settings  # noqa: E402
from classifiers.bert import BertClassifier  # noqa: E402
from classifiers.corpus import (  # noqa: E402
    IMAGE_SUFFIXES,
    Corpus,
    Split,
    load_corpus,
    read_text_file,
    stratified_split,
)
from classifiers.ensemble import blend  # noqa: E402
from classifiers.metrics import evaluate  # noqa: E402
from classifiers.train import TrainedModels, fit_models  # noqa: E402

# Tobacco3482 classes onto RVL-CDIP classes (both come from the same tobacco archive).
TOBACCO_TO_RVL = {
    "Advertisement": "advertisement", "Email": "email", "Form": "form", "Letter": "letter",
    "Memo": "memo", "News": "news_article", "Report": "scientific_report", "Resume": "resume",
    "Scientific": "scientific_publication", "Note": None,  # handwritten notes: no clean match
}


def tobacco_corpus(folder: Path, per_class: int, seed: int, test: Corpus) -> tuple[Corpus, int]:
    """Tobacco3482 text mapped onto RVL labels, at most `per_class` per label (0 = all).

    Both sets come from the same tobacco archive, so a Tobacco document may be another OCR of a
    test page: any whose TF-IDF cosine to a test document is >= 0.8 is dropped (their count is
    returned), so the extra training text cannot leak the test set.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer

    corpus = load_corpus(folder / "labels.csv", read_text_file, progress=False)
    corpus = corpus.map_labels(TOBACCO_TO_RVL)
    vectorizer = TfidfVectorizer(min_df=1).fit(corpus.texts + test.texts)
    similarity = vectorizer.transform(corpus.texts) @ vectorizer.transform(test.texts).T
    leaks = set(np.flatnonzero(similarity.max(axis=1).toarray().ravel() >= 0.8).tolist())
    rng = np.random.default_rng(seed)
    keep = []
    for label in corpus.label_set:
        idx = [i for i, d in enumerate(corpus.documents) if d.label == label and i not in leaks]
        take = len(idx) if per_class <= 0 else min(per_class, len(idx))
        keep += sorted(rng.choice(idx, size=take, replace=False).tolist())
    return Corpus(tuple(corpus.documents[i] for i in sorted(keep))), len(leaks)


@functools.cache
def page_features(path: str) -> np.ndarray:
    """Cheap layout signals of a page image: a 32x32 thumbnail, ink profiles, aspect ratio."""
    from PIL import Image

    with Image.open(path) as image:
        gray = image.convert("L")
        aspect = gray.width / gray.height
        ink = 1.0 - np.asarray(gray.resize((96, 96)), dtype=np.float32) / 255.0
    thumb = ink.reshape(32, 3, 32, 3).mean(axis=(1, 3)).ravel()
    return np.concatenate([thumb, ink.mean(axis=1), ink.mean(axis=0),
                           [aspect, ink.mean(), (ink > 0.5).mean()]])


def image_experiment(models: TrainedModels, split: Split, test: Corpus, batch: int) -> dict:
    """Text + page image: logistic regression on `page_features`, blended into the ensemble.

    Not part of the product (classify() takes text); measures what the image would add.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from classifiers.calibration import fit_temperature, log_softmax
    from classifiers.train import choose_ensemble_weight

    index = {label: i for i, label in enumerate(models.labels)}

    def xy(corpus: Corpus) -> tuple[np.ndarray, np.ndarray]:
        x = np.stack([page_features(d.source) for d in corpus.documents])
        return x, np.array([index[label] for label in corpus.labels])

    scans = Corpus(tuple(d for d in split.train.documents
                         if Path(d.source).suffix.lower() in IMAGE_SUFFIXES))  # no Tobacco text
    (x_tr, y_tr), (x_va, y_va), (x_te, y_te) = xy(scans), xy(split.validation), xy(test)
    image_model = make_pipeline(StandardScaler(), LogisticRegression(C=0.01, max_iter=3000))
    image_model.fit(x_tr, y_tr)
    img_va = image_model.decision_function(x_va)
    img_te = image_model.decision_function(x_te)
    t_img = fit_temperature(img_va, y_va)
    text_va = models.val_logits[models.primary]
    t_text = models.temperatures[models.primary]
    text_te = text_logits(models, test.texts, batch)
    w = choose_ensemble_weight(text_va, t_text, img_va, t_img, y_va,
                               grid=tuple(np.linspace(0, 1, 11)))
    both_va = w * log_softmax(text_va, t_text) + (1 - w) * log_softmax(img_va, t_img)
    both_te = w * log_softmax(text_te, t_text) + (1 - w) * log_softmax(img_te, t_img)
    t_both = fit_temperature(both_va, y_va)
    auto = evaluate(both_va, y_va, models.labels, t_both, 0.98).auto
    out = {}
    for name, z, t, thr in (("image", img_te, t_img,
                             evaluate(img_va, y_va, models.labels, t_img, 0.98).auto.threshold),
                            (f"{models.primary}+image", both_te, t_both, auto.threshold)):
        m = evaluate(z, y_te, models.labels, t, 0.98, threshold=thr)
        out[name] = {"accuracy": m.accuracy, "macro_f1": m.macro_f1, "ece_raw": m.ece_before,
                     "ece": m.ece_after, "temperature": t, "threshold": thr,
                     "coverage": m.auto.coverage, "auto_precision": m.auto.precision,
                     "docs_per_s": float("nan"), "text_weight": w,
                     "per_class_f1": {k: v.f1 for k, v in m.per_class.items()}}
    return out


def text_logits(models: TrainedModels, texts: list[str], batch: int) -> np.ndarray:
    """The primary model's (uncalibrated) logits, as the bundle would compute them."""
    base = models.baseline.logits(texts)
    if models.primary == "baseline":
        return base
    bert = models.bert.logits(texts, batch)
    if models.primary == "bert":
        return bert
    t = models.temperatures
    return blend(bert, t["bert"], base, t["baseline"], models.ensemble_weight)


def docs_per_second(fn, texts: list[str], repeats: int = 1) -> float:
    fn(texts[:8])  # warm-up
    start = time.perf_counter()
    for _ in range(repeats):
        fn(texts)
    return repeats * len(texts) / (time.perf_counter() - start)


def base_name(name: str) -> str:
    """The model whose validation threshold a variant uses ('bert-int8' -> 'bert')."""
    return name.replace("-int8", "").replace("-head-only", "")


def readable_pages(test: Corpus, settings: Settings) -> np.ndarray:
    """True for pages the product would classify: OCR text at or above min_ocr_confidence.

    The graph sends the rest (`unreadable`) to a person unclassified, so a model's accuracy on
    them never reaches a decision. Reads the OCR cache the corpus was loaded through.
    """
    from agent.ocr import OcrService

    service = OcrService(settings)
    results = [service.ocr_file(Path(d.source)) for d in test.documents]
    return np.array([bool(r.text.strip()) and r.mean_confidence >= settings.min_ocr_confidence
                     for r in results])


def test_metrics(models: TrainedModels, test: Corpus, quantize: bool, batch: int,
                 readable: np.ndarray) -> dict:
    index = {label: i for i, label in enumerate(models.labels)}
    y = np.array([index[label] for label in test.labels])
    texts = test.texts
    t = models.temperatures
    logits = {"baseline": models.baseline.logits(texts)}
    speed = {"baseline": docs_per_second(models.baseline.logits, texts, repeats=5)}
    if models.bert is not None:
        bert_fn = (lambda xs: models.bert.logits(xs, batch))  # noqa: E731
        speed["bert"] = docs_per_second(bert_fn, texts)
        logits["bert"] = models.bert.logits(texts, batch)
        logits["ensemble"] = blend(logits["bert"], t["bert"], logits["baseline"],
                                   t["baseline"], models.ensemble_weight)
        speed["ensemble"] = 1 / (1 / speed["bert"] + 1 / speed["baseline"])
        # The same fine-tuned model fed only the head of each document (no retraining): how
        # much the tail window contributes.
        head_fraction = models.bert.head_fraction
        models.bert.head_fraction = 1.0
        logits["bert-head-only"] = models.bert.logits(texts, batch)
        models.bert.head_fraction = head_fraction
        t = {**t, "bert-head-only": t["bert"]}
        speed["bert-head-only"] = speed["bert"]
        if quantize:
            q = models.bert.quantized()
            speed["bert-int8"] = docs_per_second(lambda xs: q.logits(xs, batch), texts)
            logits["bert-int8"] = q.logits(texts, batch)
            t = {**t, "bert-int8": t["bert"]}
            logits["ensemble-int8"] = blend(logits["bert-int8"], t["bert"], logits["baseline"],
                                            t["baseline"], models.ensemble_weight)
            t["ensemble-int8"] = t["ensemble"]
            speed["ensemble-int8"] = 1 / (1 / speed["bert-int8"] + 1 / speed["baseline"])
    out = {}
    for name, z in logits.items():
        m = evaluate(z, y, models.labels, t[name], 0.98,
                     threshold=models.metrics[base_name(name)].auto.threshold)
        out[name] = {
            "accuracy": m.accuracy, "macro_f1": m.macro_f1, "ece_raw": m.ece_before,
            "ece": m.ece_after, "temperature": t[name],
            "threshold": m.auto.threshold, "coverage": m.auto.coverage,
            "auto_precision": m.auto.precision, "docs_per_s": speed[name],
            "val_accuracy": models.metrics[base_name(name)].accuracy,
            "per_class_f1": {k: v.f1 for k, v in m.per_class.items()},
        }
        # Also: the best coverage any threshold reaches at 98 % on test (an upper bound).
        out[name]["oracle_coverage"] = evaluate(z, y, models.labels, t[name], 0.98).auto.coverage
        correct, base_correct = z.argmax(axis=1) == y, logits["baseline"].argmax(axis=1) == y
        out[name]["vs_baseline"] = paired_difference(correct, base_correct)
        out[name]["readable"] = {
            "n": int(readable.sum()), "accuracy": float(correct[readable].mean()),
            "vs_baseline": paired_difference(correct[readable], base_correct[readable])}
    return out


def paired_difference(correct: np.ndarray, baseline_correct: np.ndarray,
                      resamples: int = 10_000, seed: int = 0) -> dict[str, float]:
    """Accuracy minus the baseline's on the same documents, with a paired bootstrap 95 % CI."""
    diff = correct.astype(float) - baseline_correct.astype(float)
    rng = np.random.default_rng(seed)
    means = diff[rng.integers(0, len(diff), size=(resamples, len(diff)))].mean(axis=1)
    low, high = np.quantile(means, [0.025, 0.975])
    return {"difference": float(diff.mean()), "ci95_low": float(low), "ci95_high": float(high)}


def run(args: argparse.Namespace) -> int:
    data = Path(args.data)
    rvl = data / "rvlcdip"
    if not (rvl / "labels.csv").is_file():
        print(f"skipped: {rvl} not found (set --data or PAPERTRAIL_DATA)")
        return 0
    settings = Settings()
    cfg = settings.classifier.model_copy(update={
        "max_length": args.max_length, "epochs": args.epochs, "seed": args.seed,
        "head_fraction": args.head_fraction, "ensemble_weight": args.ensemble_weight,
    })
    started = time.perf_counter()
    corpus = load_corpus(rvl / "labels.csv", ocr_text_reader(settings),
                         workers=settings.ocr_workers)
    ocr_s = time.perf_counter() - started
    outer = stratified_split(corpus, 0.2, seed=args.seed)  # validation here = the test set
    test, rest = outer.validation, outer.train
    inner = stratified_split(rest, cfg.validation_fraction, cfg.seed)
    variants, tobacco = {"rvl": inner}, {}
    if args.tobacco:
        extra, leaks = tobacco_corpus(data / "tobacco3482-text", args.tobacco_per_class,
                                      args.seed, test)
        print(f"Tobacco3482: {len(extra)} documents added to training; {leaks} dropped as "
              "near-duplicates of test pages", flush=True)
        variants["rvl+tobacco"] = Split(inner.train + extra, inner.validation)
        tobacco = {"added": len(extra), "dropped_near_duplicates_of_test": leaks,
                   "counts": extra.counts()}
    readable = readable_pages(test, settings)
    results, rvl_bert = {}, None
    for name, split in variants.items():
        with_bert = not args.baseline_only
        # Without --tobacco-bert the Tobacco variant reuses the RVL-only BERT: the extra text
        # then reaches only the baseline half of the ensemble (fine-tuning on it is slow).
        reuse = rvl_bert if name != "rvl" and not args.tobacco_bert else None
        if name == "rvl" and args.bert_from:
            reuse = BertClassifier.load(Path(args.bert_from), cfg.max_length, cfg.head_fraction)
        print(f"== {name}: train {len(split.train)}, validation {len(split.validation)}, "
              f"test {len(test)}; BERT: {with_bert} (reused: {reuse is not None})", flush=True)
        t0 = time.perf_counter()
        models = fit_models(split, cfg, with_bert=with_bert, progress=not args.quiet,
                            bert=reuse)
        if name == "rvl" and models.bert is not None and reuse is None:
            saved = ROOT / "benchmarks" / "results" / f"bert-rvl-{cfg.max_length}"
            models.bert.save(saved)  # a later failure must not cost the fine-tune
            print(f"fine-tuned BERT saved to {saved} (reuse with --bert-from)", flush=True)
        rvl_bert = rvl_bert or models.bert
        results[name] = {"train_s": time.perf_counter() - t0, "n_train": len(split.train),
                         "bert_reused_from_rvl": reuse is not None,
                         "ensemble_weight": models.ensemble_weight,
                         "models": test_metrics(models, test, args.quantize,
                                                cfg.inference_batch_size, readable)}
        if args.image_features:
            results[name]["image_models"] = image_experiment(models, split, test,
                                                             cfg.inference_batch_size)
    print_table(results, cfg.max_length)
    report = {
        "created_at": datetime.now(UTC).isoformat(), "host": platform.node(),
        "cpus": os.cpu_count(), "load_avg": os.getloadavg(),
        "settings": cfg.model_dump(), "n_corpus": len(corpus), "n_test": len(test),
        "corpus_hash": corpus.content_hash(), "ocr_seconds": ocr_s, "tobacco": tobacco,
        "results": results,
    }
    out_dir = ROOT / "benchmarks" / "results"
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / f"classifier-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    out.write_text(json.dumps(report, indent=2))
    print(f"wrote {out}")
    return 0


def print_table(results: dict, max_length: int) -> None:
    header = (f"{'train data':<12} {'model':<14} {'acc':>6} {'vs baseline [95% CI]':>22} "
              f"{'readable':>8} {'vs baseline [95% CI]':>22} "
              f"{'macroF1':>7} {'ECE raw':>7} {'ECE cal':>7} {'cov@98':>7} {'prec':>5} "
              f"{'docs/s':>7}")
    print(f"\ntest split, max_length {max_length}; readable = the pages the graph classifies "
          f"(OCR confidence at or above the minimum)\n{header}\n{'-' * len(header)}")

    def delta(vs: dict | None) -> str:
        if not vs:
            return ""
        return f"{vs['difference']:+.3f} [{vs['ci95_low']:+.3f}, {vs['ci95_high']:+.3f}]"

    for variant, r in results.items():
        for name, m in {**r["models"], **r.get("image_models", {})}.items():
            prec = "-" if m["auto_precision"] is None else f"{m['auto_precision']:.2f}"
            readable = m.get("readable", {})
            acc_readable = f"{readable['accuracy']:.3f}" if readable else ""
            print(f"{variant:<12} {name:<14} {m['accuracy']:>6.3f} "
                  f"{delta(m.get('vs_baseline')):>22} {acc_readable:>8} "
                  f"{delta(readable.get('vs_baseline')):>22} {m['macro_f1']:>7.3f} "
                  f"{m['ece_raw']:>7.3f} {m['ece']:>7.3f} {m['coverage']:>7.1%} {prec:>5} "
                  f"{m['docs_per_s']:>7.1f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=os.environ.get("PAPERTRAIL_DATA", ROOT / ".." /
                                                         "shared" / "data"))
    parser.add_argument("--max-length", type=int, default=256)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--head-fraction", type=float, default=0.75)
    parser.add_argument("--ensemble-weight", type=float, default=None,
                        help="BERT weight in the blend (default: chosen on validation)")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--tobacco", action="store_true", help="also train with Tobacco3482")
    parser.add_argument("--tobacco-per-class", type=int, default=0, help="0 = all")
    parser.add_argument("--tobacco-bert", action="store_true",
                        help="fine-tune BERT on the Tobacco variant too (slow)")
    parser.add_argument("--quantize", action="store_true", help="also measure int8 BERT")
    parser.add_argument("--bert-from", help="reuse a fine-tuned BERT folder (skips fine-tuning)")
    parser.add_argument("--baseline-only", action="store_true")
    parser.add_argument("--image-features", action="store_true",
                        help="experiment: blend in a page-image model (images must exist)")
    parser.add_argument("--quiet", action="store_true")
    return run(parser.parse_args())


if __name__ == "__main__":
    raise SystemExit(main())
