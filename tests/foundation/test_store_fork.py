"""The store's idle SQLite connection never crosses a fork: a prefork worker's child and its
parent both write to the same file afterwards, each through its own connections."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import text

from agent.store.db import Database


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_the_idle_connection_is_closed_before_a_fork_and_reopened_on_both_sides(
        tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'store.db'}")
    db.create_all()
    with db.session() as session:
        session.execute(text("CREATE TABLE t (who TEXT)"))
    before = db._keeper
    assert before is not None
    pid = os.fork()
    if pid == 0:  # the child: its own keeper, and writes that land
        code = 1
        try:
            if db._keeper is not None and db._keeper is not before:
                with db.session() as session:
                    session.execute(text("INSERT INTO t VALUES ('child')"))
                code = 0
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert db._keeper is not None and db._keeper is not before  # reopened in the parent
    with db.session() as session:
        session.execute(text("INSERT INTO t VALUES ('parent')"))
        assert sorted(session.execute(text("SELECT who FROM t")).scalars()) == ["child", "parent"]
    db.dispose()
