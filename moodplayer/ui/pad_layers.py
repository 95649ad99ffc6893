"""The mood pad's still layers: the plane (glows, grid), the words around and on it, and the track dots.

The pad rebuilds its dots on every reload of the mood index, which comes about once a second while
the analysis runs; that rebuild is GUI-thread time. So the plane and the words, which change only
with the pad's size, are kept as pixmaps, and each dot is one small pre-drawn pixmap (a "sprite",
made once per colour) instead of an anti-aliased ellipse: a fraction of the cost per dot.
"""
from __future__ import annotations

from typing import Callable

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPainterPath, QPen, QPixmap, QRadialGradient

from moodplayer.mood_geometry import AROUSAL_WORDS, CORNER_WORDS, VALENCE_WORDS
from moodplayer.ui import theme

ToPx = Callable[[float, float], QPointF]
PLANE_RADIUS = 18
SPRITES_KEPT = 4096     # distinct dot colours kept drawn (the mood blend has many, clusters a few)
_A = Qt.AlignmentFlag
_CORNER_ALIGN = {"top-left": _A.AlignLeft | _A.AlignTop, "top-right": _A.AlignRight | _A.AlignTop,
                 "bottom-left": _A.AlignLeft | _A.AlignBottom, "bottom-right": _A.AlignRight | _A.AlignBottom}


def blank(size: QSize, dpr: float, fill: QColor | Qt.GlobalColor) -> QPixmap:
    pix = QPixmap(QSize(int(size.width() * dpr), int(size.height() * dpr)))
    pix.setDevicePixelRatio(dpr)
    pix.fill(fill)
    return pix


def plane_clip(r: QRectF) -> QPainterPath:
    path = QPainterPath()
    path.addRoundedRect(r, PLANE_RADIUS, PLANE_RADIUS)
    return path


def paint_plane(p: QPainter, r: QRectF, to_px: ToPx) -> None:
    """The plane: a soft glow of each mood's region, the quarter grid and the centre circle."""
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setClipPath(theme.fill_rounded(p, r, PLANE_RADIUS, theme.SURFACE))
    for mood, (v, a) in theme.MOOD_CENTROIDS.items():
        c = QColor(theme.MOOD_COLOURS[mood])
        g = QRadialGradient(to_px(v, a), r.width() * 0.42)
        c.setAlpha(34)
        g.setColorAt(0.0, c)
        c.setAlpha(0)
        g.setColorAt(1.0, c)
        p.fillRect(r, QBrush(g))
    grid = QColor(theme.TEXT)
    grid.setAlpha(16)
    p.setPen(QPen(grid, 1))
    for f in (0.25, 0.75):
        p.drawLine(to_px(f, 0), to_px(f, 1))
        p.drawLine(to_px(0, f), to_px(1, f))
    grid.setAlpha(34)
    p.setPen(QPen(grid, 1))
    p.drawLine(to_px(0.5, 0), to_px(0.5, 1))
    p.drawLine(to_px(0, 0.5), to_px(1, 0.5))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawEllipse(to_px(0.5, 0.5), r.width() / 2, r.height() / 2)
    p.setClipping(False)


def paint_words(p: QPainter, r: QRectF, font: QFont, margin: float) -> None:
    """The axis words outside the plane and the corner words on it (with a shadow: legible over dots)."""
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    f = QFont(font)
    f.setPointSizeF(max(8.0, f.pointSizeF() * 0.9))
    f.setLetterSpacing(QFont.SpacingType.PercentageSpacing, 108)
    p.setFont(f)
    p.setPen(QColor(theme.MUTED))
    p.drawText(QRectF(r.left(), r.top() - margin, r.width(), margin), _A.AlignCenter, AROUSAL_WORDS[-1])
    p.drawText(QRectF(r.left(), r.bottom(), r.width(), margin), _A.AlignCenter, AROUSAL_WORDS[0])
    sides = ((r.left() - margin / 2, -90, VALENCE_WORDS[0]), (r.right() + margin / 2, 90, VALENCE_WORDS[-1]))
    for x, angle, word in sides:
        p.save()
        p.translate(x, r.center().y())
        p.rotate(angle)
        p.drawText(QRectF(-r.height() / 2, -margin / 2, r.height(), margin), _A.AlignCenter, word)
        p.restore()
    pad = 14
    box = QRectF(r.left() + pad, r.top() + pad, r.width() - 2 * pad, r.height() - 2 * pad)
    shadow = QColor(theme.BACKGROUND)
    shadow.setAlpha(170)
    corner = QColor(theme.TEXT)
    corner.setAlpha(150)
    for colour, dx in ((shadow, 1.0), (corner, 0.0)):
        p.setPen(colour)
        b = box.translated(dx, dx)
        for where, word in CORNER_WORDS.items():
            p.drawText(b, _CORNER_ALIGN[where], word)


class DotSprites:
    """One pre-drawn dot per (colour, size): drawing a dot is then one small pixmap copy."""

    def __init__(self) -> None:
        self._sprites: dict[tuple[int, int, int, int, float, float], QPixmap] = {}

    def sprite(self, rgba: tuple[int, int, int, int], radius: float, dpr: float) -> QPixmap:
        key = (*rgba, radius, dpr)
        pix = self._sprites.get(key)
        if pix is None:
            if len(self._sprites) >= SPRITES_KEPT:
                self._sprites.clear()
            side = int(np.ceil(2 * radius + 3))       # the disc, its 1.2 px edge and a pixel of air
            pix = blank(QSize(side, side), dpr, Qt.GlobalColor.transparent)
            p = QPainter(pix)
            p.setRenderHint(QPainter.RenderHint.Antialiasing)
            edge = QColor(theme.BACKGROUND)
            edge.setAlpha(200)
            p.setPen(QPen(edge, 1.2))
            p.setBrush(QColor(*rgba))
            p.drawEllipse(QPointF(side / 2, side / 2), radius, radius)
            p.end()
            self._sprites[key] = pix
        return pix

    def paint(self, p: QPainter, r: QRectF, points: np.ndarray, rgb: np.ndarray, dpr: float) -> None:
        """Crisp dots in their colours (``rgb`` [n,3] in 0..1), in ``points`` order (later on top)."""
        n = len(points)
        radius = 5.0 if n <= 300 else 3.6 if n <= 1200 else 2.6
        alpha = 235 if n <= 300 else 200
        half = np.ceil(2 * radius + 3) / 2
        xs = (r.left() + points[:, 0] * r.width() - half).tolist()
        ys = (r.bottom() - points[:, 1] * r.height() - half).tolist()
        codes = np.rint(np.clip(rgb, 0.0, 1.0) * 255).astype(np.int64)
        keys = ((codes[:, 0] << 16) | (codes[:, 1] << 8) | codes[:, 2]).tolist()
        cache: dict[int, QPixmap] = {}
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        for x, y, key in zip(xs, ys, keys):
            pix = cache.get(key)
            if pix is None:
                pix = cache[key] = self.sprite((key >> 16, (key >> 8) & 255, key & 255, alpha), radius, dpr)
            p.drawPixmap(QPointF(x, y), pix)
