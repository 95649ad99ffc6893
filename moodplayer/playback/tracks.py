"""Track ids -> playable QueueItems, from the core: the mood index in memory, else the library database.

Why not from the table the window shows: the table and the mood index load in different workers, so
a queue built from the index could be on screen while the table is still empty, and nothing played.
Every id that cannot be played comes back as an ``Unplayable`` with the reason, so a caller can say so
instead of dropping it.
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from moodplayer.playback.item import QueueItem

if TYPE_CHECKING:
    from moodplayer.recommend.index import MoodIndex

LOOKUP_BUSY_MS = 2000    # a lookup may run on the GUI thread: never wait long for a locked database
_SQL = "SELECT id, path, title, artist, album, duration, rg_track_gain, rg_track_peak, available FROM tracks"

NOT_IN_LIBRARY = "not in the library any more"
FILE_MISSING = "file not found (moved or deleted?)"


@dataclass(frozen=True)
class Unplayable:
    track_id: int
    reason: str
    path: str | None = None

    def __str__(self) -> str:
        return f"{self.path or f'track {self.track_id}'}: {self.reason}"


def item_from_index(index: "MoodIndex", row: int) -> QueueItem:
    """The engine's item for row ``row`` of the mood index (no database read)."""
    def col(values: list, default: object = None) -> object:
        return values[row] if row < len(values) else default

    return QueueItem(path=index.paths[row], track_id=int(index.ids[row]), title=index.titles[row],
                     artist=index.artists[row], duration=index.durations[row], rg_gain_db=col(index.rg_gains),
                     rg_peak=col(index.rg_peaks), album=col(index.albums))


class TrackCatalog:
    """Resolves track ids for playback: the index first (analysed, available tracks), then the db."""

    def __init__(self, db: str | Path | None, index: "MoodIndex | None" = None) -> None:
        self.db = Path(db) if db is not None else None
        self.index = index

    def set_index(self, index: "MoodIndex | None") -> None:
        self.index = index

    def resolve(self, track_ids: Iterable[int]) -> tuple[list[QueueItem], list[Unplayable]]:
        """Items in the given order, and the ids that cannot be played with the reason."""
        ids = [int(t) for t in track_ids]
        found: dict[int, QueueItem] = {}
        bad: dict[int, Unplayable] = {}
        index = self.index
        rest = []
        for t in ids:
            row = index.row_of.get(t) if index is not None else None
            if row is not None:
                found[t] = item_from_index(index, row)
            else:
                rest.append(t)
        if rest:
            got, failed = self._from_db(rest)
            found.update(got)
            bad.update(failed)
        items = [found[t] for t in ids if t in found]
        return items, [bad[t] for t in ids if t in bad]

    def item(self, track_id: int) -> QueueItem | Unplayable:
        items, bad = self.resolve([track_id])
        return items[0] if items else bad[0]

    def _from_db(self, ids: list[int]) -> tuple[dict[int, QueueItem], dict[int, Unplayable]]:
        if self.db is None:
            return {}, {t: Unplayable(t, NOT_IN_LIBRARY) for t in ids}
        found: dict[int, QueueItem] = {}
        bad: dict[int, Unplayable] = {}
        try:
            conn = self._connect()
        except Exception as exc:   # LibraryError: the message names the file and the reason
            return {}, {t: Unplayable(t, f"the library cannot be read ({exc})") for t in ids}
        try:
            for start in range(0, len(ids), 500):   # stay under SQLite's bound-parameter limit
                chunk = ids[start:start + 500]
                rows = conn.execute(f"{_SQL} WHERE id IN ({','.join('?' * len(chunk))})", chunk).fetchall()
                for r in rows:
                    if r["available"]:
                        found[int(r["id"])] = QueueItem.from_row(r)
                    else:
                        bad[int(r["id"])] = Unplayable(int(r["id"]), FILE_MISSING, str(r["path"]))
        except sqlite3.Error as exc:
            return {}, {t: Unplayable(t, f"the library cannot be read ({exc})") for t in ids}
        finally:
            conn.close()
        for t in ids:
            if t not in found and t not in bad:
                bad[t] = Unplayable(t, NOT_IN_LIBRARY)
        return found, bad

    def find_path(self, path: str | Path) -> int | None:
        """The track id of a file in the library (MPRIS OpenUri), or None."""
        p = str(path)
        index = self.index
        if index is not None:
            for i, q in enumerate(index.paths):
                if q == p:
                    return int(index.ids[i])
        if self.db is None:
            return None
        from moodplayer.library.store import path_param

        try:
            conn = self._connect()
        except Exception:
            return None
        try:
            row = conn.execute("SELECT id FROM tracks WHERE path = CAST(? AS TEXT)", (path_param(p),)).fetchone()
        except sqlite3.Error:
            return None
        finally:
            conn.close()
        return int(row[0]) if row is not None else None

    def _connect(self) -> sqlite3.Connection:
        from moodplayer.library.store import connect

        conn = connect(self.db)
        conn.execute(f"PRAGMA busy_timeout = {LOOKUP_BUSY_MS}")
        return conn
