"""Background analysis of the library: every track without a current analysis gets one.

Work is spread over worker *processes* (decoding, spectrograms and the model are CPU-bound and the
GIL would serve one core), each with its own onnxruntime session created once. Results are
committed as each small chunk finishes, so tracks appear as they are done and a ``kill -9`` loses
only the chunks in flight: the next run asks the database what is still missing and goes on.
"""
from __future__ import annotations

import json
import logging
import os
import sqlite3
import time
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any, Callable

from moodplayer.library.store import connect, now

log = logging.getLogger(__name__)

CHUNK = 2            # tracks per worker task: small, so results stream back as they finish
AHEAD = 3            # chunks queued per worker beyond the one it is running
DEFAULT_NICE = 10    # background priority, so playback and the GUI keep their share of the CPU

Progress = Callable[[int, int], None]
OnResult = Callable[[int, dict[str, Any]], None]


@dataclass
class AnalysisReport:
    total: int = 0
    done: int = 0
    failed: int = 0
    seconds: float = 0.0
    cancelled: bool = False
    provider: str = ""
    model_version: str = ""
    errors: list[tuple[str, str]] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.done / self.seconds if self.seconds else 0.0


def current_model_version(models: str | Path | None = None) -> str:
    """The version in the shipped model card (without loading the model)."""
    from moodplayer.analysis.music_model import read_card

    return read_card(models)["version"]


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


def _init_worker(models: str | None, nice: int, threads: int) -> None:
    global _model
    if nice:
        try:
            os.nice(nice)
        except OSError:
            pass
    from moodplayer.analysis.music_model import MusicModel

    _model = MusicModel(models, threads=threads)


def _provider() -> str:
    return _model.provider if _model else ""


def _analyze_chunk(items: list[tuple[int, str]], n_windows: int) -> list[tuple[int, dict[str, Any]]]:
    from moodplayer.analysis.analyze import analyze_file

    return [(tid, analyze_file(path, _model, n_windows)) for tid, path in items]


# --- coordinator -----------------------------------------------------------------------------------

def _store(conn: sqlite3.Connection, results: list[tuple[int, dict[str, Any]]], version: str) -> int:
    """Write one chunk's results in one transaction; return how many failed."""
    failed = 0
    ts = now()
    with conn:
        for tid, r in results:
            if "error" in r:
                failed += 1
                conn.execute(
                    "INSERT OR REPLACE INTO analysis (track_id, model_version, error, analysed_at) VALUES (?,?,?,?)",
                    (tid, version, r["error"], ts))
                conn.execute("UPDATE tracks SET error = ? WHERE id = ? AND error IS NULL", (r["error"], tid))
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
        if on_result:
            on_result(tid, r)


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
    """Analyse every pending track of the library at ``db``; safe to interrupt and run again."""
    t0 = time.perf_counter()
    version = current_model_version(models)
    conn = connect(db)
    todo = pending_tracks(conn, version)
    report = AnalysisReport(total=len(todo), model_version=version)
    if progress:
        progress(0, report.total)
    if not todo:
        conn.close()
        return report
    n = max(1, min(workers or os.cpu_count() or 1, (len(todo) + CHUNK - 1) // CHUNK))
    chunks = [todo[i:i + CHUNK] for i in range(0, len(todo), CHUNK)]
    models_arg = str(models) if models else None
    # spawn: the GUI runs this from a thread of a multi-threaded Qt process, where fork is unsafe
    pool = ProcessPoolExecutor(n, mp_context=get_context("spawn"), initializer=_init_worker,
                               initargs=(models_arg, nice, 1))
    try:
        report.provider = pool.submit(_provider).result()
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
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        conn.close()
        report.seconds = time.perf_counter() - t0
    return report
