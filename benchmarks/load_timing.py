"""Where the load test's time goes, and the bare-OCR yardstick it is compared with.

- `node_breakdown`: from the lineage records the graph writes (every node's record carries its
  `elapsed_ms`), per node: count, mean, p50, p95 and share of the summed run time; plus the
  time a document waited in the queue (upload to the `ingest` step starting) and the time
  between nodes that no node accounts for (checkpoints, lineage writes, scheduling).
- `bare_ocr_pages_per_min`: the `tesseract` CLI on pages of the same kind the load test
  uploads, one process per core with OMP_THREAD_LIMIT=1 (its fastest setting here); with
  `library=True`, Tesseract's library in-process instead (tesserocr, one engine per core,
  loaded before the clock starts): the stricter yardstick once Papertrail reads pages that way.
- `bare_ocr` measures both on pages the load test uploads; `yardstick_ratios` compares the
  pipeline's documents per minute with their mean before and after the run.
- `RssSampler`: peak resident memory of serve, its workers and their children.
"""

from __future__ import annotations

import statistics
import subprocess
import tempfile
import threading
from datetime import datetime
from pathlib import Path

import httpx

from benchmarks.load_documents import document
from benchmarks.ocr import bare_library, bare_tesseract
from papertrail.cpus import available_cpus

QUEUE_WAIT, BETWEEN = "(queue wait)", "(between nodes)"


def _percentile(values: list[float], q: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def node_breakdown(url: str, key: str, ids: list[str], sample: int = 200) -> dict:
    """Per-node timings over an evenly spread sample of `ids` (see the module doc)."""
    step = max(1, len(ids) // sample) if ids else 1
    chosen = ids[::step][:sample]
    per_node: dict[str, list[float]] = {}
    with httpx.Client(base_url=url, timeout=30,
                      headers={"Authorization": f"Bearer {key}"}) as client:
        for doc_id in chosen:
            view = client.get(f"/documents/{doc_id}")
            lineage = client.get(f"/documents/{doc_id}/lineage")
            if view.status_code != 200 or lineage.status_code != 200:
                continue
            _add_document(per_node, view.json(), lineage.json()["records"])
    run_total = sum(sum(v) for k, v in per_node.items() if k != QUEUE_WAIT)
    rows = []
    for node, values in sorted(per_node.items(), key=lambda kv: -sum(kv[1])):
        rows.append({
            "node": node, "count": len(values), "mean_ms": round(statistics.fmean(values), 1),
            "p50_ms": round(_percentile(values, 50), 1),
            "p95_ms": round(_percentile(values, 95), 1),
            "share_of_run": None if node == QUEUE_WAIT or not run_total
            else round(sum(values) / run_total, 3)})
    return {"documents": len(chosen), "rows": rows}


def _add_document(per_node: dict[str, list[float]], view: dict, records: list[dict]) -> None:
    timed = [r for r in records if "elapsed_ms" in (r.get("payload") or {})]
    if not timed:
        return
    for record in timed:
        per_node.setdefault(record["node"], []).append(record["payload"]["elapsed_ms"])
    first = timed[0]
    started = _at(first["created_at"]) - first["payload"]["elapsed_ms"] / 1000
    if first["node"] == "ingest":
        wait = started - _at(view["created_at"])
        per_node.setdefault(QUEUE_WAIT, []).append(max(0.0, wait) * 1000)
    # Only the first run (up to a review, if any): a person's decision comes much later.
    run = [r for r in timed if r["seq"] <= _end_of_first_run(timed)]
    wall = (_at(run[-1]["created_at"]) - started) * 1000
    gaps = wall - sum(r["payload"]["elapsed_ms"] for r in run)
    per_node.setdefault(BETWEEN, []).append(max(0.0, gaps))


def _end_of_first_run(timed: list[dict]) -> int:
    for record in timed:
        if record["node"] == "prepare_review":
            return record["seq"]
    return timed[-1]["seq"]


def _at(iso: str) -> float:
    return datetime.fromisoformat(iso).timestamp()


def bare_ocr_pages_per_min(pages: list[bytes], workers: int, rounds: int = 2,
                           library: bool = False) -> float:
    """Best of `rounds` runs of bare Tesseract (the CLI, or its library) over these pages."""
    run = bare_library if library else bare_tesseract
    with tempfile.TemporaryDirectory(prefix="papertrail-bare-ocr-") as tmp:
        paths = []
        for i, data in enumerate(pages):
            path = Path(tmp) / f"page-{i:04d}.png"
            path.write_bytes(data)
            paths.append(path)
        bare_tesseract(paths[:2], workers)  # warm the page cache and Tesseract's model files
        best = min(run(paths, workers) for _ in range(rounds))
    return round(60 * len(paths) / best, 1)


def bare_ocr(kind: str, pages: int) -> dict | None:
    """Both yardsticks on the first `pages` documents of the kind the load test uploads."""
    if kind == "txt" or not pages:
        return None
    cores = available_cpus()
    first = 0 if kind == "rvlcdip" else 10_000_000  # the scans the load test uploads first
    images = [document(first + i, kind)[1] for i in range(pages)]
    rate = bare_ocr_pages_per_min(images, cores)
    library = bare_ocr_pages_per_min(images, cores, library=True)
    print(f"bare tesseract on {len(images)} pages of this kind, {cores} at once: CLI {rate} "
          f"pages/min, library in-process {library} pages/min")
    return {"pages": len(images), "processes": cores, "pages_per_min": rate,
            "library_pages_per_min": library}


def yardstick_ratios(docs_per_min: float, before: dict, after: dict | None) -> dict:
    """Documents per minute over the mean of the yardstick measured before and after."""
    runs = [r for r in (before, after) if r]
    cli = statistics.mean(r["pages_per_min"] for r in runs)
    library = statistics.mean(r["library_pages_per_min"] for r in runs)
    return {"bare_pages_per_min": round(cli, 1), "bare_library_pages_per_min": round(library, 1),
            "ratio_to_bare_ocr": round(docs_per_min / cli, 3),
            "ratio_to_bare_library": round(docs_per_min / library, 3),
            "ratio_to_bare_ocr_before": round(docs_per_min / before["pages_per_min"], 3)}


class RssSampler:
    """Peak resident memory of a process tree (serve, its workers and their children), sampled
    every `every` seconds with `ps` in a daemon thread."""

    def __init__(self, root_pid: int, every: float = 1.0) -> None:
        self.root_pid, self.every = root_pid, every
        self.peak: dict[int, tuple[int, str]] = {}  # pid -> (peak RSS KiB, command)
        self.peak_total = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(5)

    def _loop(self) -> None:
        while not self._stop.wait(self.every):
            out = subprocess.run(["ps", "-eo", "pid=,ppid=,rss=,args="], capture_output=True,
                                 text=True).stdout
            rows = [line.split(None, 3) for line in out.splitlines() if line.strip()]
            children: dict[int, list[int]] = {}
            info = {}
            for pid, ppid, rss, *cmd in rows:
                children.setdefault(int(ppid), []).append(int(pid))
                info[int(pid)] = (int(rss), cmd[0] if cmd else "")
            tree, todo = [], [self.root_pid]
            while todo:
                pid = todo.pop()
                tree.append(pid)
                todo += children.get(pid, [])
            total = 0
            for pid in tree:
                if pid in info:
                    rss, cmd = info[pid]
                    total += rss
                    if rss > self.peak.get(pid, (0, ""))[0]:
                        self.peak[pid] = (rss, cmd)
            self.peak_total = max(self.peak_total, total)

    def report(self) -> dict:
        """Peak MiB per Papertrail process (serve, worker, pool children) and of the tree."""
        procs = sorted(((rss, cmd) for rss, cmd in self.peak.values()
                        if "api.cli" in cmd or "celery" in cmd or "worker" in cmd),
                       reverse=True)
        return {"peak_tree_mib": round(self.peak_total / 1024, 1),
                "processes": [{"rss_mib": round(rss / 1024, 1), "command": cmd[:80]}
                              for rss, cmd in procs]}
