"""Where paused runs live: SqliteSaver on a file by default, PostgresSaver at scale."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from langgraph.checkpoint.base import BaseCheckpointSaver

from agent.settings import Settings


@contextmanager
def open_checkpointer(settings: Settings) -> Iterator[BaseCheckpointSaver]:
    target = settings.resolved_checkpoint_url
    if target.startswith("postgresql://"):
        from langgraph.checkpoint.postgres import PostgresSaver
        from psycopg.rows import dict_row
        from psycopg_pool import ConnectionPool

        # A pool that tests each connection when it is taken: after a database restart the
        # next call reconnects, where one long-lived connection would stay closed for good.
        with ConnectionPool(target, min_size=1, max_size=4, check=ConnectionPool.check_connection,
                            kwargs={"autocommit": True, "prepare_threshold": 0,
                                    "row_factory": dict_row}) as pool:
            saver = PostgresSaver(pool)
            saver.setup()
            yield saver
        return
    from langgraph.checkpoint.sqlite import SqliteSaver

    connection = sqlite3.connect(target, check_same_thread=False)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA busy_timeout=10000")
    try:
        saver = SqliteSaver(connection)
        saver.setup()
        yield saver
    finally:
        connection.close()
