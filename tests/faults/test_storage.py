"""Storage faults on a running deployment: the SQLite database or the blob folder made
read-only (chmod, binding because the processes run without root's permission bypass). An
upload is refused with 503 `storage_unavailable` and leaves nothing behind; once the operator
fixes the permissions, the same processes take uploads again without a restart."""

from __future__ import annotations

import os
import time
from pathlib import Path

from agent.settings import Settings


def chmod_tree(root: Path, mode_dirs: int, mode_files: int) -> None:
    for path in [root, *root.rglob("*")]:
        os.chmod(path, mode_dirs if path.is_dir() else mode_files)


def test_read_only_database(processes, ledger_for, limited) -> None:
    api = processes.api(limited)
    processes.worker("rodb", prefix=limited)
    ledger = ledger_for(api)
    assert ledger.upload("r0", safe=True).status_code == 202
    ledger.settle()

    database = Settings().resolved_data_dir / "papertrail.db"
    with ledger.down("database"):
        for i in (1, 2):  # the worker is in the middle of these when the file turns read-only
            assert ledger.upload(f"r{i}").status_code == 202
        os.chmod(database, 0o444)
        try:
            for i in (3, 4):
                response = ledger.upload(f"r{i}")
                assert response.status_code == 503, response.text
                assert response.json()["error"] == "storage_unavailable", response.text
            health = ledger.get("/healthz")
            assert health.status_code == 503, health.text  # not "ok" while uploads fail
            assert "readonly" in health.json()["components"]["database"]["detail"]["error"]
            assert ledger.get("/documents").status_code == 200  # reading still works
            time.sleep(3)
        finally:  # what the 503 tells the operator: the file and its -wal and -shm
            message = response.json()["message"]
            assert "-wal and -shm" in message and str(database) in message, message
            for path in database.parent.glob("papertrail.db*"):
                os.chmod(path, 0o644)
    for i in (3, 4):  # fixed: the same processes take uploads again, no restart
        response = ledger.upload(f"r{i}", safe=True)
        assert response.status_code == 202, response.text
    ledger.may_approve |= set(ledger.accepted)  # approved after the window (checked) is fine
    ledger.check()
    assert ledger.get("/healthz").status_code == 200
    assert not list(Settings().blob_dir.rglob(".incoming-*"))


def test_unwritable_blob_folder(processes, ledger_for, limited) -> None:
    api = processes.api(limited)
    processes.worker("noblob", prefix=limited)
    ledger = ledger_for(api)
    assert ledger.upload("b0", safe=True).status_code == 202
    ledger.settle()
    blobs = Settings().blob_dir
    chmod_tree(blobs, 0o555, 0o444)
    try:
        for i in range(1, 3):
            response = ledger.upload(f"b{i}")
            assert response.status_code == 503, response.text
            body = response.json()
            assert body["error"] == "storage_unavailable" and str(blobs) in body["message"]
    finally:
        chmod_tree(blobs, 0o755, 0o644)
    assert ledger.upload("b1", safe=True).status_code == 202
    views = ledger.check()
    assert len(views) == 2 and len(ledger.refused) == 1
    assert len([p for p in blobs.rglob("*") if p.is_file()]) == 2
