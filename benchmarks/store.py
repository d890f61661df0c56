"""What the SQLite document store costs per write, with and without the idle connection.

    python benchmarks/store.py [--appends 60] [--documents 12] [--rounds 2]

The embedded store opens a connection per transaction (agent/store/db.py says why). When the
last connection to a WAL database closes, SQLite checkpoints the log into the file and deletes
it; `Database` therefore keeps one idle connection open (the keeper). This measures, in one
process and interleaved round by round so that machine load hits both alike:

- one lineage append (a signed record: one transaction), wall ms p50/p95 and CPU ms;
- whole documents: generated text invoices through the real graph (no Tesseract: the text is
  read directly), wall and CPU ms per document and store transactions per document;

each **without the keeper** (the baseline: every transaction's close is the last) and **with
it** (the default), plus, for information only, with `PRAGMA synchronous=NORMAL` (not a
setting: with it a power cut may undo the last commits). Prints a table and writes
benchmarks/results/store.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402
from sqlalchemy import event  # noqa: E402

from agent.ingest.service import ingest_bytes  # noqa: E402
from agent.pipeline import Pipeline  # noqa: E402
from agent.settings import Settings  # noqa: E402
from agent.store.db import Database, _wal_keeper  # noqa: E402
from evals import fixtures  # noqa: E402
from evals.demo_bundle import ensure_active_bundle  # noqa: E402

VARIANTS = ("no keeper (before)", "keeper (default)", "keeper + synchronous=NORMAL (info)")


@contextmanager
def variant(db: Database, name: str) -> Iterator[None]:
    """The store as it was (no idle connection), as it is, or with the weaker sync mode."""
    keeper, db._keeper = db._keeper, None
    if keeper is not None:
        keeper.close()
    if name != VARIANTS[0]:
        db._keeper = _wal_keeper(db._sqlite_file)

    def normal(connection: object, _record: object) -> None:
        connection.execute("PRAGMA synchronous=NORMAL")  # type: ignore[attr-defined]

    weak = name == VARIANTS[2]
    if weak:
        event.listen(db.engine, "connect", normal)
    try:
        yield
    finally:
        if weak:
            event.remove(db.engine, "connect", normal)


def timed(fn: Callable[[object], object], items: list) -> tuple[list[float], float]:
    """Wall ms of each call `fn(item)`, and mean CPU ms of this process per call."""
    walls, cpu = [], time.process_time()
    for item in items:
        start = time.perf_counter()
        fn(item)
        walls.append((time.perf_counter() - start) * 1000)
    return walls, (time.process_time() - cpu) * 1000 / len(items)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--appends", type=int, default=60, help="Lineage appends per variant "
                        "and round.")
    parser.add_argument("--documents", type=int, default=12, help="Documents per variant and "
                        "round.")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/store.json")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="papertrail-store-bench-") as tmp:
        os.environ["PAPERTRAIL_DATA_DIR"] = tmp
        settings = Settings()
        ensure_active_bundle(settings, progress=False)
        results: dict[str, dict[str, list[float]]] = {v: {} for v in VARIANTS}
        with Pipeline.open(settings) as pipeline:
            store, lineage = pipeline.services.store, pipeline.services.lineage
            commits = [0]

            def count_commit(_connection: object) -> None:
                commits[0] += 1

            event.listen(store.db.engine, "commit", count_commit)
            counter = iter(range(10**9))

            def new_document() -> str:
                n = next(counter)
                lines = [*fixtures.INVOICE_LINES[:4], f"Invoice number: STORE-{n}",
                         *fixtures.INVOICE_LINES[5:]]
                return ingest_bytes("\n".join(lines).encode(), f"store-{n}.txt", store,
                                    settings).document.id

            target = new_document()
            pipeline.process(new_document())  # warm: models loaded, index opened
            for _ in range(args.rounds):
                for name in VARIANTS:
                    with variant(store.db, name):
                        walls, cpu = timed(lambda i: lineage.append(target, "bench", {"i": i}),
                                           list(range(args.appends)))
                        row = results[name]
                        row.setdefault("append_wall", []).extend(walls)
                        row.setdefault("append_cpu", []).append(cpu)
                        ids = [new_document() for _ in range(args.documents)]
                        before = commits[0]
                        walls, cpu = timed(pipeline.process, ids)
                        row.setdefault("doc_wall", []).extend(walls)
                        row.setdefault("doc_cpu", []).append(cpu)
                        row.setdefault("doc_commits", []).append(
                            (commits[0] - before) / args.documents)

    summary = {name: {
        "append_wall_p50_ms": statistics.median(r["append_wall"]),
        "append_wall_p95_ms": p95(r["append_wall"]),
        "append_cpu_ms": statistics.mean(r["append_cpu"]),
        "document_wall_p50_ms": statistics.median(r["doc_wall"]),
        "document_wall_p95_ms": p95(r["doc_wall"]),
        "document_cpu_ms": statistics.mean(r["doc_cpu"]),
        "store_transactions_per_document": statistics.mean(r["doc_commits"]),
    } for name, r in results.items()}
    base = summary[VARIANTS[0]]
    table = Table(title=f"SQLite store, {args.rounds} interleaved rounds, load average "
                        f"{os.getloadavg()[0]:.1f}")
    for header in ("variant", "append p50 ms", "append p95 ms", "append CPU ms",
                   "document p50 ms", "document p95 ms", "document CPU ms", "transactions/doc",
                   "document p50 vs before"):
        table.add_column(header, justify="left" if header == "variant" else "right")
    for name, s in summary.items():
        table.add_row(name, f"{s['append_wall_p50_ms']:.1f}", f"{s['append_wall_p95_ms']:.1f}",
                      f"{s['append_cpu_ms']:.1f}", f"{s['document_wall_p50_ms']:.0f}",
                      f"{s['document_wall_p95_ms']:.0f}", f"{s['document_cpu_ms']:.0f}",
                      f"{s['store_transactions_per_document']:.1f}",
                      f"{s['document_wall_p50_ms'] / base['document_wall_p50_ms']:.2f}×")
    Console(width=180).print(table)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"load_average": os.getloadavg(), "rounds": args.rounds,
                                    "appends": args.appends, "documents": args.documents,
                                    "variants": summary}, indent=2))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
