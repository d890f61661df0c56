"""API fixtures: settings in the environment (so worker processes see the same), API keys per
role, a TestClient on create_app, the tiny bundle active in the data folder, and real Celery
worker processes on stand-in parts (tests/api/worker_launcher.py) started on demand."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi.testclient import TestClient

from agent.settings import Settings
from api.app import create_app
from api.auth import hash_key
from classifiers.bundle import Registry
from evals import fixtures
from tests.graph.conftest import invoice_lines

ROOT = Path(__file__).resolve().parents[2]
KEYS = {"submitter": "key-sam", "submitter2": "key-sue", "reviewer": "key-rita",
        "admin": "key-ada"}
OWNERS = {"submitter": "sam", "submitter2": "sue", "reviewer": "rita", "admin": "ada"}
FINAL = {"approved", "rejected", "needs_review", "failed"}


def auth(role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {KEYS[role]}"}


def doc_bytes(tag: str, *extra: str) -> bytes:
    """A rendered invoice page, unique per tag. 'Confidence 60' sends it to review."""
    return fixtures.png_bytes(invoice_lines(*extra, number=f"INV-{tag}"))


@pytest.fixture
def api_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Environment shared by this process and the workers it starts."""
    specs = [f"{OWNERS[r]}:{'submitter' if r.startswith('submitter') else r}:{hash_key(k)}"
             for r, k in KEYS.items()]
    env = {
        "PAPERTRAIL_DATA_DIR": str(tmp_path / "var"),
        "PAPERTRAIL_OCR_WORKERS": "1",
        "PAPERTRAIL_API_KEYS": json.dumps(specs),
        "PAPERTRAIL_API_RESUME_WAIT_SECONDS": "60",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


@pytest.fixture
def active_bundle(api_env: dict[str, str], bundle: tuple[Registry, str]) -> Path:
    """The session's tiny bundle, active in the test's data folder; returns its folder."""
    registry, bundle_id = bundle
    root = Path(api_env["PAPERTRAIL_DATA_DIR"]) / "bundles"
    shutil.copytree(registry.root, root)
    Registry(root).activate(bundle_id)
    return root / bundle_id


@pytest.fixture
def make_client(api_env: dict[str, str]) -> Iterator[Callable[..., TestClient]]:
    clients: list[TestClient] = []

    def make(**probed_overrides: Any) -> TestClient:
        client = TestClient(create_app(Settings(), **probed_overrides))
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client: Callable[..., TestClient]) -> TestClient:
    return make_client()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def live_server(api_env: dict[str, str]) -> Iterator[Callable[[], int]]:
    """Start the app under a real uvicorn server in a thread; returns its port."""
    servers: list[tuple[uvicorn.Server, threading.Thread]] = []

    def start() -> int:
        port = free_port()
        server = uvicorn.Server(uvicorn.Config(create_app(Settings()), host="127.0.0.1",
                                               port=port, log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        servers.append((server, thread))
        wait_for(lambda: server.started, timeout=30, what="uvicorn to start")
        return port

    yield start
    for server, thread in servers:
        server.should_exit = True
        thread.join(10)


@dataclass
class Worker:
    process: subprocess.Popen
    log: Path

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL the whole process group: a crash, not a shutdown."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def start_worker(api_env: dict[str, str], tmp_path: Path) -> Iterator[Callable[..., Worker]]:
    """Start worker processes on stand-in parts (solo pool) and wait until they are ready."""
    workers: list[Worker] = []

    def start(name: str = "w1", *args: str, **env: str) -> Worker:
        """`args` go to tests/api/worker_launcher.py (e.g. "--real-classifier")."""
        log = tmp_path / f"worker-{name}-{len(workers)}.log"
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.api.worker_launcher", "--pool", "solo",
             "--hostname", f"{name}@test", *args],
            cwd=ROOT, env={**os.environ, **env}, stdout=log.open("w"),
            stderr=subprocess.STDOUT, start_new_session=True)
        worker = Worker(process, log)
        workers.append(worker)
        deadline = time.monotonic() + 90
        while "ready." not in worker.text():
            if process.poll() is not None or time.monotonic() > deadline:
                worker.kill()
                pytest.fail(f"worker {name} did not start:\n{worker.text()[-3000:]}")
            time.sleep(0.2)
        return worker

    yield start
    for worker in workers:
        worker.stop()


def wait_for(predicate: Callable[[], Any], timeout: float = 120, what: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


def status_of(client: TestClient, doc_id: str) -> str:
    return client.get(f"/documents/{doc_id}", headers=auth("admin")).json()["status"]
