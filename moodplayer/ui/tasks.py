"""Where the window's background work runs: a QThreadPool, or the caller's thread in tests.

Every task of the UI goes through :func:`run_in_background`. Tests of the UI logic swap the runner
for :func:`run_now` (as Picard's tests swap their thread pool), so a controller's whole chain (load,
scan, analysis, errors) runs to the end inside the call that started it, with no window and no
waiting on signals.
"""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QRunnable, QThreadPool

Runner = Callable[[QRunnable, "QThreadPool | None"], None]


def run_in_pool(runnable: QRunnable, pool: QThreadPool | None = None) -> None:
    """The default: start ``runnable`` on ``pool`` (the global pool when None)."""
    (pool or QThreadPool.globalInstance()).start(runnable)


def run_now(runnable: QRunnable, pool: QThreadPool | None = None) -> None:
    """The synchronous runner for tests: run it here, before returning; its signals arrive directly."""
    runnable.setAutoDelete(False)   # no pool owns it; Python does
    runnable.run()


_runner: Runner = run_in_pool


def run_in_background(runnable: QRunnable, pool: QThreadPool | None = None) -> None:
    """Run ``runnable`` with the current runner."""
    _runner(runnable, pool)


def set_runner(runner: Runner) -> Runner:
    """Install ``runner`` for every later task; returns the one it replaces (to put it back)."""
    global _runner
    previous, _runner = _runner, runner
    return previous
