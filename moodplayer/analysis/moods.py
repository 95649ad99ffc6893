"""Named moods from (valence, arousal): a soft assignment of each window to the five moods.

The moods, their centroids and the blending width live in ``moodplayer.mood_geometry`` (Excited,
Tense, Sad, Serene — the four quadrants — and Neutral in the middle). A track's distribution is the
mean of its windows' shares, so a track that moves from calm to energetic shows both.
"""
from __future__ import annotations

import numpy as np

from moodplayer.mood_geometry import MOODS, closeness_array

__all__ = ["MOODS", "window_moods", "mood_distribution"]


def window_moods(va: np.ndarray) -> np.ndarray:
    """[K,2] (valence, arousal) points -> [K,5] soft mood weights (rows sum to 1, columns in MOODS order)."""
    return closeness_array(va)


def mood_distribution(va: np.ndarray) -> dict[str, float]:
    """The track's mood distribution: window weights averaged over windows, as {mood: share}."""
    va = np.asarray(va, dtype=np.float64)
    if va.size == 0:
        return {m: 0.0 for m in MOODS}
    mean = window_moods(va).mean(axis=0)
    return {m: float(round(p, 4)) for m, p in zip(MOODS, mean)}
