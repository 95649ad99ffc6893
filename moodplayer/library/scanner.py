"""Incremental scan of a music folder into the library database.

Only new files, files whose size or mtime changed, and files that could not be read last time are
read; files that vanished are marked unavailable (their analysis kept); a new file whose content hash
matches a vanished track takes over that track's row, so a moved file keeps its analysis. Results
are committed in batches, so a ``kill -9`` loses at most the files of the batch in flight, which the
next run simply reads again. Rows are written with upserts, so two scans of one library at once (the
GUI's start-up rescan beside ``moodplayer index``) both finish.
"""
from __future__ import annotations

import functools
import itertools
import os
import sqlite3
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any, Callable, Iterator

from moodplayer.library.fields import SCHEMA, TrackSchema
from moodplayer.library.reader import blank_row, read_file
from moodplayer.library.store import database_file, library_error, now, path_param, safe_text
from moodplayer.library.walk import Found, regular_file, walk
from moodplayer.workerproc import pool_death, pool_processes, worker_setup

BATCH = 256          # files per transaction
CHUNK = 64           # files per worker task
INLINE_BELOW = 256   # smaller jobs are read in-process: starting workers would cost more

Progress = Callable[[int, int], None]


class ScanError(RuntimeError):
    """The scan could not go on (a reading worker died); what was stored so far is kept."""


@dataclass
class ScanReport:
    root: str
    found: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    rechecked: int = 0   # unchanged files read again because they could not be read last time
    moved: int = 0
    missing: int = 0
    merged: int = 0      # rows of a file stored twice (through a link) folded into one
    seconds: float = 0.0
    cancelled: bool = False
    errors: list[tuple[str, str]] = field(default_factory=list)  # (path, reason) under root

    @property
    def read(self) -> int:
        return self.new + self.updated + self.moved + self.rechecked


def _under(root: Path) -> tuple[bytes, bytes]:
    """A [lo, hi) range of paths covering everything below root (uses the path index)."""
    prefix = str(root).rstrip(os.sep) + os.sep
    return path_param(prefix), path_param(prefix[:-1] + chr(ord(os.sep) + 1))


# --- reading (in worker processes for large jobs) ----------------------------------------------

def _init_reader(parent_pid: int) -> None:
    worker_setup(parent_pid)   # also silences the decoders' own notes on broken files


def read_checked(items: list[tuple[str, int, int]], schema: TrackSchema = SCHEMA) -> list[dict[str, Any]]:
    """read_file for a chunk, but only for what is still a regular file: a file swapped for a FIFO
    or a device since the walk would block the reader in open() for good."""
    out = []
    for path, size, mtime in items:
        if regular_file(path) is not None:
            out.append(read_file(path, size, mtime, schema))
            continue
        row = blank_row(path, size, mtime, schema)
        row["error"] = ("not a regular file (a FIFO, device or socket)" if os.path.lexists(path)
                        else "cannot read file: it disappeared during the scan")
        out.append(row)
    return out


def _read_all(items: list[tuple[str, int, int]], workers: int,
              schema: TrackSchema = SCHEMA) -> Iterator[dict[str, Any]]:
    chunks = [items[i:i + CHUNK] for i in range(0, len(items), CHUNK)]
    if workers <= 1 or len(items) < INLINE_BELOW:
        for chunk in chunks:
            yield from read_checked(chunk, schema)
        return
    # spawn, not fork: the GUI calls this from a thread of a multi-threaded Qt process
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"),
                               initializer=_init_reader, initargs=(os.getpid(),))
    try:
        for rows in pool.map(read_checked, chunks, itertools.repeat(schema)):
            yield from rows
    except BrokenProcessPool:
        processes = pool_processes(pool)
        pool.shutdown(wait=True, cancel_futures=True)
        raise ScanError(f"a worker process reading files stopped unexpectedly ({pool_death(processes)}); "
                        "the files read so far are kept, run the scan again to continue") from None
    finally:
        pool.shutdown(wait=True, cancel_futures=True)   # a stopped scan leaves no queued chunks behind


# --- writing --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Writes:
    """The scanner's statements for one declaration: the columns a read file sets, by name."""

    cols: tuple[str, ...]
    upsert: str
    move: str


@functools.lru_cache(maxsize=4)
def _writes(schema: TrackSchema) -> _Writes:
    cols = ("size", "mtime_ns", "quick_hash", *schema.from_file, "error")
    upsert = (
        f"INSERT INTO tracks (path, {', '.join(cols)}, available, added_at, scanned_at) "
        f"VALUES (CAST(? AS TEXT), {', '.join('?' * len(cols))}, 1, ?, ?) "
        f"ON CONFLICT(path) DO UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in cols)}, "
        "available = 1, scanned_at = excluded.scanned_at"
    )
    move = (f"UPDATE OR IGNORE tracks SET path = CAST(? AS TEXT), {', '.join(f'{c} = ?' for c in cols)}, "
            "available = 1, scanned_at = ? WHERE id = ?")
    return _Writes(cols, upsert, move)


# before a re-read file is written: its analysis goes if the audio changed, a failed one always
_DROP_STALE_ANALYSIS = (
    "DELETE FROM analysis WHERE track_id = (SELECT id FROM tracks WHERE path = CAST(? AS TEXT)) "
    "AND (error IS NOT NULL OR (SELECT quick_hash FROM tracks WHERE path = CAST(? AS TEXT)) IS NOT ?)"
)


def scan(
    conn: sqlite3.Connection,
    root: str | Path,
    *,
    workers: int | None = None,
    progress: Progress | None = None,
    should_stop: Callable[[], bool] | None = None,
    schema: TrackSchema = SCHEMA,
) -> ScanReport:
    """Bring the index of ``root`` up to date; return what changed and which files cannot be read.

    Raises NotADirectoryError for a missing folder, LibraryError when the database cannot be written
    (disk full, read-only), ScanError when a reading worker dies.
    """
    t0 = time.perf_counter()
    root = Path(root).expanduser().resolve()
    if not root.is_dir():
        raise NotADirectoryError(f"{root}: not a folder")
    try:
        return _scan(conn, root, workers, progress, should_stop, t0, schema)
    except sqlite3.Error as exc:
        raise library_error(database_file(conn), exc) from exc


def _scan(conn: sqlite3.Connection, root: Path, workers: int | None, progress: Progress | None,
          should_stop: Callable[[], bool] | None, t0: float, schema: TrackSchema) -> ScanReport:
    report = ScanReport(root=str(root))
    found = walk(root)
    report.found = len(found)
    lo, hi = _under(root)
    known = {
        r["path"]: r
        for r in conn.execute(
            "SELECT id, path, size, mtime_ns, available, quick_hash, error FROM tracks "
            "WHERE path >= CAST(? AS TEXT) AND path < CAST(? AS TEXT)", (lo, hi))
    }

    to_read: list[tuple[str, int, int]] = []
    revived: list[tuple[int]] = []
    for path, f in found.items():
        row = known.get(path)
        if row is not None and row["size"] == f.size and row["mtime_ns"] == f.mtime_ns and row["error"] is None:
            report.unchanged += 1
            if not row["available"]:
                revived.append((row["id"],))
        else:
            to_read.append((path, f.size, f.mtime_ns))   # new, changed, or unreadable last time
    if revived:
        with conn:
            conn.executemany("UPDATE tracks SET available = 1 WHERE id = ?", revived)
            conn.executemany("DELETE FROM analysis WHERE track_id = ? AND error IS NOT NULL", revived)

    # rows whose path is gone; a path that still leads to a listed file is a second name for it
    vanished = {p: r for p, r in known.items() if p not in found}
    aliases = _aliases(vanished, found)
    for p in aliases:
        vanished.pop(p)
    # tracks that vanished from this folder, and unavailable ones anywhere, may reappear as moves
    by_hash: dict[str, list[sqlite3.Row]] = {}
    for r in vanished.values():
        by_hash.setdefault(r["quick_hash"], []).append(r)
    for r in conn.execute("SELECT id, path, quick_hash FROM tracks WHERE available = 0 AND quick_hash IS NOT NULL"):
        if r["path"] not in vanished and r["path"] not in aliases:
            by_hash.setdefault(r["quick_hash"], []).append(r)

    total = len(to_read)
    done = 0
    if progress:
        progress(0, total)
    pending: list[dict[str, Any]] = []
    n_workers = workers if workers is not None else (os.cpu_count() or 1)
    rows = _read_all(to_read, n_workers, schema)
    try:
        for row in rows:
            pending.append(row)
            done += 1
            if len(pending) >= BATCH:
                _write(conn, pending, known, by_hash, vanished, report, _writes(schema))
                pending.clear()
                if progress:
                    progress(done, total)
                if should_stop and should_stop():
                    report.cancelled = True
                    break
    finally:
        rows.close()   # a stopped scan shuts its workers down now, not when the generator is collected
    if pending:
        _write(conn, pending, known, by_hash, vanished, report, _writes(schema))
        if progress:
            progress(done, total)

    if not report.cancelled:
        if vanished:
            with conn:
                conn.executemany("UPDATE tracks SET available = 0 WHERE id = ?",
                                 [(r["id"],) for r in vanished.values()])
            report.missing = len(vanished)
        report.merged = _merge_aliases(conn, aliases)
    report.errors = [
        (r["path"], r["error"])
        for r in conn.execute(
            "SELECT path, error FROM tracks WHERE error IS NOT NULL AND available = 1 "
            "AND path >= CAST(? AS TEXT) AND path < CAST(? AS TEXT) ORDER BY path", (lo, hi))
    ]
    report.seconds = time.perf_counter() - t0
    return report


def _aliases(vanished: dict[str, sqlite3.Row], found: dict[str, Found]) -> dict[str, tuple[int, str]]:
    """Stored paths not listed by the walk that still lead to a listed file (a library scanned
    through a symlink loop by an older version): path -> (its row id, the listed path)."""
    if not vanished:
        return {}
    by_inode = {(f.dev, f.ino): p for p, f in found.items()}
    out = {}
    for path, r in vanished.items():
        st = regular_file(path)
        if st is not None and (st.st_dev, st.st_ino) in by_inode:
            out[path] = (r["id"], by_inode[(st.st_dev, st.st_ino)])
    return out


def _merge_aliases(conn: sqlite3.Connection, aliases: dict[str, tuple[int, str]]) -> int:
    """Fold each alias row into the row of the listed path, keeping its plays and feedback."""
    merged = 0
    with conn:
        for alias_id, listed in aliases.values():
            keep = conn.execute("SELECT id FROM tracks WHERE path = CAST(? AS TEXT)", (path_param(listed),)).fetchone()
            if keep is None or keep[0] == alias_id:
                continue
            for table in ("plays", "feedback"):
                conn.execute(f"UPDATE {table} SET track_id = ? WHERE track_id = ?", (keep[0], alias_id))
            conn.execute("DELETE FROM tracks WHERE id = ?", (alias_id,))
            merged += 1
    return merged


def _write(
    conn: sqlite3.Connection,
    rows: list[dict[str, Any]],
    known: dict[str, sqlite3.Row],
    by_hash: dict[str, list[sqlite3.Row]],
    vanished: dict[str, sqlite3.Row],
    report: ScanReport,
    writes: _Writes,
) -> None:
    """One transaction for a batch of read files."""
    ts = now()
    with conn:
        for row in rows:
            path = path_param(row["path"])
            values = [safe_text(row[c]) for c in writes.cols]
            old = known.get(row["path"])
            if old is None:
                candidates = by_hash.get(row["quick_hash"]) if row["quick_hash"] else None
                if candidates:
                    moved = candidates.pop()
                    vanished.pop(moved["path"], None)
                    if conn.execute(writes.move, (path, *values, ts, moved["id"])).rowcount:
                        conn.execute("DELETE FROM analysis WHERE track_id = ? AND error IS NOT NULL", (moved["id"],))
                        report.moved += 1
                        continue
                    # another scan stored this path meanwhile: fall through to the upsert
            conn.execute(_DROP_STALE_ANALYSIS, (path, path, row["quick_hash"]))
            conn.execute(writes.upsert, (path, *values, ts, ts))
            if old is None:
                report.new += 1
            elif (old["size"], old["mtime_ns"]) == (row["size"], row["mtime_ns"]):
                report.rechecked += 1
            else:
                report.updated += 1
