"""The graph through LangGraph's own server and SDK, as the shipped langgraph.json invites:
`langgraph dev` (no `--allow-blocking`) on a free port, a stored document and the tiny bundle
in a temporary data folder. Run, interrupt, a bad resume (the interrupt stays, with the error),
a good resume; then the project's own CLI sees the decided document. Skips when the server
(`pip install 'langgraph-cli[inmem]'`, in the dev extra) is not installed."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from agent.ingest import ingest_bytes
from agent.settings import Settings
from agent.store import Store
from evals import fixtures

pytest.importorskip("langgraph_api", reason="LangGraph's server is not installed "
                    "(pip install 'langgraph-cli[inmem]')")
pytest.importorskip("langgraph_cli", reason="langgraph-cli is not installed")
from langgraph_sdk import get_sync_client  # noqa: E402  (after the skip)

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
GRAPH = "papertrail"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]



@pytest.fixture
def doc_id(data_dir: Path) -> str:
    """A stored invoice dated in the future: a rule fails, so it waits for a person."""
    settings = Settings(data_dir=data_dir)
    lines = [line.replace("2026-03-14", "2099-01-01") for line in fixtures.INVOICE_LINES]
    store = Store.from_settings(settings)
    try:
        return ingest_bytes("\n".join(lines).encode(), "invoice.txt", store,
                            settings).document.id
    finally:
        store.db.dispose()


@pytest.fixture
def server(tmp_path: Path, data_dir: Path) -> Iterator[str]:
    """`langgraph dev` on the shipped langgraph.json's graph, run from a scratch folder."""
    shipped = json.loads((ROOT / "langgraph.json").read_text())
    path, _, factory = shipped["graphs"][GRAPH].rpartition(":")
    config = {"dependencies": [str(ROOT)],
              "graphs": {GRAPH: f"{(ROOT / path).resolve()}:{factory}"},
              "env": {"PAPERTRAIL_DATA_DIR": str(data_dir), "PAPERTRAIL_OCR_WORKERS": "1"}}
    (tmp_path / "langgraph.json").write_text(json.dumps(config))
    port = free_port()
    log = tmp_path / "server.log"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [
        str(ROOT), os.environ.get("PYTHONPATH")])), "LANGGRAPH_CLI_NO_ANALYTICS": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "langgraph_cli", "dev", "--config", "langgraph.json",
         "--port", str(port), "--no-browser", "--no-reload"],
        cwd=tmp_path, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
        start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while not _up(url):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"langgraph dev did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.5)
        yield url
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
    assert "BlockingError" not in log.read_text()


def _up(url: str) -> bool:
    try:
        return httpx.get(f"{url}/ok", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "api.cli", "--data-dir", str(data_dir), *args],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)


def waiting_for(client, thread_id: str) -> dict | None:
    interrupts = client.threads.get_state(thread_id)["interrupts"]
    return interrupts[-1]["value"] if interrupts else None


def test_run_interrupt_and_resume_through_langgraph_server(server: str, data_dir: Path,
                                                           doc_id: str) -> None:
    client = get_sync_client(url=server, timeout=300)
    thread = client.threads.create()["thread_id"]
    state = client.runs.wait(thread, GRAPH, input={"doc_id": doc_id})
    assert state["status"] == "needs_review"
    asked = waiting_for(client, thread)
    assert asked["doc_id"] == doc_id and asked["error"] is None
    assert "invoice" in asked["allowed_labels"] and asked["reasons"]
    pending = json.loads(cli(data_dir, "review", "list", "--json").stdout)
    assert [p["doc_id"] for p in pending] == [doc_id]

    # A resume value without a reviewer: answered with the error, the interrupt stays.
    client.runs.wait(thread, GRAPH, command={"resume": {"action": "approve"}})
    asked = waiting_for(client, thread)
    assert asked is not None and "reviewer: Field required" in asked["error"]
    # A good one afterwards finalizes: the thread was not poisoned.
    done = client.runs.wait(thread, GRAPH, command={"resume": {
        "action": "approve", "reviewer": "sdk-reviewer"}})
    assert done["status"] == "approved" and waiting_for(client, thread) is None

    # The same document on a new thread is not run again.
    again = client.runs.wait(client.threads.create()["thread_id"], GRAPH,
                             input={"doc_id": doc_id})
    assert again["status"] == "approved" and "already decided" in again["band_reason"]

    # A run that fails says why, not "An internal error occurred".
    with pytest.raises(Exception, match="document_not_found"):
        client.runs.wait(client.threads.create()["thread_id"], GRAPH,
                         input={"doc_id": "0" * 64})

    # The project's own CLI sees the decided document.
    assert json.loads(cli(data_dir, "review", "list", "--json").stdout) == []
    shown = json.loads(cli(data_dir, "review", "show", doc_id).stdout)
    assert (shown["status"], shown["reviewer"]) == ("decided", "sdk-reviewer")
    verified = cli(data_dir, "lineage", doc_id, "--verify")
    assert verified.returncode == 0 and "lineage intact" in verified.stdout, verified.stderr
    records = json.loads(cli(data_dir, "lineage", doc_id, "--json").stdout)
    assert [r["node"] for r in records].count("human_review") == 1
    assert records[-1]["node"] == "finalize"
    assert records[-1]["payload"]["decided_by"] == "sdk-reviewer"
