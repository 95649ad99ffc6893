"""The mood index: analysed, available tracks in a KD-tree, rebuilt only when the library changes.

scikit-learn's ``KDTree`` is the tree ``NearestNeighbors(algorithm="kd_tree")`` builds; querying it
directly skips ~0.5 ms of input validation per call, which matters when the queue follows a pad drag
at 60 fps (see ``moodplayer.recommend.bench``). Importing scikit-learn costs about 2 s of CPU on a
small machine, so the window builds the tree in a worker after the pad shows its dots
(``with_tree``); until then ``nearest`` gives the same answer by an exact scan (~1 ms at 100k).
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import Any, Iterable

import numpy as np

from moodplayer.library.fields import QUEUE_FIELDS, SCHEMA
from moodplayer.library.store import bulk_columns, revision
from moodplayer.recommend.feedback import effective_positions, load_feedback

_TRACKS_SQL = f"""
    SELECT {SCHEMA.select(("valence", "arousal", "available", *QUEUE_FIELDS))}
    FROM tracks t JOIN analysis a ON a.track_id = t.id
    WHERE t.available = 1 AND a.valence IS NOT NULL AND a.arousal IS NOT NULL
    ORDER BY t.id"""

def library_stamp(conn: sqlite3.Connection) -> tuple:
    """Changes whenever a track is added, removed, re-analysed, re-scanned, or gets feedback: the
    library's revision (``store.revision``), which triggers move on every such write."""
    return revision(conn)


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
    tree: Any = field(default=None, repr=False)   # sklearn.neighbors.KDTree once ``with_tree()`` ran

    def __post_init__(self) -> None:
        self.row_of = {int(t): i for i, t in enumerate(self.ids)}
        self._quick: tuple | None = None
        self._quick_conn: sqlite3.Connection | None = None  # data_version only compares within one connection

    def with_tree(self) -> "MoodIndex":
        """Build the KD-tree (imports scikit-learn) unless it is built; returns self."""
        if self.tree is None and len(self.ids):
            from sklearn.neighbors import KDTree

            self.tree = KDTree(self.position, leaf_size=40)
        return self

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def from_db(cls, conn: sqlite3.Connection, tree: bool = True) -> "MoodIndex":
        """Load every analysed, available track and the feedback; build the tree once (unless
        ``tree`` is False: ``with_tree()`` later)."""
        stamp = library_stamp(conn)
        index = cls.from_columns(bulk_columns(conn, _TRACKS_SQL), load_feedback(conn), stamp)
        return index.with_tree() if tree else index

    @classmethod
    def from_columns(cls, c: dict[str, list], feedback: Any, stamp: tuple | None) -> "MoodIndex":
        """The index of column lists holding at least ``_TRACKS_SQL``'s fields, any rows in any
        order (the library view's own load, so the window reads the tracks once): the analysed,
        available ones, by id. No tree yet."""
        v = np.array([np.nan if x is None else x for x in c["valence"]], dtype=np.float64)
        a = np.array([np.nan if x is None else x for x in c["arousal"]], dtype=np.float64)
        all_ids = np.array(c["id"], dtype=np.int64)
        keep = np.flatnonzero(~np.isnan(v) & ~np.isnan(a) & np.array(c["available"], dtype=bool))
        rows = keep[np.argsort(all_ids[keep], kind="stable")].tolist()

        def pick(name: str) -> list:
            values = c[name]
            return [values[r] for r in rows]

        ids = all_ids[rows]
        mood = np.stack([v[rows], a[rows]], axis=1).reshape(-1, 2)
        position, moved = effective_positions(ids, mood, feedback)
        return cls(ids=ids, paths=pick("path"), titles=pick("title"), artists=pick("artist"),
                   durations=pick("duration"), mood=mood, position=position, moved_by=moved, stamp=stamp,
                   albums=pick("album"), rg_gains=pick("rg_track_gain"), rg_peaks=pick("rg_track_peak"))

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
        if k <= 0:
            return np.empty(0), np.empty(0, dtype=np.int64)
        if self.tree is None:   # the tree is still being built: the same neighbours by an exact scan
            d = np.hypot(self.position[:, 0] - valence, self.position[:, 1] - arousal)
            rows = np.argpartition(d, k - 1)[:k] if k < len(d) else np.arange(len(d))
            rows = rows[np.argsort(d[rows], kind="stable")]
            return d[rows], rows
        dist, rows = self.tree.query(np.array([[valence, arousal]], dtype=np.float64), k=k)
        return dist[0], rows[0]
