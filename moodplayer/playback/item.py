"""What the engine plays: a file plus what it needs to know about it (ReplayGain, ids for the db)."""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Mapping

from moodplayer.library.fields import QUEUE_FIELDS, SCHEMA

PREAMP_DB = 0.0


@dataclass(frozen=True)
class QueueItem:
    path: str
    track_id: int | None = None
    title: str | None = None
    artist: str | None = None
    duration: float | None = None
    rg_gain_db: float | None = None     # ReplayGain track gain
    rg_peak: float | None = None        # ReplayGain track peak (linear, 1.0 = full scale)
    album: str | None = None

    def gain(self, preamp_db: float = PREAMP_DB) -> float:
        """Linear factor: ReplayGain plus preamp, lowered so the tagged peak never clips."""
        if self.rg_gain_db is None:
            return 1.0
        factor = 10.0 ** ((self.rg_gain_db + preamp_db) / 20.0)
        if self.rg_peak and self.rg_peak > 0 and factor * self.rg_peak > 1.0:
            factor = 1.0 / self.rg_peak
        return factor

    @classmethod
    def from_row(cls, row: Mapping[str, Any] | sqlite3.Row) -> "QueueItem":
        """From a row holding the track fields ``QUEUE_FIELDS`` by name (a ``many_from_db`` row, a
        ``SELECT * FROM tracks`` row); fields the row lacks stay None."""
        r = dict(row)
        return cls(path=str(r["path"]), **{attr: r.get(name) for attr, name in _FIELD_OF.items() if attr != "path"})

    @classmethod
    def many_from_db(cls, conn: sqlite3.Connection, track_ids: list[int]) -> list["QueueItem"]:
        """Items for track ids in one query, in the given order (ids no longer in the library dropped)."""
        ids = [int(t) for t in track_ids]
        rows: dict[int, QueueItem] = {}
        for start in range(0, len(ids), 500):   # stay under SQLite's bound-parameter limit
            chunk = ids[start:start + 500]
            marks = ",".join("?" * len(chunk))
            cur = conn.execute(f"SELECT {_SELECT} FROM tracks t WHERE t.id IN ({marks})", chunk)
            names = [d[0] for d in cur.description]
            for values in cur:
                item = cls.from_row(dict(zip(names, values)))
                rows[int(item.track_id)] = item
        return [rows[t] for t in ids if t in rows]

    @classmethod
    def from_path(cls, path: str | Path) -> "QueueItem":
        """A bare file: tags and ReplayGain read with mutagen; unreadable tags just mean no gain."""
        from moodplayer.library.tags import TagError, read_tags

        p = Path(path)
        try:
            t = read_tags(p)
        except (TagError, OSError):
            return cls(path=str(p), title=p.stem)
        item = cls.from_row({"path": str(p), **vars(t)})
        return item if item.title else replace(item, title=p.stem)


# QueueItem attribute -> track field (fields.py): the queue's share of the one declaration
_FIELD_OF = {"path": "path", "track_id": "id", "title": "title", "artist": "artist", "album": "album",
             "duration": "duration", "rg_gain_db": "rg_track_gain", "rg_peak": "rg_track_peak"}
assert sorted(_FIELD_OF.values()) == sorted(QUEUE_FIELDS)
_SELECT = SCHEMA.select(QUEUE_FIELDS)
