"""How many CPU cores this process may really use.

`os.cpu_count()` counts the host's cores, but a container limited by a cgroup CPU quota (e.g.
`docker run --cpus 2` on a 32-core host) or a CPU affinity mask gets far fewer: sizing worker
and OCR pools by the host count would oversubscribe it many times over. This is the smallest of
the affinity mask, the cgroup v2 `cpu.max` quota and the cgroup v1 CFS quota (rounded up).
"""

from __future__ import annotations

import math
import os
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")


def cgroup_cpu_limit(root: Path = CGROUP_ROOT) -> float | None:
    """Cores allowed by a cgroup CPU quota, or None when there is none (or no cgroup fs)."""
    try:
        quota, period = (root / "cpu.max").read_text().split()[:2]  # v2: "max 100000"
        if quota != "max" and int(period) > 0:
            return int(quota) / int(period)
        return None
    except (OSError, ValueError):
        pass
    try:
        quota_us = int((root / "cpu" / "cpu.cfs_quota_us").read_text())  # v1: -1 = none
        period_us = int((root / "cpu" / "cpu.cfs_period_us").read_text())
    except (OSError, ValueError):
        return None
    return quota_us / period_us if quota_us > 0 and period_us > 0 else None


def available_cpus(root: Path = CGROUP_ROOT) -> int:
    """Cores this process may use: affinity mask and cgroup quota applied; at least 1."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        cores = os.cpu_count() or 1
    limit = cgroup_cpu_limit(root)
    if limit is not None:
        cores = min(cores, math.ceil(limit))
    return max(1, cores)
