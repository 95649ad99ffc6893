"""Incremental scan of a music folder into the library database.

Only new files and files whose size or mtime changed are read; files that vanished are marked
unavailable (their analysis kept); a new file whose content hash matches a vanished track takes
over that track's row, so a moved file keeps its analysis. Results are committed in batches, so a
``kill -9`` loses at most the files of the batch in flight, which the next run simply reads again.
"""
from __future__ import annotations

import os
import sqlite3
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any, Callable, Iterator

from moodplayer.library.formats import audio_format
from moodplayer.library.reader import TAG_COLUMNS, read_many
from moodplayer.library.store import now
from moodplayer.nativelog import silence_native_stderr

BATCH = 256          # files per transaction
CHUNK = 64           # files per worker task
INLINE_BELOW = 256   # smaller jobs are read in-process: starting workers would cost more

Progress = Callable[[int, int], None]


@dataclass
class ScanReport:
    root: str
    found: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    moved: int = 0
    missing: int = 0
    seconds: float = 0.0
    cancelled: bool = False
    errors: list[tuple[str, str]] = field(default_factory=list)  # (path, reason) under root

    @property
    def read(self) -> int:
        return self.new + self.updated + self.moved


def walk(root: Path) -> dict[str, tuple[int, int]]:
    """path -> (size, mtime_ns) of every music file below root; hidden folders are skipped."""
    found: dict[str, tuple[int, int]] = {}
    stack = [str(root)]
    while stack:
        top = stack.pop()
        try:
            entries = list(os.scandir(top))
        except OSError:
            continue  # unreadable folder: skip it, the rest of the library still scans
        for e in entries:
            if e.name.startswith("."):
                continue
            try:
                if e.is_dir(follow_symlinks=True):
                    stack.append(e.path)
                elif audio_format(e.name) and e.is_file(follow_symlinks=True):
                    st = e.stat(follow_symlinks=True)
                    found[e.path] = (st.st_size, st.st_mtime_ns)
            except OSError:
                continue
    return found


def _under(root: Path) -> tuple[str, str]:
    """A [lo, hi) range of path strings covering everything below root (uses the path index)."""
    prefix = str(root).rstrip(os.sep) + os.sep
    return prefix, prefix[:-1] + chr(ord(os.sep) + 1)


def _read_all(items: list[tuple[str, int, int]], workers: int) -> Iterator[dict[str, Any]]:
    chunks = [items[i:i + CHUNK] for i in range(0, len(items), CHUNK)]
    if workers <= 1 or len(items) < INLINE_BELOW:
        for chunk in chunks:
            yield from read_many(chunk)
        return
    # spawn, not fork: the GUI calls this from a thread of a multi-threaded Qt process
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"),
                             initializer=silence_native_stderr) as pool:
        for rows in pool.map(read_many, chunks):
            yield from rows


_INSERT_COLS = ("path", "size", "mtime_ns", "quick_hash", *TAG_COLUMNS, "error")
_INSERT = (
    f"INSERT INTO tracks ({', '.join(_INSERT_COLS)}, available, added_at, scanned_at) "
    f"VALUES ({', '.join('?' * len(_INSERT_COLS))}, 1, ?, ?)"
)
_UPDATE = (
    f"UPDATE tracks SET {', '.join(f'{c} = ?' for c in _INSERT_COLS)}, available = 1, scanned_at = ? "
    "WHERE id = ?"
)


def scan(
    conn: sqlite3.Connection,
    root: str | Path,
    *,
    workers: int | None = None,
    progress: Progress | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> ScanReport:
    """Bring the index of ``root`` up to date; return what changed and which files cannot be read."""
    t0 = time.perf_counter()
    root = Path(root).expanduser().resolve()
    if not root.is_dir():
        raise NotADirectoryError(f"{root}: not a folder")
    report = ScanReport(root=str(root))
    found = walk(root)
    report.found = len(found)
    lo, hi = _under(root)
    known = {
        r["path"]: r
        for r in conn.execute(
            "SELECT id, path, size, mtime_ns, available, quick_hash FROM tracks WHERE path >= ? AND path < ?",
            (lo, hi),
        )
    }

    to_read: list[tuple[str, int, int]] = []
    revived: list[tuple[int]] = []
    for path, (size, mtime) in found.items():
        row = known.get(path)
        if row is not None and row["size"] == size and row["mtime_ns"] == mtime:
            report.unchanged += 1
            if not row["available"]:
                revived.append((row["id"],))
        else:
            to_read.append((path, size, mtime))
    if revived:
        with conn:
            conn.executemany("UPDATE tracks SET available = 1 WHERE id = ?", revived)

    # tracks that vanished from this folder, and unavailable ones anywhere, may reappear as moves
    vanished = {p: r for p, r in known.items() if p not in found}
    by_hash: dict[str, list[sqlite3.Row]] = {}
    for r in vanished.values():
        by_hash.setdefault(r["quick_hash"], []).append(r)
    for r in conn.execute("SELECT id, path, quick_hash FROM tracks WHERE available = 0 AND quick_hash IS NOT NULL"):
        if r["path"] not in vanished:
            by_hash.setdefault(r["quick_hash"], []).append(r)

    total = len(to_read)
    done = 0
    if progress:
        progress(0, total)
    pending: list[dict[str, Any]] = []
    n_workers = workers if workers is not None else (os.cpu_count() or 1)
    for row in _read_all(to_read, n_workers):
        pending.append(row)
        done += 1
        if len(pending) >= BATCH:
            _write(conn, pending, known, by_hash, vanished, report)
            pending.clear()
            if progress:
                progress(done, total)
            if should_stop and should_stop():
                report.cancelled = True
                break
    if pending:
        _write(conn, pending, known, by_hash, vanished, report)
        if progress:
            progress(done, total)

    if not report.cancelled and vanished:
        with conn:
            conn.executemany(
                "UPDATE tracks SET available = 0 WHERE id = ?", [(r["id"],) for r in vanished.values()]
            )
        report.missing = len(vanished)
    report.errors = [
        (r["path"], r["error"])
        for r in conn.execute(
            "SELECT path, error FROM tracks WHERE error IS NOT NULL AND available = 1 "
            "AND path >= ? AND path < ? ORDER BY path",
            (lo, hi),
        )
    ]
    report.seconds = time.perf_counter() - t0
    return report


def _write(
    conn: sqlite3.Connection,
    rows: list[dict[str, Any]],
    known: dict[str, sqlite3.Row],
    by_hash: dict[str, list[sqlite3.Row]],
    vanished: dict[str, sqlite3.Row],
    report: ScanReport,
) -> None:
    """One transaction for a batch of read files."""
    ts = now()
    with conn:
        for row in rows:
            values = [row[c] for c in _INSERT_COLS]
            old = known.get(row["path"])
            if old is not None:
                conn.execute(_UPDATE, (*values, ts, old["id"]))
                if old["quick_hash"] != row["quick_hash"]:
                    conn.execute("DELETE FROM analysis WHERE track_id = ?", (old["id"],))  # new audio
                report.updated += 1
                continue
            candidates = by_hash.get(row["quick_hash"]) if row["quick_hash"] else None
            if candidates:
                moved = candidates.pop()
                vanished.pop(moved["path"], None)
                conn.execute(_UPDATE, (*values, ts, moved["id"]))
                report.moved += 1
                continue
            conn.execute(_INSERT, (*values, ts, ts))
            report.new += 1
