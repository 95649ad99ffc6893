"""The mood plane, declared once: named moods, their centroids, colours and words, and the blend.

Valence (left -> right) and arousal (bottom -> top) are both on 0..1. Valence means what a listener
hears, not Spotify's "valence": the four quadrants are those of the q4_val clips the music model is
judged on — excited (top right), tense (top left), sad (bottom left), serene (bottom right) — with
Neutral in the middle. Analysis (a track's mood shares), the GUI (dot, strip and handle colours, the
pad's corner words), the queue's plain reasons and the CLI all read this module, so a word or a
colour changes here and nowhere else.

A point belongs to every mood with weight exp(-d² / 2σ²), normalised to 1, where d is its distance
to the mood's centroid: colours blend smoothly and a track between two moods shows both. The
module imports nothing heavy (the GUI imports it on start); numpy is imported only by the functions
that take arrays.
"""
from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np


@dataclass(frozen=True)
class Mood:
    """One named mood: where it sits on the pad, how it is drawn, which corner it names (if any)."""

    name: str
    valence: float
    arousal: float
    colour: str              # "#rrggbb"
    corner: str | None       # "top-right", ... for the pad's corner word; None for the centre


# Centroids sit at the quadrant centres rather than in the corners: a regression model's outputs
# shrink towards the middle, and points in the far corners would almost never be reached.
MOOD_TABLE: tuple[Mood, ...] = (
    Mood("Excited", 0.75, 0.75, "#f2c25c", "top-right"),
    Mood("Tense", 0.25, 0.75, "#ef7d6d", "top-left"),
    Mood("Sad", 0.25, 0.25, "#5d8ff0", "bottom-left"),
    Mood("Serene", 0.75, 0.25, "#5cc9a7", "bottom-right"),
    Mood("Neutral", 0.50, 0.50, "#a9a3c4", None),
)
# About 0.4 of the distance from the centre to a quadrant centre: neighbours overlap, none swamps.
SIGMA = 0.15

MOODS: tuple[str, ...] = tuple(m.name for m in MOOD_TABLE)
CENTROIDS: dict[str, tuple[float, float]] = {m.name: (m.valence, m.arousal) for m in MOOD_TABLE}
COLOURS: dict[str, str] = {m.name: m.colour for m in MOOD_TABLE}
CORNER_WORDS: dict[str, str] = {m.corner: m.name.lower() for m in MOOD_TABLE if m.corner}

# Names written by earlier versions (the "moods" JSON in the library) -> today's nearest mood. A
# re-analysis rewrites them; until then readers show the nearest current name.
LEGACY_NAMES: dict[str, str] = {
    "Happy": "Excited", "Energetic": "Excited", "Dark": "Tense", "Relaxing": "Serene", "Sad": "Sad",
}

# Plain words per axis: the middle fifth reads as "neutral"/"moderate" rather than forcing a side.
LOW, HIGH = 0.4, 0.6
VALENCE_WORDS = ("negative", "neutral", "positive")
AROUSAL_WORDS = ("calm", "moderate", "energetic")


def _band(x: float) -> int:
    return 0 if x < LOW else 2 if x > HIGH else 1


def valence_word(valence: float) -> str:
    """'negative', 'neutral' or 'positive'."""
    return VALENCE_WORDS[_band(valence)]


def arousal_word(arousal: float) -> str:
    """'calm', 'moderate' or 'energetic'."""
    return AROUSAL_WORDS[_band(arousal)]


def region_phrase(valence: float, arousal: float) -> str:
    """'calm, positive', 'energetic, negative', 'moderate, neutral', ... (the queue's plain reason)."""
    return f"{arousal_word(arousal)}, {valence_word(valence)}"


def closeness(valence: float, arousal: float) -> dict[str, float]:
    """Each mood's share of one point (sums to 1); plain Python, for one colour or one label."""
    d2 = {m.name: (m.valence - valence) ** 2 + (m.arousal - arousal) ** 2 for m in MOOD_TABLE}
    nearest = min(d2.values())
    w = {name: math.exp(-(d - nearest) / (2 * SIGMA ** 2)) for name, d in d2.items()}
    total = sum(w.values())
    return {name: x / total for name, x in w.items()}


def hex_rgb(colour: str) -> tuple[float, float, float]:
    """'#rrggbb' -> (r, g, b) in 0..1."""
    return (int(colour[1:3], 16) / 255.0, int(colour[3:5], 16) / 255.0, int(colour[5:7], 16) / 255.0)


def blend_rgb(valence: float, arousal: float) -> tuple[float, float, float]:
    """The point's colour in 0..1: the mood colours weighted by closeness (no hard region edges)."""
    r = g = b = 0.0
    for name, w in closeness(valence, arousal).items():
        cr, cg, cb = hex_rgb(COLOURS[name])
        r, g, b = r + w * cr, g + w * cg, b + w * cb
    return r, g, b


@functools.cache
def _arrays() -> tuple[np.ndarray, np.ndarray]:
    import numpy as np

    centres = np.array([(m.valence, m.arousal) for m in MOOD_TABLE], dtype=np.float64)
    colours = np.array([hex_rgb(m.colour) for m in MOOD_TABLE], dtype=np.float64)
    centres.flags.writeable = colours.flags.writeable = False
    return centres, colours


def closeness_array(points: np.ndarray | Iterable[Iterable[float]]) -> np.ndarray:
    """[n,2] (valence, arousal) -> [n, len(MOODS)] mood shares, rows summing to 1 (columns in MOODS order)."""
    import numpy as np

    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    centres, _ = _arrays()
    d2 = ((pts[:, None, :] - centres[None]) ** 2).sum(-1)
    w = np.exp(-(d2 - d2.min(axis=1, keepdims=True)) / (2 * SIGMA ** 2))
    return w / w.sum(axis=1, keepdims=True)


def blend_rgb_array(points: np.ndarray | Iterable[Iterable[float]]) -> np.ndarray:
    """[n,2] (valence, arousal) -> [n,3] RGB in 0..1, as ``blend_rgb`` for many points at once."""
    return closeness_array(points) @ _arrays()[1]


def canonical_moods(moods: object) -> dict[str, float]:
    """A stored mood distribution under today's names: old names are mapped (and merged), unknown
    keys and non-numbers dropped; {} for anything that is not a mapping."""
    out: dict[str, float] = {}
    if not isinstance(moods, Mapping):
        return out
    for key, share in moods.items():
        name = key if key in CENTROIDS else LEGACY_NAMES.get(str(key))
        if name is None or isinstance(share, bool) or not isinstance(share, (int, float)):
            continue
        out[name] = round(out.get(name, 0.0) + float(share), 4)
    return out


def top_mood(moods: object) -> str | None:
    """The most likely mood of a stored distribution (old names understood), or None."""
    shares = canonical_moods(moods)
    return max(shares, key=shares.__getitem__) if shares else None
