"""The SQLite broker keeps delivered messages hidden forever; workers purge old ones."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

from agent.settings import Settings
from api.worker import PROCESS, make_celery, purge_delivered, queue_depth


def test_old_delivered_messages_are_purged_and_waiting_ones_kept(tmp_path) -> None:
    settings = Settings(data_dir=tmp_path)
    app = make_celery(settings)
    for doc_id in ("a", "b", "c"):
        app.send_task(PROCESS, args=[doc_id])
    assert queue_depth(app) == 3
    broker = sqlite3.connect(settings.resolved_data_dir / "broker.sqlite")
    ids = [row[0] for row in broker.execute("SELECT id FROM kombu_message ORDER BY id")]
    old = (datetime.now() - timedelta(hours=2)).isoformat(sep=" ")
    broker.execute("UPDATE kombu_message SET visible = 0, timestamp = ? WHERE id = ?",
                   (old, ids[0]))
    broker.execute("UPDATE kombu_message SET visible = 0 WHERE id = ?", (ids[1],))  # just now
    broker.commit()
    assert purge_delivered(settings) == 1
    left = [row[0] for row in broker.execute("SELECT id FROM kombu_message ORDER BY id")]
    assert left == ids[1:] and queue_depth(app) == 1


def test_purge_ignores_other_brokers(tmp_path) -> None:
    settings = Settings(data_dir=tmp_path, worker={"broker_url": "redis://127.0.0.1:1/0"})
    assert purge_delivered(settings) == 0
