"""Pools are sized by the cores this process may use: the cgroup CPU quota (v2 or v1) and the
affinity mask, not the host's core count."""

from __future__ import annotations

import os
from pathlib import Path

from agent.settings import Settings
from papertrail.cpus import available_cpus, cgroup_cpu_limit


def affinity() -> int:
    return len(os.sched_getaffinity(0))


def test_cgroup_v2_quota_caps_the_cores(tmp_path: Path) -> None:
    (tmp_path / "cpu.max").write_text("150000 100000\n")  # 1.5 cores
    assert cgroup_cpu_limit(tmp_path) == 1.5
    assert available_cpus(tmp_path) == min(affinity(), 2)


def test_cgroup_v2_without_quota(tmp_path: Path) -> None:
    (tmp_path / "cpu.max").write_text("max 100000\n")
    assert cgroup_cpu_limit(tmp_path) is None
    assert available_cpus(tmp_path) == affinity()


def test_cgroup_v1_quota(tmp_path: Path) -> None:
    (tmp_path / "cpu").mkdir()
    (tmp_path / "cpu" / "cpu.cfs_quota_us").write_text("50000\n")
    (tmp_path / "cpu" / "cpu.cfs_period_us").write_text("100000\n")
    assert cgroup_cpu_limit(tmp_path) == 0.5
    assert available_cpus(tmp_path) == 1  # never below one
    (tmp_path / "cpu" / "cpu.cfs_quota_us").write_text("-1\n")
    assert cgroup_cpu_limit(tmp_path) is None


def test_no_cgroup_files_means_no_limit(tmp_path: Path) -> None:
    assert cgroup_cpu_limit(tmp_path / "absent") is None


def test_worker_and_ocr_pools_default_to_the_available_cores(monkeypatch) -> None:
    for name in ("PAPERTRAIL_WORKER_CONCURRENCY", "PAPERTRAIL_OCR_WORKERS",
                 "PAPERTRAIL_WORKER_POOL"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings()
    assert settings.worker.pool == "threads"
    assert settings.worker.concurrency == 2 * available_cpus() == 2 * settings.ocr_workers
    monkeypatch.setenv("PAPERTRAIL_WORKER_POOL", "prefork")  # a process per task: one per core
    assert Settings().worker.concurrency == available_cpus()
    monkeypatch.setenv("PAPERTRAIL_WORKER_CONCURRENCY", "3")
    assert Settings().worker.concurrency == 3
