"""Mood paths (iso principle): meet the listener at their mood, then move step by step to a target.

Step i aims at the point i/(K-1) of the way from start to target and takes the nearest unused track
there that is no farther from the target than the previous pick, so the path never drifts backwards.
"""
from __future__ import annotations

from typing import Collection

import numpy as np

from moodplayer.recommend.index import MoodIndex
from moodplayer.recommend.queue import Pick, make_pick

_EPS = 1e-12


def _pick_near(index: MoodIndex, point: np.ndarray, target: np.ndarray, used: set[int],
               limit: float) -> tuple[int, float] | None:
    """Nearest unused row to ``point`` whose distance to ``target`` is at most ``limit``."""
    total, k = len(index), 16
    while True:
        dist, rows = index.nearest(float(point[0]), float(point[1]), k)
        for d, r in zip(dist.tolist(), rows.tolist()):
            if r in used:
                continue
            if float(np.hypot(*(index.position[r] - target))) <= limit + _EPS:
                return r, d
        if k >= total:
            return None
        k = min(total, k * 4)


def _walk(index: MoodIndex, start: np.ndarray, target: np.ndarray, steps: int, used: set[int],
          first: int | None = None, last: int | None = None) -> list[Pick]:
    picks: list[Pick] = []
    limit = float("inf")
    for i in range(steps):
        frac = i / (steps - 1) if steps > 1 else 1.0
        point = start + frac * (target - start)
        if i == 0 and first is not None:
            row, d = first, float(np.hypot(*(index.position[first] - point)))
        elif i == steps - 1 and last is not None:
            row, d = last, float(np.hypot(*(index.position[last] - point)))
        else:
            found = _pick_near(index, point, target, used | ({last} if last is not None else set()), limit)
            if found is None:
                continue
            row, d = found
        used.add(row)
        limit = float(np.hypot(*(index.position[row] - target)))
        picks.append(make_pick(index, row, d, step=(i + 1, steps)))
    return picks


def mood_path(index: MoodIndex, start: tuple[float, float], target: tuple[float, float], steps: int,
              *, exclude: Collection[int] = ()) -> list[Pick]:
    """K tracks leading from ``start`` to ``target`` (both (valence, arousal)); ``distance`` is to the
    step's own interpolated point."""
    if steps <= 0 or len(index) == 0:
        return []
    used = {index.row_of[t] for t in exclude if t in index.row_of}
    return _walk(index, np.asarray(start, float), np.asarray(target, float), steps, used)


def path_between(index: MoodIndex, from_track: int, to_track: int, steps: int) -> list[Pick]:
    """K tracks beginning with ``from_track`` and ending with ``to_track`` (track ids), moving between
    their (effective) moods."""
    try:
        a, b = index.row_of[int(from_track)], index.row_of[int(to_track)]
    except KeyError as exc:
        raise KeyError(f"track {exc.args[0]} is not in the mood index (not analysed or not available)") from None
    if steps < 2:
        raise ValueError("a path between two tracks needs at least 2 steps")
    return _walk(index, index.position[a].copy(), index.position[b].copy(), steps, {a}, first=a, last=b)
