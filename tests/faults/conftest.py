"""Fault injection on real processes: `papertrail serve --workers 0` (the API) and Celery worker
processes (tests/api/worker_launcher.py), real SQLite and files, real servers of our own.

Processes run without the capabilities that let root ignore file permissions (`setpriv`
drops CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH and CAP_FOWNER from their bounding set), so a
`chmod` that makes a file read-only binds them as it would an ordinary service account.
Timeouts are short (settings env vars) so the suite stays quick.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.api.conftest import (  # noqa: F401  (fixtures used by this suite)
    KEYS,
    ROOT,
    Worker,
    active_bundle,
    api_env,
    free_port,
    wait_for,
)
from tests.faults.ledger import Ledger
from tests.faults.servers import own_postgres, own_redis  # noqa: F401  (fixtures)

SETPRIV = shutil.which("setpriv")
LIMITED = [SETPRIV, "--bounding-set=-dac_override,-dac_read_search,-fowner"] if SETPRIV else []


@pytest.fixture
def fault_env(request: pytest.FixtureRequest,
              monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Short timeouts: recovery within seconds, retries that back off at most 2 s. The
    session's tiny bundle is active, so `serve` does not train its demo bundle first."""
    base = request.getfixturevalue("api_env")
    request.getfixturevalue("active_bundle")
    env = {
        "PAPERTRAIL_WORKER_STALLED_AFTER_SECONDS": "6",
        "PAPERTRAIL_WORKER_RECOVER_EVERY_SECONDS": "1",
        "PAPERTRAIL_WORKER_RETRY_BACKOFF_MAX": "2",
        "PAPERTRAIL_WORKER_MAX_RETRIES": "10",
        "PAPERTRAIL_API_RESUME_WAIT_SECONDS": "0",
        "PAPERTRAIL_LLM_TIMEOUT": "2",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return {**base, **env}


@pytest.fixture
def limited() -> list[str]:
    """The command prefix that drops root's permission bypass; skips when it is unavailable."""
    if not LIMITED:
        pytest.skip("setpriv (util-linux) is not installed: cannot drop CAP_DAC_OVERRIDE, so "
                    "a chmod would not bind processes running as root")
    if os.geteuid() != 0:
        return []  # an ordinary user is bound by permissions already
    return LIMITED


@dataclass
class Api:
    process: subprocess.Popen
    log: Path
    base: str

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)


@pytest.fixture
def processes(fault_env: dict[str, str], tmp_path: Path) -> Iterator[Processes]:
    procs = Processes(tmp_path)
    yield procs
    procs.stop_all()


class Processes:
    """Starts the API and workers as real processes (optionally under a command prefix such as
    `limited`) and stops whatever is left at the end of the test."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.apis: list[Api] = []
        self.workers: list[Worker] = []

    def api(self, prefix: list[str] = (), **env: str) -> Api:  # type: ignore[assignment]
        port = free_port()
        log = self.tmp_path / f"api-{len(self.apis)}.log"
        process = subprocess.Popen(
            [*prefix, sys.executable, "-m", "api.cli", "serve", "--port", str(port),
             "--workers", "0"],
            cwd=ROOT, env={**os.environ, **env}, stdout=log.open("w"),
            stderr=subprocess.STDOUT, start_new_session=True)
        api = Api(process, log, f"http://127.0.0.1:{port}")
        self.apis.append(api)
        wait_for(lambda: _answers(api), timeout=120, what=f"the API; log:\n{api.text()[-2000:]}")
        return api

    def worker(self, name: str, *args: str, prefix: list[str] = (),  # type: ignore[assignment]
               **env: str) -> Worker:
        log = self.tmp_path / f"worker-{name}-{len(self.workers)}.log"
        process = subprocess.Popen(
            [*prefix, sys.executable, "-m", "tests.api.worker_launcher", "--pool", "solo",
             "--hostname", f"{name}@faults", *args],
            cwd=ROOT, env={**os.environ, **env}, stdout=log.open("w"),
            stderr=subprocess.STDOUT, start_new_session=True)
        worker = Worker(process, log)
        self.workers.append(worker)
        wait_for(lambda: "ready." in worker.text() or process.poll() is not None, timeout=120,
                 what=f"worker {name}")
        if process.poll() is not None:
            pytest.fail(f"worker {name} did not start:\n{worker.text()[-3000:]}")
        return worker

    def stop_all(self) -> None:
        for worker in self.workers:
            worker.stop()
        for api in self.apis:
            api.stop()


def _answers(api: Api) -> bool:
    if api.process.poll() is not None:
        raise AssertionError(f"the API exited:\n{api.text()[-3000:]}")
    try:
        httpx.get(f"{api.base}/healthz", timeout=5)
        return True
    except httpx.HTTPError:
        return False


@pytest.fixture
def ledger_for() -> Iterator[Callable[[Api], Ledger]]:
    ledgers: list[Ledger] = []

    def make(api: Api) -> Ledger:
        ledger = Ledger(api.base, KEYS["admin"], KEYS["submitter"])
        ledgers.append(ledger)
        return ledger

    yield make
    for ledger in ledgers:
        ledger.close()
