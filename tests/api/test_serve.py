"""`papertrail serve`: API and worker processes on the embedded defaults and the real parts
(the tiny bundle active), an upload processed over real HTTP, and no process left behind
however serve is stopped (SIGTERM, SIGINT, SIGHUP, even SIGKILL)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.api.conftest import FINAL, ROOT, auth, doc_bytes, free_port, wait_for


def children_of(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-eo", "pid=,ppid=,sid="], capture_output=True, text=True)
    rows = [tuple(map(int, line.split())) for line in out.stdout.splitlines() if line.strip()]
    kids = {p for p, parent, _ in rows if parent == pid}
    sessions = {p for p, _, sid in rows if sid in kids}  # workers run in their own sessions
    return sorted(kids | sessions)


def start_serve(port: int, log: Path) -> subprocess.Popen:
    """`papertrail serve` with one worker, in its own session, logging to `log`."""
    return subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve", "--port", str(port), "--workers", "1"],
        cwd=ROOT, env=dict(os.environ), stdout=log.open("w"), stderr=subprocess.STDOUT,
        start_new_session=True)


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_serve_runs_api_and_worker_and_stops_cleanly(api_env, active_bundle, tmp_path,
                                                     stop) -> None:
    port = free_port()
    log = tmp_path / "serve.log"
    process = start_serve(port, log)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _up(base), timeout=180, what="the API")
        assert children_of(process.pid), "no worker process was started"
        response = httpx.post(f"{base}/documents", headers=auth("submitter"), files={
            "file": ("s.png", doc_bytes("6001"), "image/png")})
        assert response.status_code == 202
        status_url = response.json()["status_url"]
        wait_for(lambda: httpx.get(status_url, headers=auth("submitter"))
                 .json()["status"] in FINAL, timeout=180, what="processing")
        view = httpx.get(status_url, headers=auth("submitter")).json()
        assert view["status"] in ("approved", "needs_review"), view
        workers = children_of(process.pid)
    finally:
        process.send_signal(stop)
        code = process.wait(60)
    assert code == 0, log.read_text()[-2000:]
    time.sleep(0.5)
    alive = [pid for pid in workers if _alive(pid)]
    assert not alive, f"left running: {alive}\n{log.read_text()[-2000:]}"
    assert "stopped" in log.read_text()


def _up(base: str) -> bool:
    try:
        return httpx.get(f"{base}/healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    state = subprocess.run(["ps", "-o", "stat=", "-p", str(pid)], capture_output=True,
                           text=True).stdout.strip()
    return bool(state) and not state.startswith("Z")


@pytest.mark.parametrize("stop", [signal.SIGHUP, signal.SIGKILL], ids=["SIGHUP", "SIGKILL"])
def test_serve_stopped_by_any_signal_leaves_no_worker_behind(api_env, active_bundle, tmp_path,
                                                             stop) -> None:
    """SIGHUP stops serve in order; after a SIGKILL, which serve cannot handle, its worker
    notices its parent is gone and stops by itself within seconds."""
    port = free_port()
    log = tmp_path / "serve.log"
    process = start_serve(port, log)
    try:
        wait_for(lambda: _up(f"http://127.0.0.1:{port}") and "ready." in log.read_text(),
                 timeout=180, what="the API and its worker")
        workers = children_of(process.pid)
        assert workers, "no worker process was started"
    finally:
        process.send_signal(stop)
        code = process.wait(60)
    try:
        assert code == (0 if stop == signal.SIGHUP else -signal.SIGKILL), log.read_text()[-2000:]
        wait_for(lambda: not any(_alive(pid) for pid in workers), timeout=15,
                 what="the worker processes to exit")
    finally:
        for pid in workers:  # never leave a stray worker behind a failing test
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
