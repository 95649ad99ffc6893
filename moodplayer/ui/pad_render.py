"""Pixels for the mood pad's track dots, computed off the GUI thread (numpy; no widgets).

A large library is drawn as a soft density image at a fixed resolution (100,000 QPainter ellipses
would take half a second per repaint); a small one as crisp dots by the pad itself. Colours blend the
five mood colours by closeness to each mood centroid (``moodplayer.mood_geometry``), as ``theme.mood_colour``.
"""
from __future__ import annotations

import numpy as np

from moodplayer.mood_geometry import blend_rgb_array as mood_rgb  # [n,2] (valence, arousal) -> [n,3] RGB

__all__ = ["CRISP_MAX", "DENSITY_SIZE", "density_rgba", "mood_rgb"]

DENSITY_SIZE = 720          # pixels per side of the density image
CRISP_MAX = 3000            # up to this many tracks the pad draws individual dots


def density_rgba(points: np.ndarray, rgb: np.ndarray, size: int = DENSITY_SIZE) -> np.ndarray:
    """[size,size,4] uint8 premultiplied BGRA (QImage Format_ARGB32_Premultiplied byte order) of
    anti-aliased discs, one per point, whose opacity saturates where tracks pile up."""
    n = len(points)
    out = np.zeros((size, size, 4), dtype=np.uint8)
    if n == 0:
        return out
    radius = 2.6 if n < 20000 else 2.0
    reach = int(np.ceil(radius + 1))
    oy, ox = np.mgrid[-reach:reach + 1, -reach:reach + 1]
    w = np.clip(radius + 0.5 - np.hypot(ox, oy), 0.0, 1.0)
    keep = w > 0
    ox, oy, w = ox[keep], oy[keep], w[keep]
    px = np.rint(np.clip(points[:, 0], 0, 1) * (size - 1)).astype(np.int64)
    py = np.rint((1.0 - np.clip(points[:, 1], 0, 1)) * (size - 1)).astype(np.int64)
    xs = (px[:, None] + ox[None]).ravel()
    ys = (py[:, None] + oy[None]).ravel()
    inside = (xs >= 0) & (xs < size) & (ys >= 0) & (ys < size)
    flat = (ys * size + xs)[inside]
    weight = np.broadcast_to(w, (n, len(w))).ravel()[inside]
    per_point = np.repeat(np.arange(n), len(w))[inside]
    cells = size * size
    cover = np.bincount(flat, weight, cells)
    # each disc alone is half-transparent; a pile of them becomes opaque
    alpha = 1.0 - np.exp(-cover * (0.55 if n < 20000 else 0.35))
    safe = np.maximum(cover, 1e-9)
    for ch, c in ((2, 0), (1, 1), (0, 2)):   # B, G, R bytes of a little-endian ARGB32 pixel
        colour = np.bincount(flat, weight * rgb[per_point, c], cells) / safe
        out[..., ch] = np.rint(np.clip(colour * alpha, 0, 1) * 255).reshape(size, size)
    out[..., 3] = np.rint(np.clip(alpha, 0, 1) * 255).reshape(size, size)
    return out
