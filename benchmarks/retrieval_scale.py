"""Classification speed and exemplar retrieval at scale, on Qdrant's local mode.

    python benchmarks/retrieval_scale.py --bundles DATA_DIR/bundles [--exemplars 10000]

- Classification: the active bundle of `--bundles` on generated invoices (the load test's
  documents), one at a time as a worker does: documents/s, p50 and p95.
- Retrieval: an index of `--exemplars` reviewed exemplars in local mode (a fresh folder). Their
  vectors are pseudo-random unit vectors (embedding 10k texts would take longer than the
  search being measured; brute-force search time does not depend on the values), the query is
  embedded by the real packaged MiniLM. Reports the query embedding and the filtered top-k
  search (`reviewed` = true, as the graph asks) separately: p50, p95; beside it Qdrant's own
  filtered query on the same index (the baseline `ExemplarIndex` used before it over-fetched).

Runs with one torch thread, as each task of a 2-core worker does (api/worker.py
`split_cores`). Prints a table and writes benchmarks/results/retrieval-scale.json.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from classifiers.options import ClassifierSettings  # noqa: E402
from evals import fixtures  # noqa: E402
from retrieval.embeddings import SentenceTransformerEmbedder  # noqa: E402
from retrieval.index import EXEMPLARS, Exemplar, ExemplarIndex, exemplar_filter  # noqa: E402
from retrieval.options import RetrievalSettings  # noqa: E402

DIMENSION = 384  # all-MiniLM-L6-v2


class RandomUnitVectors:
    """An embedder that maps each text to a fixed pseudo-random unit vector (index filling)."""

    model_name, weight_hash, dimension = "random-unit", "none", DIMENSION

    def embed(self, texts: list[str]) -> np.ndarray:
        rows = []
        for text in texts:
            seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")
            vector = np.random.default_rng(seed).standard_normal(DIMENSION)
            rows.append(vector / np.linalg.norm(vector))
        return np.asarray(rows, dtype=np.float32)


def invoice_text(n: int) -> str:
    lines = [*fixtures.INVOICE_LINES[:4], f"Invoice number: SCALE-{n}", *fixtures.INVOICE_LINES[5:]]
    return "\n".join(lines)


def timings(values: list[float]) -> dict[str, float]:
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return {"n": len(values), "p50_ms": round(cuts[49] * 1000, 2),
            "p95_ms": round(cuts[94] * 1000, 2),
            "per_second": round(len(values) / sum(values), 1)}


def classification(bundles: Path, n: int) -> dict[str, float]:
    from classifiers.inference import load_active

    classifier = load_active(bundles, ClassifierSettings(torch_threads=1))
    texts = [invoice_text(i) for i in range(n)]
    classifier.classify(texts[0])  # first call: lazy parts
    spent = []
    for text in texts:
        started = time.perf_counter()
        classifier.classify(text)
        spent.append(time.perf_counter() - started)
    return timings(spent)


def retrieval(exemplars: int, queries: int, folder: Path) -> dict[str, dict]:
    labels = ["invoice", "receipt", "contract", "memo", "letter", "bank_statement"]
    index = ExemplarIndex(RetrievalSettings(), folder, embedder=RandomUnitVectors())
    started = time.perf_counter()
    index.upsert_exemplars(
        Exemplar(doc_id=f"ex-{i}", label=labels[i % len(labels)], text=f"exemplar {i}",
                 reviewed=i % 10 != 0)  # a tenth not reviewed: the filter has work to do
        for i in range(exemplars))
    fill_seconds = time.perf_counter() - started
    embedder = SentenceTransformerEmbedder()
    embedder.embed([invoice_text(-1)])  # load the model
    embed_times, search_times, qdrant_filter_times = [], [], []
    reviewed = exemplar_filter(None, True, set())
    for i in range(queries):
        t0 = time.perf_counter()
        vector = embedder.embed([invoice_text(i)])[0]
        t1 = time.perf_counter()
        hits = index.search_vector(vector, 4, reviewed_only=True)
        t2 = time.perf_counter()
        baseline = index._client.query_points(  # Qdrant's own filter: the baseline
            index._name(EXEMPLARS), query=vector.tolist(), query_filter=reviewed, limit=4,
            with_payload=True).points
        qdrant_filter_times.append(time.perf_counter() - t2)
        search_times.append(t2 - t1)
        embed_times.append(t1 - t0)
        assert [h.doc_id for h in hits] == [p.payload["doc_id"] for p in baseline]
    index.close()
    return {"fill": {"exemplars": exemplars, "seconds": round(fill_seconds, 1)},
            "embed_query": timings(embed_times), "search_filtered_top4": timings(search_times),
            "qdrant_filter_top4": timings(qdrant_filter_times)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundles", type=Path, required=True,
                        help="A data folder's bundles/ with an active bundle.")
    parser.add_argument("--exemplars", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--documents", type=int, default=200)
    args = parser.parse_args()
    import torch

    torch.set_num_threads(1)
    load_start = [round(x, 2) for x in os.getloadavg()]
    result = {"date": time.strftime("%Y-%m-%d %H:%M %Z"), "loadavg_at_start": load_start,
              "classify": classification(args.bundles, args.documents)}
    with tempfile.TemporaryDirectory(prefix="papertrail-retrieval-") as tmp:
        result |= retrieval(args.exemplars, args.queries, Path(tmp))
    result["loadavg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    table = Table("step", "n", "p50 ms", "p95 ms", "per second",
                  title=f"classification and retrieval at {args.exemplars:,} exemplars "
                  "(Qdrant local mode, 1 torch thread)")
    for name in ("classify", "embed_query", "search_filtered_top4", "qdrant_filter_top4"):
        row = result[name]
        table.add_row(name, str(row["n"]), str(row["p50_ms"]), str(row["p95_ms"]),
                      str(row["per_second"]))
    console = Console()
    console.print(table)
    console.print(f"index filled in {result['fill']['seconds']} s; load average "
                  f"{load_start} -> {result['loadavg_at_end']}")
    out = ROOT / "benchmarks" / "results" / "retrieval-scale.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    console.print(f"written {out}")


if __name__ == "__main__":
    main()
