"""What scoring a shadow candidate costs the classify step: the active bundle alone against the
active bundle plus the candidate's shadow answer, on the same documents in the same run.

    python benchmarks/shadow.py [--per-class 20] [--docs 200] [--members baseline,char]

Two bundles of the demo recipe (evals/demo_bundle.py: word + character TF-IDF, no BERT) are
trained on generated documents with different seeds; the held-out documents are classified
first by the active one alone, then by the active one and, as the classify step does it, the
candidate in shadow (`agent.lifecycle.candidate.score`). Reported: ms per document of each,
their ratio, and the load average. Writes benchmarks/results/shadow.json.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from agent.lifecycle.candidate import score  # noqa: E402
from classifiers.bundle import Registry  # noqa: E402
from classifiers.corpus import load_corpus  # noqa: E402
from classifiers.inference import load_bundle  # noqa: E402
from classifiers.options import ClassifierSettings  # noqa: E402
from classifiers.signals import DocumentSignals  # noqa: E402
from classifiers.train import train_bundle  # noqa: E402
from evals.samples import generate  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-class", type=int, default=20)
    parser.add_argument("--docs", type=int, default=200)
    parser.add_argument("--members", default="baseline,char")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="papertrail-shadow-bench-") as tmp:
        root = Path(tmp)
        generate(root / "corpus", n_per_class=args.per_class, seed=0, formats=("txt",))
        corpus = load_corpus(root / "corpus", progress=False)
        registry = Registry(root / "bundles")
        ids = [train_bundle(corpus, ClassifierSettings(
            epochs=0, max_length=128, members=args.members.split(","), seed=seed), registry,
            activate=False, progress=False) for seed in (13, 14)]
        active, candidate = (load_bundle(registry.path(i)) for i in ids)
        per_class = max(1, args.docs // len(corpus.label_set))
        texts = [s.text for s in generate(root / "live", n_per_class=per_class, seed=21,
                                          formats=("txt",))]
        signals = DocumentSignals(ocr_confidence=100.0)
        for text in texts[:5]:  # warm up both
            active.classify(text, signals)
            score(candidate, text, signals, "candidate")
        started = time.perf_counter()
        for text in texts:
            active.classify(text, signals)
        alone = (time.perf_counter() - started) * 1000 / len(texts)
        started = time.perf_counter()
        for text in texts:
            active.classify(text, signals)
            score(candidate, text, signals, "candidate")
        both = (time.perf_counter() - started) * 1000 / len(texts)
    result = {"documents": len(texts), "members": args.members, "active_ms": round(alone, 2),
              "active_plus_shadow_ms": round(both, 2), "ratio": round(both / alone, 2),
              "load_average": [round(x, 2) for x in os.getloadavg()]}
    out = ROOT / "benchmarks" / "results" / "shadow.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
