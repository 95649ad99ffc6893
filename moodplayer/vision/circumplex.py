"""Map expression probabilities to (valence, arousal) on 0..1 via Russell's circumplex.

Each expression class sits at a point of Russell's circumplex of affect (Russell 1980, "A
circumplex model of affect", J. Pers. Soc. Psychol. 39(6):1161-1178). The angles are those of the
nearest of his 28 scaled affect words in the circular (Ross) ordering, counter-clockwise from
pleasure (0 deg) through arousal (90 deg):

    class       word used      angle    radius   -> valence, arousal (0..1)
    neutral     (origin)         -       0.0         0.500, 0.500
    happiness   happy           7.8      1.0         0.995, 0.568
    surprise    astonished     69.8      1.0         0.673, 0.969
    sadness     sad           207.5      1.0         0.056, 0.269
    anger       angry          99.0      1.0         0.422, 0.994
    disgust     distressed    137.6      1.0         0.131, 0.837
    fear        afraid        116.9      1.0         0.274, 0.946
    contempt    miserable     188.7      0.6         0.203, 0.455

Disgust and contempt are not among Russell's 28 words; we placed them at the nearest words
("distressed"; "miserable" at reduced radius, contempt being a milder, cooler state). Neutral is the
origin by definition. Radius 1 is the circle's edge; the 0..1 scale is 0.5 + 0.5 * (cos, sin).
The point of the face is the expectation of these points under the model's probabilities, so an
uncertain face drifts toward the middle of the pad rather than jumping between corners.
"""
from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

CLASSES: tuple[str, ...] = (
    "neutral", "happiness", "surprise", "sadness", "anger", "disgust", "fear", "contempt",
)

# (angle in degrees, radius) per class, in CLASSES order; see the table above.
POLAR: dict[str, tuple[float, float]] = {
    "neutral": (0.0, 0.0),
    "happiness": (7.8, 1.0),
    "surprise": (69.8, 1.0),
    "sadness": (207.5, 1.0),
    "anger": (99.0, 1.0),
    "disgust": (137.6, 1.0),
    "fear": (116.9, 1.0),
    "contempt": (188.7, 0.6),
}


def class_points(classes: Sequence[str] = CLASSES) -> np.ndarray:
    """[K, 2] (valence, arousal) on 0..1 for each class name, in the given order."""
    pts = []
    for name in classes:
        angle, radius = POLAR[name]
        rad = math.radians(angle)
        pts.append((0.5 + 0.5 * radius * math.cos(rad), 0.5 + 0.5 * radius * math.sin(rad)))
    return np.asarray(pts, dtype=np.float64)


_POINTS = class_points()


def valence_arousal(probabilities: Sequence[float] | np.ndarray,
                    classes: Sequence[str] = CLASSES) -> tuple[float, float]:
    """Expected (valence, arousal) in 0..1 for one face's class probabilities."""
    p = np.asarray(probabilities, dtype=np.float64).reshape(-1)
    points = _POINTS if tuple(classes) == CLASSES else class_points(classes)
    if p.shape[0] != points.shape[0]:
        raise ValueError(f"expected {points.shape[0]} probabilities, got {p.shape[0]}")
    total = p.sum()
    if not np.isfinite(total) or total <= 0:
        return 0.5, 0.5
    v, a = (p / total) @ points
    return float(np.clip(v, 0.0, 1.0)), float(np.clip(a, 0.0, 1.0))
