"""Load test: N concurrent uploads of generated documents for a bounded time against a running
`papertrail serve` on 127.0.0.1, then wait for the workers to finish them.

    python benchmarks/load.py --url http://127.0.0.1:8000 --key KEY [--concurrency 8]
        [--duration 30] [--kind png|txt] [--drain 300]
    python benchmarks/load.py --start-serve [--workers 2] ...
    python benchmarks/load.py --start-serve --ramp [--step-duration 10] [--max-concurrency 64]

`--start-serve` runs `papertrail serve` itself in a fresh data folder with a generated key; serve
trains and activates the demo bundle there first (about a minute), so the run measures the real
parts: the API, the queue, OCR, the classifier, retrieval and the graph.
Reports accepted, processed, failed, lost (accepted but not finished when the drain ends: must
be 0; `drain_timed_out` says whether the drain ran out of time), p50/p95
upload latency and documents per minute; prints a table and writes benchmarks/results/.

`--ramp` runs the upload phase at rising concurrency, 1, 2, 4, 8, 16, 32 ... up to
`--max-concurrency`, `--step-duration` seconds each (after a 3 s warm-up that is not
measured), and stops at the *knee*: the first step
with an upload error, or whose p95 upload latency is more than `KNEE_FACTOR` (2) times the
previous step's, i.e. where adding clients stops adding throughput and only adds waiting. It
reports each step (uploads/min, p50, p95, errors), the knee step and the last step before it,
then drains everything accepted; JSON in benchmarks/results/load-ramp.json.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from api.auth import hash_key, new_key  # noqa: E402
from evals import fixtures  # noqa: E402

FINISHED = {"approved", "rejected", "needs_review"}
DOCUMENT_NUMBERS = itertools.count()
WARMUP_SECONDS = 3.0  # uploads before the first ramp step, not measured
KNEE_FACTOR = 2.0  # p95 more than doubling from one step to the next marks the knee
STARTUP_SECONDS = 600  # serve trains the demo bundle first in a fresh data folder
console = Console()


def document(n: int, kind: str) -> tuple[str, bytes, str]:
    """A unique invoice; every 4th is dated in the future, so a rule sends it to review."""
    lines = [*fixtures.INVOICE_LINES[:4], f"Invoice number: LOAD-{os.getpid()}-{n}",
             *fixtures.INVOICE_LINES[5:]]
    if n % 4 == 3:
        lines = [line.replace("2026-03-14", "2099-01-01") for line in lines]
    if kind == "txt":
        return f"load-{n}.txt", "\n".join(lines).encode(), "text/plain"
    return f"load-{n}.png", fixtures.png_bytes(lines), "image/png"


def upload_for(url: str, key: str, concurrency: int, duration: float,
               kind: str) -> tuple[list[str], list[float], int, float, float]:
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
    """Poll until every accepted document is finished (or the timeout)."""
    status: dict[str, str] = {}
    deadline = time.monotonic() + timeout
    waiting = list(ids)
    with httpx.Client(base_url=url, timeout=30,
                      headers={"Authorization": f"Bearer {key}"}) as client:
        while waiting and time.monotonic() < deadline:
            for doc_id in waiting:
                response = client.get(f"/documents/{doc_id}")
                status[doc_id] = response.json()["status"] if response.status_code == 200 \
                    else f"http_{response.status_code}"
            waiting = [d for d in waiting if status[d] not in FINISHED | {"failed"}]
            if waiting:
                time.sleep(2)
    return status, time.monotonic()


def start_serve(port: int, workers: int) -> tuple[subprocess.Popen, str, Path]:
    key = new_key()
    data = Path(tempfile.mkdtemp(prefix="papertrail-load-"))
    env = {**os.environ, "PAPERTRAIL_DATA_DIR": str(data),
           "PAPERTRAIL_API_KEYS": json.dumps([f"load:submitter:{hash_key(key)}"])}
    process = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve", "--port", str(port), "--workers",
         str(workers)], cwd=ROOT, env=env, stdout=(data / "serve.log").open("w"),
        stderr=subprocess.STDOUT, start_new_session=True)
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
        step_ids, latencies, errors, t0, t1 = upload_for(url, key, concurrency, step_seconds,
                                                         kind)
        ids += step_ids
        row = {"concurrency": concurrency, "accepted": len(step_ids), "errors": errors,
               "uploads_per_min": round(len(step_ids) / (t1 - t0) * 60, 1),
               "p50_ms": round(percentile(latencies, 50) * 1000, 1),
               "p95_ms": round(percentile(latencies, 95) * 1000, 1)}
        previous = steps[-1] if steps else None
        row["knee"] = bool(errors) or (previous is not None
                                       and row["p95_ms"] > KNEE_FACTOR * previous["p95_ms"])
        steps.append(row)
        console.print(f"ramp: {row}")
        if row["knee"]:
            knee = row
            break
        concurrency *= 2
    return steps, knee, ids, first_start


def run_ramp(args: argparse.Namespace) -> dict:
    context = {"date": time.strftime("%Y-%m-%d %H:%M %Z"), "cpus": os.cpu_count(),
               "loadavg_at_start": [round(x, 2) for x in os.getloadavg()],
               "serve_workers": args.workers if args.start_serve else None}
    steps, knee, ids, t0 = ramp(args.url, args.key, args.kind, args.step_duration,
                                args.max_concurrency)
    status, t_end = drain(args.url, args.key, ids, args.drain)
    processed = sum(s in FINISHED for s in status.values())
    failed = sum(s == "failed" for s in status.values())
    before = steps[steps.index(knee) - 1] if knee and steps.index(knee) > 0 else None
    result = {
        **context, "url": args.url, "kind": args.kind, "step_seconds": args.step_duration,
        "knee_rule": f"first step with an upload error or p95 > {KNEE_FACTOR:g}x the "
                     "previous step's",
        "steps": steps, "knee_concurrency": knee["concurrency"] if knee else None,
        "knee_reason": None if knee is None else (
            "upload errors" if knee["errors"] else "p95 more than doubled"),
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
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--key", default=os.environ.get("PAPERTRAIL_LOAD_KEY"),
                        help="API key with the submitter role (or env PAPERTRAIL_LOAD_KEY).")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--duration", type=float, default=30.0, help="Seconds of uploading.")
    parser.add_argument("--kind", choices=["png", "txt"], default="png",
                        help="png: rendered scans (OCR'd); txt: text files (no OCR).")
    parser.add_argument("--drain", type=float, default=1800.0,
                        help="Most seconds to wait for processing after uploads stop.")
    parser.add_argument("--start-serve", action="store_true",
                        help="Run `papertrail serve` in a fresh data folder for this test.")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=2, help="With --start-serve.")
    parser.add_argument("--ramp", action="store_true",
                        help="Rising concurrency 1, 2, 4 ... until the knee (module doc).")
    parser.add_argument("--step-duration", type=float, default=10.0,
                        help="Seconds of uploading per ramp step.")
    parser.add_argument("--max-concurrency", type=int, default=64,
                        help="Highest ramp step if no knee comes first.")
    args = parser.parse_args()

    server = None
    if args.start_serve:
        server, args.key, data = start_serve(args.port, args.workers)
        args.url = f"http://127.0.0.1:{args.port}"
        console.print(f"started papertrail serve on {args.url} (data {data})")
    if not args.key:
        raise SystemExit("Give --key (a submitter key) or --start-serve.")
    if args.ramp:
        try:
            result = run_ramp(args)
        finally:
            if server is not None:
                os.killpg(server.pid, signal.SIGINT)
                server.wait(60)
        out = ROOT / "benchmarks" / "results"
        out.mkdir(parents=True, exist_ok=True)
        (out / "load-ramp.json").write_text(json.dumps(result, indent=2))
        console.print(f"written {out / 'load-ramp.json'}")
        raise SystemExit(1 if result["lost"] else 0)
    try:
        ids, latencies, errors, t0, t_uploaded = upload_for(
            args.url, args.key, args.concurrency, args.duration, args.kind)
        status, t_end = drain(args.url, args.key, ids, args.drain)
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGINT)
            server.wait(60)
    processed = sum(s in FINISHED for s in status.values())
    failed = sum(s == "failed" for s in status.values())
    result = {
        "url": args.url, "kind": args.kind, "concurrency": args.concurrency,
        "upload_seconds": round(t_uploaded - t0, 1), "total_seconds": round(t_end - t0, 1),
        "accepted": len(ids), "upload_errors": errors, "processed": processed,
        "failed": failed, "lost": len(ids) - processed - failed,
        "drain_timed_out": processed + failed < len(ids),
        "upload_p50_ms": round(percentile(latencies, 50) * 1000, 1),
        "upload_p95_ms": round(percentile(latencies, 95) * 1000, 1),
        "uploads_per_min": round(len(ids) / (t_uploaded - t0) * 60, 1),
        "docs_per_min": round(processed / (t_end - t0) * 60, 1),
        "by_status": {s: list(status.values()).count(s) for s in set(status.values())},
    }
    table = Table("metric", "value", title="papertrail load test")
    for name, value in result.items():
        table.add_row(name, str(value))
    console.print(table)
    out = ROOT / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"load-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(result, indent=2))
    console.print(f"written {path}")
    if result["drain_timed_out"]:
        console.print("[yellow]the drain timed out: `lost` counts documents not finished in "
                      "time; raise --drain or lower --duration")
    if result["lost"]:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
