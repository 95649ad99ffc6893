"""The mood queue: the tracks nearest a point on the pad, spaced by artist, minus what just played.

Only the visible queue is ordered: the KD-tree returns a few times ``n`` candidates, never the whole
library, so a re-order costs well under a millisecond on 100,000 tracks.
"""
from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from typing import Any, Collection

import numpy as np

from moodplayer.recommend.index import MoodIndex
from moodplayer.recommend.regions import explain_pick

CANDIDATE_FACTOR = 4     # candidates fetched per wanted track: room for artist spacing and exclusions
RECENT_SECONDS = 3 * 3600


@dataclass
class Pick:
    track_id: int
    path: str
    title: str | None
    artist: str | None
    valence: float          # the track's analysed mood
    arousal: float
    distance: float         # from the target to the track's effective position (after feedback)
    moved_by: str | None = None             # "likes"/"skips" when feedback moved the track
    step: tuple[int, int] | None = None     # (i, K) on a mood path

    @property
    def why(self) -> str:
        """Built on demand: a drag re-orders the queue 60 times a second, tooltips are read rarely."""
        return explain_pick(self.distance, self.valence, self.arousal, moved_by=self.moved_by, step=self.step)

    def to_dict(self) -> dict[str, Any]:
        return {"track_id": self.track_id, "path": self.path, "title": self.title, "artist": self.artist,
                "valence": self.valence, "arousal": self.arousal, "distance": self.distance,
                "step": list(self.step) if self.step else None, "why": self.why}


def recently_played(conn: sqlite3.Connection, seconds: float = RECENT_SECONDS,
                    at: float | None = None) -> set[int]:
    """Track ids started within the last ``seconds`` (the plays table the engine writes)."""
    since = (time.time() if at is None else at) - seconds
    return {int(r[0]) for r in conn.execute("SELECT DISTINCT track_id FROM plays WHERE at >= ?", (since,))}


def make_pick(index: MoodIndex, row: int, distance: float, step: tuple[int, int] | None = None) -> Pick:
    mood = index.mood[row]
    return Pick(int(index.ids[row]), index.paths[row], index.titles[row], index.artists[row],
                float(mood[0]), float(mood[1]), float(distance), index.moved_by.get(row), step)


def space_artists(rows: list[int], artists: list[str | None], n: int, max_in_a_row: int) -> list[int]:
    """Greedy: take the best-ranked candidate that does not make a run of more than ``max_in_a_row``
    tracks by one artist; when no candidate fits, take the best one anyway (the queue never runs dry)."""
    if max_in_a_row <= 0:
        return rows[:n]
    remaining = list(rows)
    out: list[int] = []
    run_artist, run_len = None, 0
    while remaining and len(out) < n:
        chosen = 0
        if run_artist is not None and run_len >= max_in_a_row:
            chosen = next((j for j, r in enumerate(remaining) if artists[r] != run_artist), 0)
        r = remaining.pop(chosen)
        artist = artists[r]
        if artist is not None and artist == run_artist:
            run_len += 1
        else:
            run_artist, run_len = artist, 1 if artist is not None else 0
        out.append(r)
    return out


def build_queue(index: MoodIndex, valence: float, arousal: float, n: int = 20, *,
                max_per_artist: int = 2, jitter: float = 0.0, seed: int | None = None,
                exclude: Collection[int] | np.ndarray = ()) -> list[Pick]:
    """The ``n`` tracks for the mood point, nearest first.

    ``jitter`` adds up to that much (0..1 scale) seeded random distance per candidate, so the same
    spot yields a slightly different queue per seed. ``exclude`` holds track ids (recently played), or
    ``index.exclusion_mask(ids)`` computed once for a whole drag.
    """
    total = len(index)
    if total == 0 or n <= 0:
        return []
    mask = exclude if isinstance(exclude, np.ndarray) and exclude.dtype == bool else index.exclusion_mask(exclude)
    n_excluded = int(mask.sum())
    k = min(total, max(CANDIDATE_FACTOR * n, n + 16))
    while True:
        dist, rows = index.nearest(valence, arousal, k)
        if n_excluded:
            keep = ~mask[rows]
            dist, rows = dist[keep], rows[keep]
        if len(rows) >= min(CANDIDATE_FACTOR * n, total - n_excluded) or k >= total:
            break
        k = min(total, k * 4)
    score = dist
    if jitter > 0 and len(rows):
        score = dist + jitter * np.random.default_rng(seed).random(len(rows))
    order = np.argsort(score, kind="stable")
    ranked = rows[order].tolist()
    dist_of = dict(zip(rows.tolist(), dist.tolist()))
    chosen = space_artists(ranked, index.artists, n, max_per_artist)
    return [make_pick(index, r, dist_of[r]) for r in chosen]
