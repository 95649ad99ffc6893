"""Background work for the window: QRunnables whose results come back to the GUI thread by signals.

Every task opens its own sqlite connection (a connection must not cross threads) and imports heavy
modules (numpy, scikit-learn, onnxruntime, librosa) inside ``run``, so none of them is on the start
path. Signals emitted from a pool thread are queued to the receiver's thread (the GUI) by Qt. A task
that fails hands its exception object to ``on_error`` (callers decide by type, never by text) and
logs it: one line for an error whose message says it all, the traceback for a bug. Tasks start
through :func:`moodplayer.ui.tasks.run_in_background`, which tests make synchronous.
"""
from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from moodplayer.ui.problems import is_plain
from moodplayer.ui.tasks import run_in_background

log = logging.getLogger(__name__)


class TaskSignals(QObject):
    result = Signal(object)
    error = Signal(object)       # the exception the task raised
    progress = Signal(int, int)
    finished = Signal()


class Task(QRunnable):
    """Runs ``fn(task)`` on the pool; its return value is emitted as ``signals.result``.

    ``fn`` may call ``task.progress(done, total)`` and poll ``task.cancelled``.
    """

    def __init__(self, fn: Callable[[Task], Any], name: str = "task") -> None:
        super().__init__()
        self.fn, self.name = fn, name
        self.signals = TaskSignals()
        self._cancel = threading.Event()
        # The pool owns and deletes the runnable after run() returns (autoDelete, the default); the
        # window keeps only the Python side for cancel(), which touches no C++ state.

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def cancel(self) -> None:
        self._cancel.set()

    def progress(self, done: int, total: int) -> None:
        self.signals.progress.emit(int(done), int(total))

    def run(self) -> None:
        try:
            out = self.fn(self)
        except Exception as exc:  # reported in the window; a worker must never take the app down
            if is_plain(exc):
                log.warning("%s: %s", self.name, exc)
            else:   # a bug: its traceback goes to the log file (and stderr from a terminal)
                log.error("%s failed", self.name, exc_info=exc)
            self.signals.error.emit(exc)
        else:
            self.signals.result.emit(out)
        finally:
            self.signals.finished.emit()


class Workers(QObject):
    """The window's thread pool plus the tasks in flight (kept alive until they finish)."""

    def __init__(self, parent: QObject | None = None, max_threads: int = 4) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(max_threads)
        self._running: set[Task] = set()

    def prepare(self, fn: Callable[[Task], Any], *, name: str,
                on_result: Callable[[Any], None] | None = None,
                on_error: Callable[[Exception], None] | None = None,
                on_progress: Callable[[int, int], None] | None = None,
                on_finished: Callable[[], None] | None = None) -> Task:
        """A task wired to its callbacks, not started: the caller can record it first (with a
        synchronous runner its callbacks all run inside :meth:`submit`)."""
        task = Task(fn, name)
        if on_result:
            task.signals.result.connect(on_result)
        if on_error:
            task.signals.error.connect(on_error)
        if on_progress:
            task.signals.progress.connect(on_progress)
        task.signals.finished.connect(lambda: self._running.discard(task))
        if on_finished:
            task.signals.finished.connect(on_finished)
        return task

    def submit(self, task: Task) -> Task:
        self._running.add(task)
        run_in_background(task, self.pool)
        return task

    def start(self, fn: Callable[[Task], Any], *, name: str, **callbacks: Any) -> Task:
        """prepare() and submit() in one: for tasks nobody needs to look up while they run."""
        return self.submit(self.prepare(fn, name=name, **callbacks))

    def cancel_all(self) -> None:
        for task in list(self._running):
            task.cancel()

    def wait(self, msecs: int = 30000) -> bool:
        return self.pool.waitForDone(msecs)

    @property
    def busy(self) -> int:
        return len(self._running)


# -- the jobs themselves (plain functions of a Task: easy to call synchronously in tests) ----------

def load_library_job(db: Path, sort_column: int | None = None, out_of_date: bool = False) -> Callable[[Task], Any]:
    """The library view: kept from the last close if the library has not changed since
    (``library_snapshot``; with ``out_of_date`` even if it has), else loaded from the database."""
    def job(task: Task) -> Any:
        from moodplayer.library.store import connect
        from moodplayer.ui import library_snapshot
        from moodplayer.ui.library_data import load_library

        conn = connect(db)   # creates and migrates a new database on first start
        try:
            return library_snapshot.load(db, conn, out_of_date=out_of_date) or load_library(conn, sort_column)
        finally:
            conn.close()
    return job


def load_index_job(db: Path, previous: Any = None, data: Any = None, out_of_date: bool = False) -> Callable[[Task], Any]:
    """The mood index and the recently played ids; None if the library is unchanged since
    ``previous``. Its rows come from ``data`` (the library view just loaded) when that is current
    (or ``out_of_date`` allows an older one: the index then carries that older stamp, so the next
    load replaces it), else from the database. The KD-tree is left to ``tree_job``."""
    def job(task: Task) -> Any:
        from moodplayer.library.store import connect
        from moodplayer.recommend.feedback import load_feedback
        from moodplayer.recommend.index import MoodIndex, library_stamp
        from moodplayer.recommend.queue import recently_played

        conn = connect(db)
        try:
            stamp = library_stamp(conn)
            if previous is not None and previous.stamp == stamp:
                return None
            if data is not None and (data.revision == stamp or out_of_date):
                index = MoodIndex.from_columns(data.cols, load_feedback(conn), data.revision)
            else:
                index = MoodIndex.from_db(conn, tree=False)
            return index, recently_played(conn)
        finally:
            conn.close()
    return job


def tree_job(index: Any) -> Callable[[Task], Any]:
    """The index's KD-tree (scikit-learn's import, ~2 s of CPU on a small machine), after its dots
    are on the pad: ``nearest`` answers by an exact scan meanwhile."""
    def job(task: Task) -> Any:
        return index.with_tree()
    return job


def scan_job(db: Path, folder: Path) -> Callable[[Task], Any]:
    def job(task: Task) -> Any:
        from moodplayer.library.scanner import scan
        from moodplayer.library.store import connect

        conn = connect(db)   # native decoder chatter was silenced once, at start (logsetup.start_process)
        try:
            return scan(conn, folder, progress=task.progress, should_stop=lambda: task.cancelled)
        finally:
            conn.close()
    return job


def analysis_job(db: Path, workers: int | None = None) -> Callable[[Task], Any]:
    """The analysis service over every pending track; ModelError (no model shipped) is reported."""
    def job(task: Task) -> Any:
        from moodplayer.analysis.service import analyze_library

        return analyze_library(db, workers=workers, progress=task.progress, should_stop=lambda: task.cancelled)
    return job


def track_details_job(db: Path, track_id: int | None, path: str) -> Callable[[Task], Any]:
    """Album, mood timeline and the decoded, scaled cover (a QImage) for the now-playing panel."""
    def job(task: Task) -> Any:
        from moodplayer.library.store import connect
        from moodplayer.ui.cover import read_cover
        from moodplayer.ui.library_data import track_details
        from moodplayer.ui.now_playing import COVER as COVER_PX

        details: dict[str, Any] = {"id": track_id, "path": path, "windows": []}
        if track_id is not None:
            conn = connect(db, readonly=True)
            try:
                details.update(track_details(conn, track_id) or {})
            finally:
                conn.close()
        details["cover"] = cover_image(read_cover(path), COVER_PX)
        return details
    return job


def cover_image(data: bytes | None, size: int) -> Any:
    """Decode and scale cover art off the GUI thread (a QImage may be made in any thread, a QPixmap
    not): a multi-megabyte embedded picture would otherwise stall playback's track change."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage

    if not data:
        return None
    img = QImage.fromData(data)
    if img.isNull():
        return None
    return img.scaled(size, size, Qt.AspectRatioMode.KeepAspectRatioByExpanding,
                      Qt.TransformationMode.SmoothTransformation)
