"""Mood regions for colouring the library map: K-means on (valence, arousal), K chosen by silhouette."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score

from moodplayer.recommend.regions import region_phrase

SILHOUETTE_SAMPLE = 4000   # silhouette is O(n^2): score on a seeded sample of a large library


@dataclass
class MoodClusters:
    k: int
    labels: np.ndarray               # cluster per input point
    centers: np.ndarray              # [k, 2] valence, arousal
    silhouette: float                # score of the chosen k
    scores: dict[int, float] = field(default_factory=dict)   # every k tried -> silhouette
    names: list[str] = field(default_factory=list)            # region phrase of each centre


def cluster_moods(points: np.ndarray, k_values: range = range(2, 9), seed: int = 0) -> MoodClusters:
    """Fit K-means for each K and keep the one with the best silhouette score."""
    points = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    n = len(points)
    ks = [k for k in k_values if 2 <= k < n]
    if not ks:
        raise ValueError(f"need at least 3 analysed tracks to form mood clusters, have {n}")
    rng = np.random.default_rng(seed)
    sample = points if n <= SILHOUETTE_SAMPLE else points[rng.choice(n, SILHOUETTE_SAMPLE, replace=False)]
    scores: dict[int, float] = {}
    for k in ks:
        if k >= len(sample):
            continue
        km = KMeans(n_clusters=k, n_init=4, random_state=seed).fit(sample)
        if len(set(km.labels_.tolist())) < 2:
            continue
        scores[k] = float(silhouette_score(sample, km.labels_, random_state=seed))
    if not scores:
        raise ValueError("mood clusters: every track sits at the same point")
    best = max(scores, key=lambda k: scores[k])
    km = KMeans(n_clusters=best, n_init=4, random_state=seed).fit(points)
    centers = km.cluster_centers_
    return MoodClusters(k=best, labels=km.labels_, centers=centers, silhouette=scores[best], scores=scores,
                        names=[region_phrase(float(c[0]), float(c[1])) for c in centers])
