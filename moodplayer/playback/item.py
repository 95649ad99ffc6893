"""What the engine plays: a file plus what it needs to know about it (ReplayGain, ids for the db)."""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

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
    def from_row(cls, row: dict | sqlite3.Row) -> "QueueItem":
        """From a tracks-table row (``store.export_tracks`` dicts or a ``SELECT * FROM tracks`` row)."""
        r = dict(row)
        return cls(path=str(r["path"]), track_id=r.get("id"), title=r.get("title"), artist=r.get("artist"),
                   duration=r.get("duration"), rg_gain_db=r.get("rg_track_gain"), rg_peak=r.get("rg_track_peak"),
                   album=r.get("album"))

    @classmethod
    def many_from_db(cls, conn: sqlite3.Connection, track_ids: list[int]) -> list["QueueItem"]:
        """Items for track ids in one query, in the given order (ids no longer in the library dropped)."""
        ids = [int(t) for t in track_ids]
        rows: dict[int, QueueItem] = {}
        for start in range(0, len(ids), 500):   # stay under SQLite's bound-parameter limit
            chunk = ids[start:start + 500]
            marks = ",".join("?" * len(chunk))
            for r in conn.execute(f"SELECT * FROM tracks WHERE id IN ({marks})", chunk):
                rows[int(r["id"])] = cls.from_row(r)
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
        return cls(path=str(p), title=t.title or p.stem, artist=t.artist, duration=t.duration,
                   rg_gain_db=t.rg_track_gain, rg_peak=t.rg_track_peak, album=t.album)
