"""Background analysis of the library: every track without a current analysis gets one.

Work is spread over worker *processes* (decoding, spectrograms and the model are CPU-bound and the
GIL would serve one core), each with its own onnxruntime session created once. Results are
committed as each small chunk finishes, so tracks appear as they are done and a ``kill -9`` loses
only the chunks in flight: the next run asks the database what is still missing and goes on.

What goes wrong is kept where it belongs. A model that cannot be loaded (or answers nonsense) is one
ModelError for the run, found by each worker before its first track, and nothing is written per
track. A file that cannot be reached now (folder unmounted, file replaced mid-run) is reported for
the run but not stored, so it is simply tried again next time. Only a file that is there and still
fails is stored, in ``analysis.error`` (never ``tracks.error``, the scan's verdict on the file); it is
tried again when the model version changes or the scan reads the file again.
"""
from __future__ import annotations

import json
import logging
import os
import sqlite3
import time
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any, Callable

from moodplayer.library.store import connect, library_error, now, safe_text
from moodplayer.workerproc import pool_death, pool_processes, worker_setup

log = logging.getLogger(__name__)

CHUNK = 2            # tracks per worker task: small, so results stream back as they finish
AHEAD = 3            # chunks queued per worker beyond the one it is running
DEFAULT_NICE = 10    # background priority, so playback and the GUI keep their share of the CPU

Progress = Callable[[int, int], None]
OnResult = Callable[[int, dict[str, Any]], None]


class AnalysisError(RuntimeError):
    """The analysis run could not go on (a worker process died); finished tracks are kept."""


@dataclass
class AnalysisReport:
    total: int = 0
    done: int = 0
    failed: int = 0
    unreachable: int = 0   # failed because the file could not be reached: not stored, tried next run
    seconds: float = 0.0
    cancelled: bool = False
    provider: str = ""
    model_version: str = ""
    errors: list[tuple[str, str]] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.done / self.seconds if self.seconds else 0.0


def current_model_version(models: str | Path | None = None) -> str:
    """The model files' hash (without loading the model): analyses of any other version are redone."""
    from moodplayer.analysis.mood_model import model_version

    return model_version(models)


def pending_tracks(conn: sqlite3.Connection, model_version: str) -> list[tuple[int, str]]:
    """Playable tracks with no analysis, or one from another model version, oldest first."""
    return [
        (r[0], r[1])
        for r in conn.execute(
            """SELECT t.id, t.path FROM tracks t LEFT JOIN analysis a ON a.track_id = t.id
               WHERE t.available = 1 AND t.error IS NULL
                 AND (a.track_id IS NULL OR a.model_version != ?)
               ORDER BY t.id""",
            (model_version,),
        )
    ]


# --- worker process ------------------------------------------------------------------------------

_model = None
_model_error: Exception | None = None


def _init_worker(models: str | None, nice: int, threads: int, parent_pid: int | None = None) -> None:
    """Load and try the model once. A failure is kept and raised by every task, so it travels back
    to the parent as the reason (an initializer that raises only gives "BrokenProcessPool")."""
    global _model, _model_error
    worker_setup(parent_pid if parent_pid is not None else os.getppid())
    if nice:
        try:
            os.nice(nice)
        except OSError:
            pass
    try:
        _model = _load_checked(models, threads)
    except Exception as exc:  # noqa: BLE001 - whatever onnxruntime raises becomes the run's one error
        from moodplayer.analysis.music_model import ModelError

        _model_error = exc if isinstance(exc, ModelError) else ModelError(f"{type(exc).__name__}: {exc}")


def _load_checked(models: str | None, threads: int) -> Any:
    """The music mood model; it proves itself on a silent window when loaded, so a wrong .onnx that
    loads fails here, once, not on every track."""
    from moodplayer.analysis.mood_model import MoodModel

    return MoodModel(models, threads=threads)


def _ready() -> Any:
    if _model_error is not None:
        raise _model_error
    return _model


def _provider() -> str:
    model = _ready()
    return model.provider if model else ""


def _analyze_chunk(items: list[tuple[int, str]], n_windows: int) -> list[tuple[int, dict[str, Any]]]:
    from moodplayer.analysis.analyze import analyze_file
    from moodplayer.library.walk import regular_file

    model = _ready()
    out = []
    for tid, path in items:
        before = regular_file(path)
        if before is None:
            what = "not a regular file" if os.path.lexists(path) else "file not found (folder unmounted, moved?)"
            out.append((tid, {"path": path, "error": f"{path}: {what}", "unreachable": True}))
            continue
        r = analyze_file(path, model, n_windows)
        if "error" in r:
            after = regular_file(path)
            if after is None or (after.st_size, after.st_mtime_ns) != (before.st_size, before.st_mtime_ns):
                r["unreachable"] = True   # gone or rewritten while we read it: not the file's fault
        out.append((tid, r))
    return out


# --- coordinator -----------------------------------------------------------------------------------

def _store(conn: sqlite3.Connection, results: list[tuple[int, dict[str, Any]]], version: str) -> int:
    """Write one chunk's results in one transaction; return how many failed."""
    failed = 0
    ts = now()
    with conn:
        for tid, r in results:
            if "error" in r:
                failed += 1
                if not r.get("unreachable"):
                    conn.execute(
                        "INSERT OR REPLACE INTO analysis (track_id, model_version, error, analysed_at) "
                        "VALUES (?,?,?,?)", (tid, version, safe_text(r["error"]), ts))
                continue
            windows = [[w["start"], w["valence"], w["arousal"]] for w in r["windows"]]
            conn.execute(
                """INSERT OR REPLACE INTO analysis
                   (track_id, model_version, valence, arousal, windows, moods, error, analysed_at)
                   VALUES (?,?,?,?,?,?,NULL,?)""",
                (tid, version, r["valence"], r["arousal"], json.dumps(windows), json.dumps(r["moods"]), ts))
    return failed


def _collect(conn: sqlite3.Connection, fut: Future, version: str, report: AnalysisReport,
             on_result: OnResult | None) -> None:
    results = fut.result()
    report.failed += _store(conn, results, version)
    report.done += len(results)
    for tid, r in results:
        if "error" in r:
            report.errors.append((r["path"], r["error"]))
            report.unreachable += bool(r.get("unreachable"))
        if on_result:
            on_result(tid, r)


def check_model_files(models: str | Path | None = None) -> str:
    """The current model version, after the cheap check that needs no onnxruntime (every model file
    present and readable); raises ModelError naming the file."""
    return current_model_version(models)  # reads every model file: a missing one raises here


def analyze_library(
    db: str | Path,
    *,
    workers: int | None = None,
    nice: int = DEFAULT_NICE,
    models: str | Path | None = None,
    n_windows: int = 8,
    progress: Progress | None = None,
    on_result: OnResult | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> AnalysisReport:
    """Analyse every pending track of the library at ``db``; safe to interrupt and run again.

    Raises ModelError (the model cannot be used: nothing is written), LibraryError (the database
    cannot be used) or AnalysisError (a worker process died); finished tracks are always kept.
    """
    t0 = time.perf_counter()
    conn = connect(db)
    try:
        todo = pending_tracks(conn, current_model_version(models))
        report = AnalysisReport(total=len(todo))
        if progress:
            progress(0, report.total)
        if todo:
            report.model_version = check_model_files(models)
            _run_pool(conn, todo, report, workers, nice, models, n_windows, progress, on_result, should_stop)
    except sqlite3.Error as exc:
        raise library_error(db, exc) from exc
    finally:
        conn.close()
    report.seconds = time.perf_counter() - t0
    return report


def _run_pool(conn: sqlite3.Connection, todo: list[tuple[int, str]], report: AnalysisReport,
              workers: int | None, nice: int, models: str | Path | None, n_windows: int,
              progress: Progress | None, on_result: OnResult | None,
              should_stop: Callable[[], bool] | None) -> None:
    version = report.model_version
    n = max(1, min(workers or os.cpu_count() or 1, (len(todo) + CHUNK - 1) // CHUNK))
    chunks = [todo[i:i + CHUNK] for i in range(0, len(todo), CHUNK)]
    models_arg = str(models) if models else None
    # spawn: the GUI runs this from a thread of a multi-threaded Qt process, where fork is unsafe
    pool = ProcessPoolExecutor(n, mp_context=get_context("spawn"), initializer=_init_worker,
                               initargs=(models_arg, nice, 1, os.getpid()))
    broken: list | None = None
    try:
        report.provider = pool.submit(_provider).result()   # raises the worker's ModelError
        log.info("analysing %d tracks with %d workers on %s", len(todo), n, report.provider)
        queue = iter(chunks)
        running: set[Future] = set()

        def refill() -> None:
            while len(running) < n * (1 + AHEAD):
                chunk = next(queue, None)
                if chunk is None:
                    return
                running.add(pool.submit(_analyze_chunk, chunk, n_windows))

        refill()
        while running:
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for fut in finished:
                running.discard(fut)
                _collect(conn, fut, version, report, on_result)
            if progress:
                progress(report.done, report.total)
            if should_stop and should_stop():
                report.cancelled = True
                for fut in running:
                    fut.cancel()
                # chunks already running finish and are kept: finished work is never thrown away
                for fut in [f for f in running if not f.cancelled()]:
                    _collect(conn, fut, version, report, on_result)
                break
            refill()
    except BrokenProcessPool:
        broken = pool_processes(pool)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    if broken is not None:
        if should_stop and should_stop():
            report.cancelled = True   # stopped by a signal that reached the workers too
            return
        raise AnalysisError(f"an analysis worker process stopped unexpectedly ({pool_death(broken)}); "
                            f"{report.done - report.failed} analysed tracks are kept, run again to continue")
