"""Likes and skips: remembered per track with the mood point of the moment, applied as a moved position.

A skip says "not this track *here*": the track's effective position moves away from the point where it
was skipped, so it stops coming up in that region but still plays elsewhere. A like pulls the effective
position toward the point where it was liked. The KNN index is built on the effective positions, so the
ordering needs no extra per-query work.
"""
from __future__ import annotations

import sqlite3
from typing import Iterable

import numpy as np

from moodplayer.library.store import now

LIKE_PULL = 0.5     # fraction of the way toward the like point per like
SKIP_PUSH = 0.15    # distance moved away from the skip point per skip (0..1 scale)


def record_feedback(conn: sqlite3.Connection, track_id: int, kind: str, valence: float | None,
                    arousal: float | None) -> None:
    """Store one like/skip with the mood point that was active (the pad or the face) at the time."""
    if kind not in ("like", "skip"):
        raise ValueError(f"feedback kind must be 'like' or 'skip', not {kind!r}")
    with conn:
        conn.execute("INSERT INTO feedback (track_id, kind, valence, arousal, at) VALUES (?, ?, ?, ?, ?)",
                     (int(track_id), kind, valence, arousal, now()))


def load_feedback(conn: sqlite3.Connection) -> list[tuple[int, str, float, float]]:
    """All feedback with a mood point, oldest first: (track_id, kind, valence, arousal)."""
    rows = conn.execute("SELECT track_id, kind, valence, arousal FROM feedback "
                        "WHERE valence IS NOT NULL AND arousal IS NOT NULL ORDER BY at, id").fetchall()
    return [(int(r[0]), str(r[1]), float(r[2]), float(r[3])) for r in rows]


def move_point(position: np.ndarray, kind: str, point: np.ndarray) -> np.ndarray:
    """Where one like/skip at ``point`` puts a track that sat at ``position``."""
    if kind == "like":
        moved = position + LIKE_PULL * (point - position)
    else:
        away = position - point
        norm = float(np.hypot(*away))
        if norm < 1e-9:  # skipped exactly at its own spot: push toward the far side of the plane
            away, norm = position - 0.5, float(np.hypot(*(position - 0.5)))
            if norm < 1e-9:
                away, norm = np.array([1.0, 0.0]), 1.0
        moved = position + SKIP_PUSH * away / norm
    return np.clip(moved, 0.0, 1.0)


def effective_positions(ids: np.ndarray, base: np.ndarray,
                        feedback: Iterable[tuple[int, str, float, float]]) -> tuple[np.ndarray, dict[int, str]]:
    """Apply feedback in time order; returns the moved positions and, per moved row, 'likes'/'skips'."""
    out = base.copy()
    row_of = {int(t): i for i, t in enumerate(ids)}
    reasons: dict[int, set[str]] = {}
    for track_id, kind, v, a in feedback:
        i = row_of.get(track_id)
        if i is None:
            continue
        out[i] = move_point(out[i], kind, np.array([v, a]))
        reasons.setdefault(i, set()).add(kind + "s")
    return out, {i: " and ".join(sorted(r)) for i, r in reasons.items()}
