"""The scale-out path under faults, on throwaway servers of the test's own (never the machine's
shared Redis and PostgreSQL): Redis killed mid-run and started again empty (its queued
messages lost), PostgreSQL restarted under a running API and worker."""

from __future__ import annotations

import time

from tests.faults.conftest import wait_for


def some_progress(ledger) -> bool:
    return any(v["status"] != "received" for v in ledger.views().values())


def test_redis_killed_mid_run(own_redis, processes, ledger_for, monkeypatch) -> None:
    monkeypatch.setenv("PAPERTRAIL_WORKER_BROKER_URL", own_redis.url)
    api = processes.api()
    ledger = ledger_for(api)
    worker = processes.worker("redis")
    for i in range(4):
        ledger.upload(f"x{i}", safe=True)
    wait_for(lambda: some_progress(ledger), timeout=60, what="processing to start")
    own_redis.stop()  # no decision depends on the broker: approvals may go on meanwhile
    for i in range(4, 6):
        response = ledger.upload(f"x{i}", safe=True)
        assert response.status_code == 503, response.text
        assert response.json()["error"] == "queue_unavailable", response.text
    time.sleep(2)
    own_redis.start()  # the same port, empty: every queued message is gone
    ledger.check()
    assert "re-queued" in worker.text()


def test_postgres_restarted_mid_run(own_postgres, own_redis, processes, ledger_for,
                                    monkeypatch) -> None:
    monkeypatch.setenv("PAPERTRAIL_WORKER_BROKER_URL", own_redis.url)
    monkeypatch.setenv("PAPERTRAIL_DATABASE_URL", own_postgres.url)
    api = processes.api()
    ledger = ledger_for(api)
    processes.worker("pg")
    for i in range(4):
        ledger.upload(f"p{i}", safe=True)
    wait_for(lambda: some_progress(ledger), timeout=60, what="processing to start")
    with ledger.down("postgres"):
        own_postgres.restart()
    for i in range(4, 6):
        response = ledger.upload(f"p{i}", safe=True)
        assert response.status_code == 202, response.text
    ledger.check()
