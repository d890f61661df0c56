"""Throwaway Redis and PostgreSQL servers of the test's own, on free ports, so a test may stop
and restart them without touching the machine's shared ones (127.0.0.1:6379 / 5432)."""

from __future__ import annotations

import contextlib
import glob
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.api.conftest import free_port, wait_for

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
PG_BINS = sorted(glob.glob("/usr/lib/postgresql/*/bin"))


class RedisServer:
    def __init__(self, folder: Path) -> None:
        self.folder, self.port = folder, free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.folder)],
            stdout=(self.folder / "redis.log").open("a"), stderr=subprocess.STDOUT)
        import redis

        wait_for(lambda: _pings(redis.Redis(port=self.port, socket_connect_timeout=1)),
                 timeout=20, what="redis-server")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)


def _pings(client) -> bool:  # noqa: ANN001
    try:
        return bool(client.ping())
    except Exception:
        return False


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[RedisServer]:
    if not Path(REDIS_SERVER).exists():
        pytest.skip(f"no redis-server binary at {REDIS_SERVER}: cannot run a throwaway Redis")
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


class PostgresCluster:
    """initdb + pg_ctl as the `postgres` user (initdb refuses root), trust auth, a free port."""

    def __init__(self, folder: Path, bin_dir: Path) -> None:
        self.folder, self.bin, self.port = folder, bin_dir, free_port()
        self.data = folder / "pgdata"

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        subprocess.run([*_as_postgres(), *args], check=True, capture_output=True, timeout=120)

    def init(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        shutil.chown(self.folder, "postgres", "postgres")
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U",
                  "postgres", "--no-sync")

    def pg_ctl(self, action: str, *extra: str) -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l",
                  str(self.folder / "pg.log"), "-w", "-t", "60", "-o",
                  f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
                  "-c fsync=off", *extra, action)

    def start(self) -> None:
        self.pg_ctl("start")

    def restart(self) -> None:
        self.pg_ctl("restart", "-m", "fast")

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.pg_ctl("stop", "-m", "immediate")


def _as_postgres() -> list[str]:
    return ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"]


@pytest.fixture
def own_postgres() -> Iterator[PostgresCluster]:
    if not PG_BINS or not Path(PG_BINS[-1], "initdb").exists():
        pytest.skip("no PostgreSQL server binaries under /usr/lib/postgresql/*/bin: cannot "
                    "run a throwaway cluster")
    if shutil.which("setpriv") is None:
        pytest.skip("setpriv is missing: cannot run initdb as the postgres user")
    import pwd

    try:
        pwd.getpwnam("postgres")
    except KeyError:
        pytest.skip("no `postgres` user to own a throwaway cluster")
    folder = Path(tempfile.mkdtemp(prefix="pt-faults-pg-"))  # outside root's 0700 tmp tree
    folder.chmod(0o755)
    cluster = PostgresCluster(folder / "cluster", Path(PG_BINS[-1]))
    try:
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(folder, ignore_errors=True)
