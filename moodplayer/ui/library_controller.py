"""Keeps the window's view of the library fresh: loads, scans, analysis, throttled refreshes.

One load of each kind runs at a time; a request while one runs marks it dirty and it runs once more
afterwards. While a scan or the analysis is busy the table and the pad refresh on a timer whose
interval grows with the time a load takes, so a huge library is not reloaded back to back. A task
that fails hands back its exception; ``problem`` carries the short line and the details the window
shows, chosen by the exception's type (moodplayer.ui.problems).
"""
from __future__ import annotations

from collections import deque
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QImage

from moodplayer.logsetup import current_log_file
from moodplayer.ui.problems import describe
from moodplayer.ui.workers import (
    Task,
    Workers,
    analysis_job,
    load_index_job,
    load_library_job,
    scan_job,
    tree_job,
)

MIN_REFRESH_MS = 800


class LibraryController(QObject):
    libraryLoaded = Signal(object)               # LibraryData
    indexLoaded = Signal(object, object, object) # MoodIndex, recently played ids, density QImage or None
    busyChanged = Signal(str, int, int)          # what ("" = idle), done, total
    message = Signal(str)
    scanFinished = Signal(object)                # ScanReport
    libraryFailed = Signal(str)                  # the database cannot be used: why, in plain words
    problem = Signal(str, str)                   # a task failed: a short line, the details (file, reason)

    def __init__(self, db: Path, workers: Workers, parent: QObject | None = None,
                 sort_column: Callable[[], int | None] = lambda: None) -> None:
        super().__init__(parent)
        self.db, self.workers = Path(db), workers
        self._sort_column = sort_column
        self.index: Any = None
        self.data: Any = None            # the library view last loaded (LibraryData)
        self._running: dict[str, Task] = {}
        self._dirty: set[str] = set()
        self._folders: deque[Path] = deque()
        self._load_s = 0.2
        self._index_after_library = False
        self.analyse_after_scan = True
        self.analysis_workers: int | None = None   # the analysis throttle (None/0: one per core)
        self.failed: str | None = None   # why the library cannot be loaded (None: it loads)
        self._refresh = QTimer(self)
        self._refresh.setSingleShot(True)
        self._refresh.timeout.connect(self._refresh_now)

    # -- loads --------------------------------------------------------------------------------------
    def reload(self) -> None:
        """The table's rows, then the pad's index made from them."""
        self.reload_library()

    def reload_library(self) -> None:
        if "library" in self._running:
            self._dirty.add("library")
            return
        # this window's first load may show the view kept at the last close even if another program
        # changed the library since; the rows as they are now then follow at once (_library_done)
        first = self.data is None
        self._start("library", load_library_job(self.db, self._sort_column(), out_of_date=first),
                    name="loading the library",
                    on_result=self._library_done, on_error=self._load_error,
                    on_finished=lambda: self._finished("library"))
        # the index takes its rows from this load (one read of the tracks, not two); side by side the
        # two would only make each other late (both are Python holding one GIL)
        if "library" in self._running:
            self._index_after_library = True
        elif not self.failed:
            self.reload_index()   # a synchronous runner has finished the load already

    def reload_index(self) -> None:
        if "index" in self._running:
            self._dirty.add("index")
            return
        self._start("index", _index_with_density(self.db, self.index, self.data, _out_of_date(self.data)),
                    name="building the mood index",
                    on_result=self._index_done, on_error=self._load_error,
                    on_finished=lambda: self._finished("index"))

    def _start(self, kind: str, fn: Callable[[Task], Any], **how: Any) -> None:
        """Record the task before it runs: a synchronous runner finishes it inside submit()."""
        task = self.workers.prepare(fn, **how)
        self._running[kind] = task
        self.workers.submit(task)

    def _library_done(self, data: Any) -> None:
        self._load_s = max(0.05, float(getattr(data, "seconds", 0.2)))
        self.failed = None
        self.data = data
        self.libraryLoaded.emit(data)
        if _out_of_date(data):
            self._dirty.add("library")   # runs again as soon as this load is finished

    def save_view(self) -> None:
        """Keep the library view for the next start (``library_snapshot``), if it is current."""
        if self.data is None or self.failed:
            return
        from moodplayer.library.store import LibraryError, connect
        from moodplayer.ui import library_snapshot

        try:
            conn = connect(self.db, readonly=True)
        except LibraryError:
            return   # the library itself cannot be opened: the window says so already
        try:
            library_snapshot.save(self.db, conn, self.data)
        finally:
            conn.close()

    def _load_error(self, exc: Exception) -> None:
        """A load that fails (not a database, newer schema, disk full, read-only) says so where the
        library would show, instead of "Loading your library…" for ever."""
        self.failed = str(exc) or type(exc).__name__
        self.libraryFailed.emit(self.failed)
        self._report(exc, "loading the library")

    def _index_done(self, result: Any) -> None:
        if result is None:
            return   # unchanged since the last build
        index, recent, density = result
        self.index = index
        self.indexLoaded.emit(index, recent, density)
        if index.tree is None and len(index):
            self.workers.start(tree_job(index), name="building the mood index's tree",
                               on_error=lambda exc: self._report(exc, "building the mood index"))

    def _finished(self, kind: str) -> None:
        self._running.pop(kind, None)
        if kind == "library" and self._index_after_library:
            self._index_after_library = False
            if not self.failed:   # the same database: the window says once why it cannot be used
                self.reload_index()
        if kind in self._dirty:
            self._dirty.discard(kind)
            (self.reload_library if kind == "library" else self.reload_index)()

    # -- scans and analysis -------------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        return "scan" in self._running or "analysis" in self._running

    def add_folder(self, folder: str | Path) -> None:
        folder = Path(folder)
        if not folder.is_dir():
            self.message.emit(f"{folder}: not a folder")
            return
        self._folders.append(folder)
        self._next_job()

    def analyse(self) -> None:
        """Analyse whatever is pending (new tracks, or tracks of an older model)."""
        if "analysis" not in self._running and "scan" not in self._running:
            self._start_analysis()

    def _next_job(self) -> None:
        if self.busy:
            return
        if self._folders:
            folder = self._folders.popleft()
            self.busyChanged.emit(f"Scanning {folder.name}", 0, 0)
            self._start("scan", scan_job(self.db, folder), name=f"scanning {folder}",
                        on_result=self._scan_done, on_error=lambda exc, f=folder: self._report(exc, f"scanning {f}"),
                        on_progress=lambda d, t, f=folder: self._progress(f"Scanning {f.name}", d, t),
                        on_finished=lambda: self._job_finished("scan"))

    def _start_analysis(self) -> None:
        self.busyChanged.emit("Analysing moods", 0, 0)
        self._start("analysis", analysis_job(self.db, self.analysis_workers or None), name="mood analysis", on_result=self._analysis_done,
                    on_error=lambda exc: self._report(exc, "analysing moods"),
                    on_progress=lambda d, t: self._progress("Analysing moods", d, t),
                    on_finished=lambda: self._job_finished("analysis"))

    def _progress(self, what: str, done: int, total: int) -> None:
        self.busyChanged.emit(what, done, total)
        if done and not self._refresh.isActive():
            self._refresh.start(max(MIN_REFRESH_MS, int(self._load_s * 3000)))

    def _refresh_now(self) -> None:
        self.reload()

    def _scan_done(self, report: Any) -> None:
        n_err = len(report.errors)
        self.message.emit(f"{report.root}: {report.found} files, {report.new} new, {report.updated} changed, "
                          f"{report.missing} gone" + (f"; {n_err} cannot be played" if n_err else ""))
        self.scanFinished.emit(report)

    def _analysis_done(self, report: Any) -> None:
        if report.total:
            self.message.emit(f"Analysed {report.done} tracks in {report.seconds:.0f} s"
                              + (f"; {report.failed} could not be analysed" if report.failed else ""))

    def _report(self, exc: Exception, doing: str) -> None:
        """A failed task: a short line and its details for the window (the task logged it already)."""
        p = describe(exc, doing, current_log_file())
        self.problem.emit(p.short, p.details)

    def _job_finished(self, kind: str) -> None:
        self._running.pop(kind, None)
        self._refresh.stop()
        self.reload()
        if kind == "scan" and self.analyse_after_scan and not self._folders:
            self._start_analysis()
            return
        self._next_job()
        if not self.busy:
            self.busyChanged.emit("", 0, 0)

    def cancel(self) -> None:
        self._folders.clear()
        for task in self._running.values():
            task.cancel()


def _out_of_date(data: Any) -> bool:
    """True for the view kept at the last close when the library has changed since."""
    from moodplayer.ui.library_snapshot import OUT_OF_DATE

    return getattr(data, "source", None) == OUT_OF_DATE


def _index_with_density(db: Path, previous: Any, data: Any, out_of_date: bool) -> Any:
    """The index job plus, for a large library, the pad's density image (made off the GUI thread)."""
    inner = load_index_job(db, previous, data, out_of_date)

    def job(task: Task) -> Any:
        result = inner(task)
        if result is None:
            return None
        index, recent = result
        density = None
        from moodplayer.ui.pad_render import (
            CRISP_MAX,
            DENSITY_SIZE,
            density_rgba,
            mood_rgb,
        )

        if len(index) > CRISP_MAX:
            rgba = density_rgba(index.position, mood_rgb(index.position))
            density = QImage(rgba.data, DENSITY_SIZE, DENSITY_SIZE, DENSITY_SIZE * 4,
                             QImage.Format.Format_ARGB32_Premultiplied).copy()
        return index, recent, density
    return job
