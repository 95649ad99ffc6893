"""Mood clusters of the library: K-means on (valence, arousal), K chosen by silhouette.

They colour the pad's dots and the mood map (``moodplayer map``), and "play this cluster" queues one
of them. A cluster's colour is the mood blend at its centre (``moodplayer.mood_geometry``), so a
cluster looks like the moods it holds; its name is the plain phrase for that centre.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score

from moodplayer.mood_geometry import blend_rgb, hex_rgb
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

    @property
    def sizes(self) -> list[int]:
        """Tracks in each cluster."""
        return np.bincount(self.labels, minlength=self.k).tolist()

    def colours(self) -> list[str]:
        """'#rrggbb' per cluster: the mood colour at its centre (two neighbours that blend alike are
        told apart by a lighter/darker shade)."""
        out: list[str] = []
        for c in self.centers:
            rgb = np.array(blend_rgb(float(c[0]), float(c[1])))
            for shade in (1.0, 1.25, 0.75, 1.45, 0.6):
                cand = np.clip(rgb * shade, 0, 1)
                if all(np.abs(cand - np.array(hex_rgb(o))).sum() > 0.12 for o in out):
                    break
            out.append("#" + "".join(f"{int(round(x * 255)):02x}" for x in cand))
        return out

    def rgb(self) -> np.ndarray:
        """[n,3] in 0..1: every point in its cluster's colour (for the pad's dots)."""
        table = np.array([hex_rgb(c) for c in self.colours()], dtype=np.float64)
        return table[self.labels]

    def members(self, cluster: int, points: np.ndarray) -> np.ndarray:
        """Row numbers of one cluster's points, nearest its centre first (what "play this cluster" queues)."""
        rows = np.flatnonzero(self.labels == cluster)
        d = np.hypot(*(np.asarray(points, dtype=np.float64)[rows] - self.centers[cluster]).T)
        return rows[np.argsort(d, kind="stable")]


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
