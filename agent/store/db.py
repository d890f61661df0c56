"""Engine and sessions for any SQLAlchemy URL: a SQLite file by default, PostgreSQL at scale.

Database faults are translated here, the one place every query of the store goes through: a
database that cannot be used (read-only, disk I/O error, locked too long, server down or
restarted) leaves `session()` as `StorageUnavailableError` (retryable; HTTP 503), never as a
raw SQLAlchemy error. Constraint violations (`IntegrityError`) pass through unchanged: callers
use them to detect races.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, inspect
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from agent.errors import StorageUnavailableError
from agent.store.models import Base

log = logging.getLogger(__name__)


class Database:
    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = url
        self._keeper: sqlite3.Connection | None = None
        sqlite_file = make_url(url).database if make_url(url).get_backend_name() == "sqlite" \
            and ":memory:" not in url else None
        if sqlite_file:
            # A fresh connection per transaction (opening the file costs well under a
            # millisecond): SQLite keeps a connection opened on a read-only file read-only
            # for good, so a pooled one would refuse writes after the operator fixed it.
            engine_kwargs.setdefault("poolclass", NullPool)
        elif make_url(url).get_backend_name() != "sqlite":
            # A server restart leaves dead connections in the pool: test each on checkout.
            engine_kwargs.setdefault("pool_pre_ping", True)
        self.engine: Engine = create_engine(url, **engine_kwargs)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        if sqlite_file:
            event.listen(self.engine, "before_cursor_execute", _refuse_read_only(sqlite_file))
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._sqlite_file = sqlite_file
        self._keep_wal_open()
        if sqlite_file:
            _WITH_KEEPER.add(self)

    def create_all(self) -> None:
        """Create missing tables, and missing indexes of existing ones (`create_all` skips an
        existing table's indexes: the time indexes of the activity report came later)."""
        with self.translated():
            Base.metadata.create_all(self.engine)
            existing = {(table, i["name"]) for table in inspect(self.engine).get_table_names()
                        for i in inspect(self.engine).get_indexes(table)}
            for table in Base.metadata.sorted_tables:
                for index in table.indexes:
                    if (table.name, index.name) not in existing:
                        self._create_index(index)
        self._keep_wal_open()

    def _create_index(self, index: Any) -> None:
        """Create one index; another process creating it at the same moment is fine, and a
        database that cannot take it now (read-only) works without it (it only saves time)."""
        try:
            with self.engine.begin() as connection:
                index.create(connection, checkfirst=True)
        except DBAPIError as exc:
            names = {i["name"] for i in inspect(self.engine).get_indexes(index.table.name)}
            if index.name not in names:
                log.warning("index %s not created (%s); queries work without it, slower",
                            index.name, str(exc.orig or exc).strip())

    def _keep_wal_open(self) -> None:
        if self._keeper is None and self._sqlite_file and Path(self._sqlite_file).is_file():
            self._keeper = _wal_keeper(self._sqlite_file)

    def _close_keeper(self) -> None:
        if self._keeper is not None:
            self._keeper.close()
            self._keeper = None

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A transaction: committed when the block ends, rolled back on any error. A database
        fault leaves as StorageUnavailableError (see the module doc)."""
        with self.translated(), self._sessions.begin() as session:
            yield session

    @contextmanager
    def translated(self) -> Iterator[None]:
        """Raise the database faults met in the block as StorageUnavailableError."""
        try:
            yield
        except (OperationalError, InterfaceError) as exc:
            raise self.fault(exc) from exc
        except DBAPIError as exc:
            if not exc.connection_invalidated:
                raise
            raise self.fault(exc) from exc

    def dispose(self) -> None:
        self.engine.dispose()
        self._close_keeper()

    def fault(self, exc: DBAPIError, outcome: str = "") -> StorageUnavailableError:
        """A database that cannot be used (read-only, disk I/O error, server down), as the
        error that tells an operator what to fix; `outcome` says what became of the request."""
        reason = str(exc.orig if exc.orig is not None else exc).strip()
        url = make_url(self.url)
        where = url.render_as_string(hide_password=True)
        fix = ("make it writable (file and folder permissions, free disk space) or reachable "
               "(the database server)")
        if url.get_backend_name() == "sqlite" and url.database:
            fix = (f"make {url.database} and, next to it, its -wal and -shm files (SQLite "
                   "creates them with the database file's mode) and their folder writable, "
                   "with free disk space")
        return StorageUnavailableError(
            f"The document database {where} cannot be used ({reason})"
            f"{'; ' + outcome if outcome else ''}. An operator must {fix}."
        )


def _wal_keeper(path: str) -> sqlite3.Connection | None:
    """An idle connection held open beside the per-transaction ones. When the last connection
    to a WAL database closes, SQLite checkpoints the log into the file and deletes it (two
    fsyncs): with one connection a transaction, that was every transaction, and it doubled the
    cost of a lineage append (benchmarks/store.py). The keeper has read the schema once, so it
    holds the WAL index open, and never starts a transaction, so it blocks no checkpoint; SQLite
    still checkpoints as the log grows (`wal_autocheckpoint`)."""
    try:
        keeper = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        keeper.execute("SELECT count(*) FROM sqlite_master").fetchall()
    except sqlite3.Error as exc:  # unreadable now: transactions will say so, with the fix
        log.warning("SQLite database %s: no idle connection kept open (%s)", path, exc)
        return None
    return keeper


_WITH_KEEPER: weakref.WeakSet[Database] = weakref.WeakSet()
_CLOSED_FOR_FORK: list[Database] = []


def _before_fork() -> None:
    """SQLite connections must not cross a fork (a child sharing the parent's open file and its
    locks can corrupt the database): keepers close before it and open again on each side."""
    _CLOSED_FOR_FORK[:] = [db for db in list(_WITH_KEEPER) if db._keeper is not None]
    for db in _CLOSED_FOR_FORK:
        db._close_keeper()


def _after_fork() -> None:
    for db in _CLOSED_FOR_FORK:
        db._keep_wal_open()
    _CLOSED_FOR_FORK.clear()


os.register_at_fork(before=_before_fork, after_in_parent=_after_fork, after_in_child=_after_fork)

_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def _refuse_read_only(path: str) -> Any:
    """A write to a file the process may no longer write fails, as it did when every
    transaction opened the file afresh: SQLite reuses a file descriptor the process still has
    open (the keeper's inode), so it would go on writing to a file turned read-only, and the
    operator would learn of it only at the next restart."""

    def check(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip()[:7].upper().startswith(_WRITES) and not os.access(path, os.W_OK):
            raise sqlite3.OperationalError("attempt to write a readonly database")

    return check


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the API read while a worker writes; busy_timeout waits instead of failing.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=10000")
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
    except sqlite3.OperationalError as exc:
        # A read-only file or folder: reads still work; writes fail as storage_unavailable.
        log.warning("SQLite database opened without WAL (%s): it is read-only", exc)
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
