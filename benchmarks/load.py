"""Load test: N concurrent uploads of generated documents for a bounded time against a running
`papertrail serve` on 127.0.0.1, then wait for the workers to finish them.

    python benchmarks/load.py --url http://127.0.0.1:8000 --key KEY [--concurrency 8]
        [--duration 30] [--kind png|rvlcdip|txt] [--drain 300]
    python benchmarks/load.py --start-serve [--workers 2] ...
    python benchmarks/load.py --start-serve --ramp [--step-duration 10] [--max-concurrency 64]

`--start-serve` runs `papertrail serve` itself in a fresh data folder with a generated key; serve
trains and activates the demo bundle there first (about a minute), so the run measures the real
parts: the API, the queue, OCR, the classifier, retrieval and the graph.
Reports accepted, throttled (429: the queue was full; the client waited its Retry-After),
processed, failed, lost (accepted but not finished when the drain ends: must be 0;
`drain_timed_out` says whether the drain ran out of time), p50/p95 upload latency, documents
per minute (first measured upload to last finish: one document per client is uploaded and
drained first, `--warmup`, so a freshly started worker's model loading is reported as
`warmup_seconds`, not counted as throughput) and, for png and rvlcdip, their ratio to bare
Tesseract on pages of the same kind (the CLI, one process per core, and its library in-process,
one engine per core; measured before serve starts and again after it stops, the ratio taken to
their mean: the host's speed drifts within minutes). It also reports where the time goes,
per graph node, from the documents' lineage (benchmarks/load_timing.py), and the
peak memory of serve and its workers. `--serve-root` runs serve from another checkout (e.g. an
export of main: a baseline in the same hour), `--serve-env` passes settings to it, `--bundles`
copies a trained bundle in. Prints tables and writes benchmarks/results/.

`--ramp` runs the upload phase at rising concurrency, 1, 2, 4, 8, 16, 32 ... up to
`--max-concurrency`, `--step-duration` seconds each (after a 3 s warm-up that is not
measured), and stops at the *knee*: the first step
with an upload error or a 429, or whose p95 upload latency is more than `KNEE_FACTOR` (2) times the
previous step's, i.e. where adding clients stops adding throughput and only adds waiting. It
reports each step (uploads/min, p50, p95, errors), the knee step and the last step before it,
then drains everything accepted; JSON in benchmarks/results/load-ramp.json.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from api.auth import hash_key, new_key  # noqa: E402
from benchmarks.load_documents import document  # noqa: E402
from benchmarks.load_timing import (  # noqa: E402
    RssSampler,
    bare_ocr,
    node_breakdown,
    yardstick_ratios,
)
from papertrail.cpus import available_cpus  # noqa: E402

FINISHED = {"approved", "rejected", "needs_review"}
DOCUMENT_NUMBERS = itertools.count()
THROTTLED: list[float] = []  # latency of every upload answered 429 (queue full)
WARMUP_SECONDS = 3.0  # uploads before the first ramp step, not measured
KNEE_FACTOR = 2.0  # p95 more than doubling from one step to the next marks the knee
STARTUP_SECONDS = 600  # serve trains the demo bundle first in a fresh data folder
console = Console()


def upload_for(url: str, key: str, concurrency: int, duration: float,
               kind: str) -> tuple[list[str], list[float], int, float, float]:
    """Upload for `duration` seconds; a 429 (queue full) is not an error: the client waits
    the Retry-After it was given, as a well-behaved client does (counted in THROTTLED)."""
    ids: list[str] = []
    latencies: list[float] = []
    errors = 0
    counter = DOCUMENT_NUMBERS  # shared by every call: each upload is a new document
    lock = threading.Lock()
    start = time.monotonic()
    stop_at = start + duration

    def loop() -> None:
        nonlocal errors
        with httpx.Client(base_url=url, timeout=60,
                          headers={"Authorization": f"Bearer {key}"}) as client:
            while time.monotonic() < stop_at:
                name, data, ctype = document(next(counter), kind)
                t0 = time.perf_counter()
                try:
                    response = client.post("/documents", files={"file": (name, data, ctype)})
                except httpx.HTTPError:
                    response = None
                elapsed = time.perf_counter() - t0
                if response is not None and response.status_code == 429:
                    with lock:
                        THROTTLED.append(elapsed)
                    wait = float(response.headers.get("Retry-After", "1"))
                    time.sleep(max(0.0, min(wait, stop_at - time.monotonic())))
                    continue
                with lock:
                    if response is not None and response.status_code == 202:
                        ids.append(response.json()["id"])
                        latencies.append(elapsed)
                    else:
                        errors += 1

    with ThreadPoolExecutor(concurrency) as pool:
        for _ in range(concurrency):
            pool.submit(loop)
    return ids, latencies, errors, start, time.monotonic()


def drain(url: str, key: str, ids: list[str], timeout: float) -> tuple[dict[str, str], float]:
    """Poll until every accepted document is finished (or the timeout). Returns each one's
    status and when the last one finished (its `updated_at`; now if some did not). Documents
    are processed about in upload order, so each round reads them in that order and stops at
    the first unfinished one: polling stays light and does not take CPU from the workers."""
    status: dict[str, str] = {}
    finished_at: dict[str, float] = {}
    deadline = time.monotonic() + timeout
    waiting = list(ids)
    with httpx.Client(base_url=url, timeout=30,
                      headers={"Authorization": f"Bearer {key}"}) as client:
        while waiting and time.monotonic() < deadline:
            for doc_id in waiting:
                response = client.get(f"/documents/{doc_id}")
                view = response.json() if response.status_code == 200 else {}
                status[doc_id] = view.get("status", f"http_{response.status_code}")
                if status[doc_id] not in FINISHED | {"failed"}:
                    break
                finished_at[doc_id] = datetime.fromisoformat(view["updated_at"]).timestamp()
            waiting = [d for d in waiting if status.get(d) not in FINISHED | {"failed"}]
            if waiting:
                time.sleep(1)
    last = max(finished_at.values()) if finished_at and not waiting else time.time()
    return status, time.monotonic() - (time.time() - last)


def start_serve(port: int, workers: int | None, root: Path = ROOT, bundles: Path | None = None,
                env_extra: dict[str, str] | None = None) -> tuple[subprocess.Popen, str, Path]:
    """`papertrail serve` from the checkout at `root` (e.g. an export of main, for a
    baseline), in a fresh data folder; `bundles` (a data folder's bundles/) is copied in so
    serve need not train the demo bundle."""
    key = new_key()
    data = Path(tempfile.mkdtemp(prefix="papertrail-load-"))
    if bundles is not None:
        shutil.copytree(bundles, data / "bundles")
    env = {**os.environ, "PAPERTRAIL_DATA_DIR": str(data), "PYTHONPATH": str(root),
           "PAPERTRAIL_API_KEYS": json.dumps([f"load:submitter:{hash_key(key)}"]),
           **(env_extra or {})}
    args = ["--workers", str(workers)] if workers is not None else []
    process = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve", "--port", str(port), *args], cwd=root,
        env=env, stdout=(data / "serve.log").open("w"), stderr=subprocess.STDOUT,
        start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code in (200, 503):
                return process, key, data
        except httpx.HTTPError:
            time.sleep(0.5)
    process.kill()
    raise SystemExit(f"papertrail serve did not start; see {data / 'serve.log'}")


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def ramp(url: str, key: str, kind: str, step_seconds: float,
         max_concurrency: int) -> tuple[list[dict], dict | None, list[str], float]:
    """Upload at 1, 2, 4 ... clients until the knee (see the module doc); each step's row, the
    knee row (None if never reached), every accepted id and when uploading started."""
    steps: list[dict] = []
    first_start = time.monotonic()
    ids, *_ = upload_for(url, key, 1, WARMUP_SECONDS, kind)  # first requests, workers starting
    knee = None
    concurrency = 1
    while concurrency <= max_concurrency:
        throttled_before = len(THROTTLED)
        step_ids, latencies, errors, t0, t1 = upload_for(url, key, concurrency, step_seconds,
                                                         kind)
        ids += step_ids
        row = {"concurrency": concurrency, "accepted": len(step_ids), "errors": errors,
               "throttled_429": len(THROTTLED) - throttled_before,
               "uploads_per_min": round(len(step_ids) / (t1 - t0) * 60, 1),
               "p50_ms": round(percentile(latencies, 50) * 1000, 1),
               "p95_ms": round(percentile(latencies, 95) * 1000, 1)}
        previous = steps[-1] if steps else None
        row["knee"] = bool(errors or row["throttled_429"]) or (
            previous is not None and row["p95_ms"] > KNEE_FACTOR * previous["p95_ms"])
        steps.append(row)
        console.print(f"ramp: {row}")
        if row["knee"]:
            knee = row
            break
        concurrency *= 2
    return steps, knee, ids, first_start


def run_ramp(args: argparse.Namespace) -> dict:
    steps, knee, ids, t0 = ramp(args.url, args.key, args.kind, args.step_duration,
                                args.max_concurrency)
    status, t_end = drain(args.url, args.key, ids, args.drain)
    processed = sum(s in FINISHED for s in status.values())
    failed = sum(s == "failed" for s in status.values())
    before = steps[steps.index(knee) - 1] if knee and steps.index(knee) > 0 else None
    result = {
        "url": args.url, "kind": args.kind, "step_seconds": args.step_duration,
        "knee_rule": f"first step with an upload error, a 429 or p95 > {KNEE_FACTOR:g}x the "
                     "previous step's",
        "steps": steps, "knee_concurrency": knee["concurrency"] if knee else None,
        "knee_reason": None if knee is None else (
            "upload errors" if knee["errors"] else "queue full (429)"
            if knee["throttled_429"] else "p95 more than doubled"),
        "last_good_concurrency": before["concurrency"] if before else (
            None if knee else steps[-1]["concurrency"]),
        "accepted": len(ids), "processed": processed, "failed": failed,
        "lost": len(ids) - processed - failed, "drain_timed_out": processed + failed < len(ids),
        "total_seconds": round(t_end - t0, 1),
        "docs_per_min": round(processed / (t_end - t0) * 60, 1),
    }
    table = Table("clients", "accepted", "errors", "uploads/min", "p50 ms", "p95 ms", "knee",
                  title="papertrail load ramp")
    for row in steps:
        table.add_row(*(str(row[k]) for k in ("concurrency", "accepted", "errors",
                                              "uploads_per_min", "p50_ms", "p95_ms")),
                      "◀ knee" if row["knee"] else "")
    console.print(table)
    console.print(f"knee at {result['knee_concurrency']} clients ({result['knee_reason']}); "
                  f"last good {result['last_good_concurrency']}; accepted {len(ids)}, "
                  f"processed {processed}, failed {failed}, lost {result['lost']}")
    return {**result, "_ids": ids}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--key", default=os.environ.get("PAPERTRAIL_LOAD_KEY"),
                        help="API key with the submitter role (or env PAPERTRAIL_LOAD_KEY).")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--duration", type=float, default=30.0, help="Seconds of uploading.")
    parser.add_argument("--kind", choices=["png", "rvlcdip", "txt"], default="png",
                        help="png: rendered scans (OCR'd); rvlcdip: the shared RVL-CDIP scans "
                        "(OCR'd); txt: text files (no OCR).")
    parser.add_argument("--drain", type=float, default=1800.0,
                        help="Most seconds to wait for processing after uploads stop.")
    parser.add_argument("--start-serve", action="store_true",
                        help="Run `papertrail serve` in a fresh data folder for this test.")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=None,
                        help="With --start-serve: worker concurrency (default: serve's own, "
                        "PAPERTRAIL_WORKER_CONCURRENCY).")
    parser.add_argument("--serve-root", type=Path, default=ROOT,
                        help="With --start-serve: the checkout whose serve runs (e.g. an export "
                        "of main, for a baseline in the same hour).")
    parser.add_argument("--serve-env", action="append", default=[], metavar="NAME=VALUE",
                        help="With --start-serve: a setting for serve, e.g. "
                        "PAPERTRAIL_WORKER_POOL=prefork (repeatable).")
    parser.add_argument("--bundles", type=Path, default=None,
                        help="With --start-serve: a data folder's bundles/ to copy in, so serve "
                        "does not train the demo bundle first.")
    parser.add_argument("--label", default="", help="Name of this run in the results.")
    parser.add_argument("--warmup", type=int, default=None,
                        help="Documents uploaded and drained before the measured phase, not "
                        "counted (default: one per client; 0: measure from a cold start).")
    parser.add_argument("--bare-ocr-pages", type=int, default=40,
                        help="Pages of the same kind OCR'd by the bare tesseract CLI first, one "
                        "process per core: the yardstick (0: skip; png only).")
    parser.add_argument("--timing-sample", type=int, default=200,
                        help="Documents whose lineage gives the per-node timing.")
    parser.add_argument("--ramp", action="store_true",
                        help="Rising concurrency 1, 2, 4 ... until the knee (module doc).")
    parser.add_argument("--step-duration", type=float, default=10.0,
                        help="Seconds of uploading per ramp step.")
    parser.add_argument("--max-concurrency", type=int, default=64,
                        help="Highest ramp step if no knee comes first.")
    args = parser.parse_args()
    if args.warmup is None:
        args.warmup = args.concurrency
    return args


def main() -> None:
    args = parse_args()
    context = {"label": args.label, "date": time.strftime("%Y-%m-%d %H:%M %Z"),
               "cpus": available_cpus(), "loadavg_at_start": [round(x, 2)
                                                             for x in os.getloadavg()],
               "serve_root": str(args.serve_root), "serve_env": args.serve_env,
               "bare_ocr": bare_ocr(args.kind, args.bare_ocr_pages)}
    server = None
    if args.start_serve:
        env = dict(item.split("=", 1) for item in args.serve_env)
        server, args.key, data = start_serve(args.port, args.workers, args.serve_root,
                                             args.bundles, env)
        args.url = f"http://127.0.0.1:{args.port}"
        console.print(f"started papertrail serve on {args.url} (data {data})")
    if not args.key:
        raise SystemExit("Give --key (a submitter key) or --start-serve.")
    memory = RssSampler(server.pid) if server is not None else None
    try:
        with memory or contextlib.nullcontext():
            result = run_ramp(args) if args.ramp else run_steady(args)
            ids = result.pop("_ids")
            result["node_timing"] = node_breakdown(args.url, args.key, ids, args.timing_sample)
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGINT)
            server.wait(60)
    result = {**context, **result, "memory": memory.report() if memory else None}
    if context["bare_ocr"]:  # again after the run: the host's speed drifts within minutes
        after = bare_ocr(args.kind, args.bare_ocr_pages)
        result |= {"bare_ocr_after": after, **yardstick_ratios(result["docs_per_min"],
                                                               context["bare_ocr"], after)}
    print_timing(result)
    console.print(f"docs/min {result['docs_per_min']}; bare OCR "
                  f"{result.get('bare_pages_per_min')} pages/min (mean of before and after); "
                  f"ratio {result.get('ratio_to_bare_ocr')} (to the library: "
                  f"{result.get('ratio_to_bare_library')}); peak memory {result['memory']}")
    out = ROOT / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    name = "load-ramp" if args.ramp else f"load-{time.strftime('%Y%m%d-%H%M%S')}"
    path = out / f"{name}{'-' + args.label if args.label else ''}.json"
    path.write_text(json.dumps(result, indent=2))
    console.print(f"written {path}")
    if result["drain_timed_out"]:
        console.print("[yellow]the drain timed out: `lost` counts documents not finished in "
                      "time; raise --drain or lower --duration")
    if result["lost"]:
        raise SystemExit(1)


def warm_up(args: argparse.Namespace) -> dict:
    """Before the clock: one document per client, drained. A freshly started worker loads its
    models once (the bundle, the embedding model: seconds), which is start-up, not throughput;
    the bare-OCR yardstick pays nothing like it. Reported as `warmup_seconds`."""
    if not args.warmup:
        return {"warmup_documents": 0, "warmup_seconds": None}
    t0 = time.monotonic()
    ids = []
    with httpx.Client(base_url=args.url, timeout=60,
                      headers={"Authorization": f"Bearer {args.key}"}) as client:
        for _ in range(args.warmup):
            name, data, ctype = document(next(DOCUMENT_NUMBERS), args.kind)
            response = client.post("/documents", files={"file": (name, data, ctype)})
            response.raise_for_status()
            ids.append(response.json()["id"])
    status, _ = drain(args.url, args.key, ids, args.drain)
    seconds = round(time.monotonic() - t0, 1)
    console.print(f"warm-up: {len(ids)} documents in {seconds} s ({sorted(status.values())})")
    return {"warmup_documents": len(ids), "warmup_seconds": seconds}


def run_steady(args: argparse.Namespace) -> dict:
    warm = warm_up(args)
    ids, latencies, errors, t0, t_uploaded = upload_for(
        args.url, args.key, args.concurrency, args.duration, args.kind)
    status, t_end = drain(args.url, args.key, ids, args.drain)
    processed = sum(s in FINISHED for s in status.values())
    failed = sum(s == "failed" for s in status.values())
    result = {
        "url": args.url, "kind": args.kind, "concurrency": args.concurrency, **warm,
        "upload_seconds": round(t_uploaded - t0, 1), "total_seconds": round(t_end - t0, 1),
        "accepted": len(ids), "throttled_429": len(THROTTLED), "upload_errors": errors,
        "processed": processed, "failed": failed, "lost": len(ids) - processed - failed,
        "drain_timed_out": processed + failed < len(ids),
        "upload_p50_ms": round(percentile(latencies, 50) * 1000, 1),
        "upload_p95_ms": round(percentile(latencies, 95) * 1000, 1),
        "uploads_per_min": round(len(ids) / (t_uploaded - t0) * 60, 1),
        "docs_per_min": round(processed / (t_end - t0) * 60, 1),
        "by_status": {s: list(status.values()).count(s) for s in set(status.values())},
        "loadavg_at_end": [round(x, 2) for x in os.getloadavg()],
    }
    table = Table("metric", "value", title="papertrail load test")
    for name, value in result.items():
        table.add_row(name, str(value))
    console.print(table)
    return {**result, "_ids": ids}


def print_timing(result: dict) -> None:
    timing = result["node_timing"]
    table = Table("node", "count", "mean ms", "p50 ms", "p95 ms", "share of run",
                  title=f"where the time goes ({timing['documents']} documents' lineage)")
    for row in timing["rows"]:
        share = "" if row["share_of_run"] is None else f"{row['share_of_run']:.0%}"
        table.add_row(row["node"], str(row["count"]), str(row["mean_ms"]), str(row["p50_ms"]),
                      str(row["p95_ms"]), share)
    console.print(table)


if __name__ == "__main__":
    main()
