"""Set-up shared by the scan and analysis worker processes: they die with the process that started them.

A ``kill -9`` of ``moodplayer index`` (or of the GUI) used to leave its worker processes decoding and
analysing on their own. On Linux the kernel is asked to kill a worker when its parent dies
(``PR_SET_PDEATHSIG``); everywhere a watchdog thread exits the worker once its parent pid changes.
Workers ignore Ctrl+C: the parent decides how to stop (keeping the finished work) and ends them.
"""
from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time

PR_SET_PDEATHSIG = 1
WATCH_S = 1.0


def _ask_kernel_to_kill_with_parent() -> None:
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    except (OSError, AttributeError):
        pass   # no prctl (odd libc): the watchdog below still ends the worker


def _watch_parent(parent_pid: int) -> None:
    while True:
        if os.getppid() != parent_pid:
            os._exit(1)   # the parent is gone (we were re-parented): nobody waits for our results
        time.sleep(WATCH_S)


def worker_setup(parent_pid: int) -> None:
    """Call first in a worker initializer, with the parent's ``os.getpid()`` passed from the parent.

    Decoders' notes on broken files (which the results report per file) are silenced; the worker's
    log records join the parent's log file. Its errors travel back to the parent as exceptions.
    """
    from moodplayer.logsetup import configure_worker

    configure_worker()
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:
        pass   # not the main thread of the worker (never the case in a pool initializer)
    _ask_kernel_to_kill_with_parent()
    if os.getppid() != parent_pid:
        os._exit(1)   # the parent died before the death signal was armed
    threading.Thread(target=_watch_parent, args=(parent_pid,), name="parent-watchdog", daemon=True).start()


def describe_exit(exitcode: int | None) -> str:
    """'killed by SIGKILL' / 'exited with status 3' for a worker process's exit code."""
    if exitcode is None:
        return "stopped"
    if exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        hint = " (out of memory?)" if exitcode == -signal.SIGKILL else ""
        return f"killed by {name}{hint}"
    return f"exited with status {exitcode}"


def pool_processes(pool: object) -> list:
    """A ProcessPoolExecutor's worker processes; take them before ``shutdown()``, which drops the
    list (it is private, hence getattr)."""
    return list((getattr(pool, "_processes", None) or {}).values())


def pool_death(processes: list) -> str:
    """How a broken pool's worker died, once the pool is shut down: the others were ended by the
    pool itself with SIGTERM, so the first other exit code is the one that broke it."""
    codes = [p.exitcode for p in processes]
    died = next((c for c in codes if c not in (None, 0, -signal.SIGTERM)),
                -signal.SIGTERM if -signal.SIGTERM in codes else None)
    return describe_exit(died)
