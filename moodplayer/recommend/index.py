"""The mood index: analysed, available tracks in a KD-tree, rebuilt only when the library changes.

scikit-learn's ``KDTree`` is the tree ``NearestNeighbors(algorithm="kd_tree")`` builds; querying it
directly skips ~0.5 ms of input validation per call, which matters when the queue follows a pad drag
at 60 fps (see ``moodplayer.recommend.bench``).
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import Iterable

import numpy as np
from sklearn.neighbors import KDTree

from moodplayer.library.fields import QUEUE_FIELDS, SCHEMA
from moodplayer.library.store import bulk_columns
from moodplayer.recommend.feedback import effective_positions, load_feedback

_TRACKS_SQL = f"""
    SELECT {SCHEMA.select(("valence", "arousal", *QUEUE_FIELDS))}
    FROM tracks t JOIN analysis a ON a.track_id = t.id
    WHERE t.available = 1 AND a.valence IS NOT NULL AND a.arousal IS NOT NULL
    ORDER BY t.id"""

# Cheap fingerprint of everything the index depends on: which tracks, their analysis, their tags, feedback.
_STAMP_SQL = """
    SELECT count(*), max(a.analysed_at), total(t.id), max(t.scanned_at),
           (SELECT count(*) FROM feedback), (SELECT max(id) FROM feedback)
    FROM tracks t JOIN analysis a ON a.track_id = t.id
    WHERE t.available = 1 AND a.valence IS NOT NULL AND a.arousal IS NOT NULL"""


def library_stamp(conn: sqlite3.Connection) -> tuple:
    """Changes whenever a track is added, removed, re-analysed, re-scanned, or gets feedback."""
    return tuple(conn.execute(_STAMP_SQL).fetchone())


@dataclass
class MoodIndex:
    """Tracks as rows: ids, metadata, mood (as analysed) and effective mood (after feedback).

    It carries what playing a track needs (path, tags, ReplayGain), so a queue built from it can be
    played without any other view of the library having loaded (``playback.tracks``).
    """

    ids: np.ndarray                       # int64 [n]
    paths: list[str]
    titles: list[str | None]
    artists: list[str | None]
    durations: list[float | None]
    mood: np.ndarray                      # float64 [n, 2] valence, arousal as analysed
    position: np.ndarray                  # float64 [n, 2] after likes/skips
    moved_by: dict[int, str] = field(default_factory=dict)   # row -> "likes"/"skips"/"likes and skips"
    albums: list[str | None] = field(default_factory=list)
    rg_gains: list[float | None] = field(default_factory=list)    # ReplayGain track gain (dB)
    rg_peaks: list[float | None] = field(default_factory=list)    # ReplayGain track peak (linear)
    stamp: tuple | None = None
    tree: KDTree | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.row_of = {int(t): i for i, t in enumerate(self.ids)}
        self._quick: tuple | None = None
        self._quick_conn: sqlite3.Connection | None = None  # data_version only compares within one connection
        self.tree = KDTree(self.position, leaf_size=40) if len(self.ids) else None

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def from_db(cls, conn: sqlite3.Connection) -> "MoodIndex":
        """Load every analysed, available track and the feedback; build the tree once."""
        stamp = library_stamp(conn)
        c = bulk_columns(conn, _TRACKS_SQL)
        ids = np.array(c["id"], dtype=np.int64)
        mood = np.array([c["valence"], c["arousal"]], dtype=np.float64).T.reshape(-1, 2)
        position, moved = effective_positions(ids, mood, load_feedback(conn))
        return cls(ids=ids, paths=c["path"], titles=c["title"], artists=c["artist"], durations=c["duration"],
                   mood=mood, position=position, moved_by=moved, stamp=stamp, albums=c["album"],
                   rg_gains=c["rg_track_gain"], rg_peaks=c["rg_track_peak"])

    def is_stale(self, conn: sqlite3.Connection) -> bool:
        """True when the library changed since this index was built.

        ``PRAGMA data_version`` (other connections' commits) plus ``total_changes`` (this connection's)
        answer "nothing happened" in microseconds, but only on the connection they were read from (a
        new connection starts from the same numbers), so any other connection runs the stamp query.
        """
        quick = (conn.execute("PRAGMA data_version").fetchone()[0], conn.total_changes)
        if conn is self._quick_conn and quick == self._quick:
            return False
        stale = library_stamp(conn) != self.stamp
        if not stale:
            self._quick, self._quick_conn = quick, conn
        return stale

    def refreshed(self, conn: sqlite3.Connection) -> "MoodIndex":
        """This index if the library is unchanged, else a freshly built one."""
        return MoodIndex.from_db(conn) if self.is_stale(conn) else self

    def exclusion_mask(self, track_ids: Iterable[int]) -> np.ndarray:
        """Boolean row mask of the given track ids (ids not in the index are ignored)."""
        mask = np.zeros(len(self.ids), dtype=bool)
        rows = [self.row_of[t] for t in map(int, track_ids) if t in self.row_of]
        mask[rows] = True
        return mask

    def nearest(self, valence: float, arousal: float, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Distances and row numbers of the k nearest effective positions, nearest first."""
        k = min(int(k), len(self.ids))
        if k <= 0 or self.tree is None:
            return np.empty(0), np.empty(0, dtype=np.int64)
        dist, rows = self.tree.query(np.array([[valence, arousal]], dtype=np.float64), k=k)
        return dist[0], rows[0]
