"""Review app latency with a full queue: the HTML pages beside the JSON API they mirror.

    python benchmarks/review_app.py [--pending 1000] [--seeds 8] [--requests 100] [--port 8766]

Runs a real `papertrail serve` (uvicorn + one worker; it trains the demo bundle first, about a
minute) in a fresh data folder. `--seeds` generated text invoices dated in the future are
uploaded and run through the real graph (OCR-free text reader, classifier, retrieval, rules),
which sends each to review. Their document and review rows are then replicated through the
store's own models (same blob, same review payload, new ids, staggered ages) up to
`--pending` pending reviews; replicas have no lineage of their own. Signed in as a reviewer
account (the real /ui/login form), it times, one request at a time over HTTP:

- GET /ui/reviews (the queue page) against GET /reviews (the JSON list, default limit);
- GET /ui/reviews/{id} (the review screen; it also claims the document) against
  GET /documents/{id}, on the seed documents (real lineage, real payloads);
- GET /ui/reviews/next ("Start reviewing": finds the oldest document nobody else holds; a
  redirect), which has no JSON twin.

Prints a table (p50/p95 ms and the HTML/JSON ratio) and writes
benchmarks/results/review-app.json.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from agent.settings import Settings  # noqa: E402
from agent.store import Store  # noqa: E402
from agent.store.models import Document, Review  # noqa: E402
from api.auth import Role, hash_key, new_key  # noqa: E402
from api.users import UserRepository  # noqa: E402
from benchmarks.load import percentile  # noqa: E402
from benchmarks.load_documents import document  # noqa: E402

console = Console()
STARTUP_SECONDS = 900
PASSWORD = "bench-password-123"


def start_serve(data: Path, port: int, key: str) -> subprocess.Popen:
    env = {**os.environ, "PAPERTRAIL_DATA_DIR": str(data),
           "PAPERTRAIL_API_KEYS": json.dumps([f"bench:admin:{hash_key(key)}"]),
           "PAPERTRAIL_API_RESUME_WAIT_SECONDS": "0"}
    process = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve", "--port", str(port), "--workers", "1"],
        cwd=ROOT, env=env, stdout=(data / "serve.log").open("w"), stderr=subprocess.STDOUT,
        start_new_session=True)
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code in (200,
                                                                                         503):
                return process
        except httpx.HTTPError:
            time.sleep(0.5)
    process.kill()
    raise SystemExit(f"papertrail serve did not start; see {data / 'serve.log'}")


def seed(client: httpx.Client, count: int, timeout: float = 600) -> list[str]:
    """Upload future-dated invoices (a rule sends each to review); wait until they wait."""
    ids = []
    for n in range(count):
        name, data, ctype = document(4 * n + 3, "txt")
        response = client.post("/documents", files={"file": (name, data, ctype)})
        response.raise_for_status()
        ids.append(response.json()["id"])
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        states = [client.get(f"/documents/{d}").json()["status"] for d in ids]
        if all(s in ("needs_review", "approved", "rejected", "failed") for s in states):
            waiting = [d for d, s in zip(ids, states, strict=True) if s == "needs_review"]
            if not waiting:
                raise SystemExit(f"no seed document went to review: {states}")
            return waiting
        time.sleep(1)
    raise SystemExit("the seed documents were not processed in time")


def replicate(store: Store, seeds: list[str], total: int) -> None:
    """Copy the seeds' document and review rows under new ids until `total` are pending."""
    now = datetime.now(UTC)
    with store.db.session() as session:
        originals = [(session.get(Document, d), session.get(Review, d)) for d in seeds]
        for i in range(total - len(seeds)):
            doc, review = originals[i % len(originals)]
            new_id = hashlib.sha256(f"replica-{i}-{doc.id}".encode()).hexdigest()
            filename = f"replica-{i}-{doc.filename}"
            age = now - timedelta(minutes=total - i)
            session.add(Document(
                id=new_id, filename=filename, detected_type=doc.detected_type,
                declared_type=doc.declared_type, size_bytes=doc.size_bytes,
                page_count=doc.page_count, status=doc.status, created_at=age, updated_at=age))
            session.add(Review(doc_id=new_id, payload={**review.payload, "filename": filename},
                               created_at=age))


def sign_in(client: httpx.Client, name: str) -> None:
    form = client.get("/ui/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    response = client.post("/ui/login", data={"name": name, "password": PASSWORD,
                                              "csrf_token": token, "next": "/ui/reviews"})
    if response.status_code != 303:
        raise SystemExit(f"sign-in failed: {response.status_code}")


def timed(client: httpx.Client, paths: list[str], expect: int = 200) -> list[float]:
    out = []
    for path in paths:
        t0 = time.perf_counter()
        response = client.get(path)
        out.append(time.perf_counter() - t0)
        if response.status_code != expect:
            raise SystemExit(f"GET {path}: {response.status_code} {response.text[:300]}")
    return out


def row(name: str, latencies: list[float]) -> dict:
    return {"request": name, "n": len(latencies),
            "p50_ms": round(percentile(latencies, 50) * 1000, 1),
            "p95_ms": round(percentile(latencies, 95) * 1000, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pending", type=int, default=1000)
    parser.add_argument("--seeds", type=int, default=8)
    parser.add_argument("--requests", type=int, default=100, help="Timed requests per kind.")
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--data", type=Path, default=None,
                        help="Data folder (default: a fresh temporary one).")
    args = parser.parse_args()

    data = args.data or Path(tempfile.mkdtemp(prefix="papertrail-reviewapp-"))
    data.mkdir(parents=True, exist_ok=True)
    key = new_key()
    server = start_serve(data, args.port, key)
    base = f"http://127.0.0.1:{args.port}"
    try:
        store = Store.from_settings(Settings(data_dir=data))
        with httpx.Client(base_url=base, timeout=120,
                          headers={"Authorization": f"Bearer {key}"}) as api:
            seeds = seed(api, args.seeds)
            replicate(store, seeds, args.pending)
            pending = len(api.get("/reviews", params={"limit": 500}).json())
            console.print(f"{len(seeds)} seeds went to review; {args.pending} pending "
                          f"(GET /reviews?limit=500 returns {pending})")
            UserRepository(store.db).create("bench", Role.reviewer, PASSWORD)
            with httpx.Client(base_url=base, timeout=120) as ui:
                sign_in(ui, "bench")
                screens = [f"/ui/reviews/{seeds[i % len(seeds)]}" for i in range(args.requests)]
                docs = [f"/documents/{seeds[i % len(seeds)]}" for i in range(args.requests)]
                timed(ui, screens[:3] + ["/ui/reviews"])  # warm-up, not measured
                timed(api, docs[:3] + ["/reviews"])
                results = {
                    "queue_html": row("GET /ui/reviews", timed(ui, ["/ui/reviews"]
                                                               * args.requests)),
                    "queue_json": row("GET /reviews", timed(api, ["/reviews"] * args.requests)),
                    "screen_html": row("GET /ui/reviews/{id}", timed(ui, screens)),
                    "screen_json": row("GET /documents/{id}", timed(api, docs)),
                    "next": row("GET /ui/reviews/next (303)",
                                timed(ui, ["/ui/reviews/next"] * args.requests, 303)),
                }
                queue_rows = ui.get("/ui/reviews").text.count('<td class="claim">')
    finally:
        os.killpg(server.pid, signal.SIGINT)
        server.wait(60)
    ratios = {
        "queue": round(results["queue_html"]["p50_ms"] / results["queue_json"]["p50_ms"], 2),
        "screen": round(results["screen_html"]["p50_ms"] / results["screen_json"]["p50_ms"], 2),
    }
    result = {"date": time.strftime("%Y-%m-%d %H:%M %Z"), "cpus": os.cpu_count(),
              "loadavg": [round(x, 2) for x in os.getloadavg()], "pending": args.pending,
              "seeds": len(seeds), "queue_rows_rendered": queue_rows,
              "results": results, "p50_ratio_html_over_json": ratios}
    table = Table("request", "n", "p50 ms", "p95 ms", "HTML/JSON p50",
                  title=f"review app with {args.pending} pending reviews")
    for name, ratio in (("queue_html", ratios["queue"]), ("queue_json", None),
                        ("screen_html", ratios["screen"]), ("screen_json", None),
                        ("next", None)):
        r = results[name]
        table.add_row(r["request"], str(r["n"]), str(r["p50_ms"]), str(r["p95_ms"]),
                      f"{ratio}x" if ratio is not None else "")
    console.print(table)
    out = ROOT / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "review-app.json").write_text(json.dumps(result, indent=2))
    console.print(f"queue page rows rendered: {queue_rows}; written {out / 'review-app.json'}")


if __name__ == "__main__":
    main()
