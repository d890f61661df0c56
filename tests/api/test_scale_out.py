"""The scale-out path for real: Redis as the Celery broker and result store, PostgreSQL as the
document store and checkpointer, two worker processes sharing the load. Skips, saying why,
when either server is not reachable."""

from __future__ import annotations

import os
import re
import uuid

import pytest

from tests.api.conftest import FINAL, auth, doc_bytes, status_of, wait_for

REDIS_URL = os.environ.get("PAPERTRAIL_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
pytestmark = pytest.mark.postgres


@pytest.fixture
def redis_reachable() -> None:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except Exception as exc:
        pytest.skip(f"Redis not reachable at {REDIS_URL}: {exc}")


@pytest.fixture
def scale_env(redis_reachable, postgres_schema_url, api_env, monkeypatch) -> str:
    queue = f"pt-test-{uuid.uuid4().hex[:8]}"  # isolates this run on a shared Redis
    for name, value in {"PAPERTRAIL_WORKER_BROKER_URL": REDIS_URL,
                        "PAPERTRAIL_WORKER_QUEUE": queue,
                        "PAPERTRAIL_DATABASE_URL": postgres_schema_url}.items():
        monkeypatch.setenv(name, value)
    yield queue
    import redis

    redis.Redis.from_url(REDIS_URL).delete(queue)


def test_redis_broker_postgres_store_two_workers(scale_env, make_client, start_worker) -> None:
    client = make_client()
    state = client.app.state.papertrail
    assert state.store.db.engine.dialect.name == "postgresql"
    assert state.celery.conf.broker_url.startswith("redis://")
    workers = [start_worker("w1"), start_worker("w2")]
    ids = []
    for i in range(6):
        extra = ("Confidence 60",) if i == 0 else ()
        response = client.post("/documents", headers=auth("submitter"), files={
            "file": (f"s{i}.png", doc_bytes(f"50{i}", *extra), "image/png")})
        assert response.status_code == 202
        ids.append(response.json()["id"])
    wait_for(lambda: all(status_of(client, d) in FINAL for d in ids), timeout=180,
             what="all documents")
    assert [status_of(client, d) for d in ids] == ["needs_review"] + ["approved"] * 5
    done = [len(re.findall(r"papertrail\.process\[[^\]]+\] succeeded", w.text()))
            for w in workers]
    assert sum(done) >= len(ids) and all(n > 0 for n in done), done  # both took work

    decided = client.post(f"/reviews/{ids[0]}", headers=auth("reviewer"),
                          json={"action": "reject", "note": "duplicate"})
    assert decided.status_code == 200, decided.text
    assert decided.json()["status"] == "rejected"
    assert client.post(f"/reviews/{ids[0]}", headers=auth("admin"),
                       json={"action": "approve"}).status_code == 409
    lineage = client.get(f"/documents/{ids[0]}/lineage", headers=auth("admin")).json()
    assert lineage["verify"]["ok"]
    health = client.get("/healthz").json()["components"]
    assert health["database"]["detail"]["dialect"] == "postgresql"
    assert health["broker"] == {"status": "ok", "detail": {"queue_depth": 0}}
    assert "papertrail_queue_depth 0.0" in client.get("/metrics", headers=auth("admin")).text
