"""What the engine writes back to the library: plays (for "skip recently played") and file errors.

Runs on the engine's event thread with a short-lived connection per write, so the audio threads never
touch SQLite and a busy database (the scanner writing) only delays bookkeeping, never sound.
"""
from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Callable

from moodplayer.library.store import path_param, safe_text
from moodplayer.playback.item import QueueItem


class PlayHistory:
    def __init__(self, db_path: str | Path, on_error: Callable[[str], None]) -> None:
        self.db_path, self.on_error = Path(db_path), on_error
        self._open_plays: dict[int, int] = {}      # queue index -> plays.id while it plays

    def started(self, qindex: int, item: QueueItem) -> None:
        if item.track_id is not None:
            rowid = self._write("INSERT INTO plays (track_id, at, completed) VALUES (?, ?, 0)",
                                (item.track_id, time.time()))
            if rowid:
                self._open_plays[qindex] = rowid

    def completed(self, qindex: int) -> None:
        rowid = self._open_plays.pop(qindex, None)
        if rowid:
            self._write("UPDATE plays SET completed = 1 WHERE id = ?", (rowid,))

    def failed(self, item: QueueItem, message: str) -> None:
        if item.track_id is not None:
            self._write("UPDATE tracks SET error = ? WHERE id = ?", (safe_text(message), item.track_id))
        else:   # the path as stored: its real bytes (file names need not be UTF-8)
            self._write("UPDATE tracks SET error = ? WHERE path = CAST(? AS TEXT)",
                        (safe_text(message), path_param(item.path)))

    def _write(self, sql: str, params: tuple) -> int | None:
        try:
            conn = sqlite3.connect(str(self.db_path), timeout=10.0)
            try:
                with conn:
                    return conn.execute(sql, params).lastrowid
            finally:
                conn.close()
        except sqlite3.Error as exc:
            self.on_error(f"library database {self.db_path}: {exc}")
            return None
