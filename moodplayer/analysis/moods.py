"""Named moods from (valence, arousal): a soft assignment of each window to five mood centroids.

The five moods are those of the second seed project (Dark, Energetic, Happy, Relaxing, Sad). Their
centroids sit in the regions of Russell's circumplex where those words fall, on our 0..1 scale:

- Happy     (0.75, 0.65)  pleasant and lively: the "excited / delighted" quadrant
- Energetic (0.50, 0.85)  high arousal whatever the valence: "aroused / alert", top of the circle
- Relaxing  (0.65, 0.25)  pleasant and calm: "serene / relaxed"
- Sad       (0.25, 0.25)  unpleasant and calm: "sad / depressed / bored"
- Dark      (0.25, 0.70)  unpleasant and tense: "tense / angry / afraid" (ominous, aggressive music)

The centroids are pulled in from the corners because a regression model's outputs shrink towards
the data mean (the training labels have mean ≈ 0.5 and sd ≈ 0.26); points in the corners would
almost never be reached. Each window gets weights exp(-d² / 2σ²) normalised to 1 (σ = 0.15, about
half the distance between neighbouring centroids), and the track's distribution is the mean over
its windows, so a track that moves from calm to energetic shows both.
"""
from __future__ import annotations

import numpy as np

MOODS: tuple[str, ...] = ("Dark", "Energetic", "Happy", "Relaxing", "Sad")
CENTROIDS = np.array([
    [0.25, 0.70],  # Dark
    [0.50, 0.85],  # Energetic
    [0.75, 0.65],  # Happy
    [0.65, 0.25],  # Relaxing
    [0.25, 0.25],  # Sad
], dtype=np.float64)
SIGMA = 0.15


def window_moods(va: np.ndarray) -> np.ndarray:
    """[K,2] (valence, arousal) points -> [K,5] soft mood weights (rows sum to 1)."""
    va = np.atleast_2d(np.asarray(va, dtype=np.float64))
    d2 = ((va[:, None, :] - CENTROIDS[None, :, :]) ** 2).sum(-1)
    logits = -d2 / (2 * SIGMA ** 2)
    logits -= logits.max(axis=1, keepdims=True)
    w = np.exp(logits)
    return w / w.sum(axis=1, keepdims=True)


def mood_distribution(va: np.ndarray) -> dict[str, float]:
    """The track's mood distribution: window weights averaged over windows, as {mood: share}."""
    va = np.atleast_2d(np.asarray(va, dtype=np.float64))
    if va.size == 0:
        return {m: 0.0 for m in MOODS}
    mean = window_moods(va).mean(axis=0)
    return {m: float(round(p, 4)) for m, p in zip(MOODS, mean)}
