"""Stop a child process when the process that started it dies, however it died.

`papertrail serve` runs its worker in a session of its own (so a terminal's Ctrl-C reaches
serve, which then stops the worker in order). A serve killed outright (SIGKILL, OOM killer)
cannot stop anything, so the worker watches it: when its parent is gone (it was re-parented),
it sends itself SIGTERM, a warm shutdown that lets the current task finish. Polling the parent
id works on every POSIX system, unlike Linux's PR_SET_PDEATHSIG.
"""

from __future__ import annotations

import logging
import os
import signal
import threading

log = logging.getLogger(__name__)


def stop_with_parent(parent_pid: int, every_seconds: float = 0.5) -> threading.Thread:
    """Start a daemon thread that SIGTERMs this process once `parent_pid` is no longer its
    parent. Started after the parent already died, it stops the process at once."""

    def watch() -> None:
        while os.getppid() == parent_pid:
            threading.Event().wait(every_seconds)
        log.warning("parent process %d is gone: stopping", parent_pid)
        os.kill(os.getpid(), signal.SIGTERM)

    thread = threading.Thread(target=watch, name="papertrail-parent-watch", daemon=True)
    thread.start()
    return thread
