"""The mood map: one picture of the whole library on the valence-arousal plane, for ``moodplayer map``
and the window's "Save mood map…".

Drawn with QPainter into a QImage, which needs no window and no display (the CLI runs Qt's offscreen
platform). Labelled so it reads on its own: a title, both axes with ticks and words, the corner
moods, every analysed track as a dot in its mood cluster's colour, the cluster centres numbered and
a legend naming each cluster and its size.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen, QPolygonF

from moodplayer.mood_geometry import AROUSAL_WORDS, CORNER_WORDS, VALENCE_WORDS, blend_rgb_array
from moodplayer.ui import theme

if TYPE_CHECKING:
    from moodplayer.recommend.clusters import MoodClusters

DEFAULT_SIZE = (1600, 1100)
_A = Qt.AlignmentFlag
_CORNERS = {"top-left": _A.AlignLeft | _A.AlignTop, "top-right": _A.AlignRight | _A.AlignTop,
            "bottom-left": _A.AlignLeft | _A.AlignBottom, "bottom-right": _A.AlignRight | _A.AlignBottom}


def _font(px: float, bold: bool = False) -> QFont:
    f = QFont()
    f.setPixelSize(max(8, int(round(px))))
    f.setBold(bold)
    return f


def render_mood_map(points: np.ndarray, clusters: "MoodClusters | None", size: tuple[int, int] = DEFAULT_SIZE,
                    title: str = "Mood map of the library") -> QImage:
    """The map as an RGB image of exactly ``size`` pixels (width, height).

    ``points`` are the tracks' (valence, arousal), ``clusters`` their K-means clusters in the same
    order (None: too few tracks to cluster; dots are then coloured by mood alone).
    """
    width, height = int(size[0]), int(size[1])
    if width < 320 or height < 240:
        raise ValueError(f"a mood map needs at least 320x240 pixels, not {width}x{height}")
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    img = QImage(width, height, QImage.Format.Format_RGB32)
    img.fill(QColor(theme.BACKGROUND))
    p = QPainter(img)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    unit = min(width, height * 1.3) / 60.0            # text and dots scale with the picture

    # title
    p.setFont(_font(unit * 1.5, bold=True))
    p.setPen(QColor(theme.TEXT))
    top = unit * 1.2
    p.drawText(QRectF(unit * 1.5, top, width - 3 * unit, unit * 2.2), _A.AlignLeft | _A.AlignVCenter, title)
    p.setFont(_font(unit * 0.95))
    p.setPen(QColor(theme.MUTED))
    k_text = (f"{clusters.k} mood clusters (K-means, K chosen by silhouette {clusters.silhouette:.2f})"
              if clusters is not None else "too few tracks to form mood clusters")
    p.drawText(QRectF(unit * 1.5, top + unit * 2.2, width - 3 * unit, unit * 1.5), _A.AlignLeft | _A.AlignVCenter,
               f"{len(pts):,} analysed tracks · {k_text}")

    # the plane: a square beside the legend
    legend_w = max(unit * 16, width * 0.27)
    plot_top = top + unit * 5.0
    side = min(height - plot_top - unit * 5.0, width - legend_w - unit * 8.0)
    plot = QRectF(unit * 5.5, plot_top, side, side)
    theme.fill_rounded(p, plot, unit * 0.6, theme.SURFACE)

    def px(v: float, a: float) -> QPointF:
        return QPointF(plot.left() + v * plot.width(), plot.bottom() - a * plot.height())

    grid = QColor(theme.TEXT)
    for f in (0.25, 0.5, 0.75):
        grid.setAlpha(46 if f == 0.5 else 20)
        p.setPen(QPen(grid, max(1.0, unit * 0.06)))
        p.drawLine(px(f, 0), px(f, 1))
        p.drawLine(px(0, f), px(1, f))
    _axes(p, plot, px, unit)

    # tracks
    colours = clusters.colours() if clusters is not None else []
    radius = unit * (0.32 if len(pts) <= 500 else 0.22 if len(pts) <= 5000 else 0.12)
    if len(pts):
        groups = ([(QColor(c), pts[clusters.labels == i]) for i, c in enumerate(colours)] if clusters is not None
                  else [(None, pts)])
        for colour, group in groups:
            rgb = blend_rgb_array(group) if colour is None else None
            if colour is not None:
                colour.setAlpha(215)
                pen = QPen(colour, radius * 2, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap)
                p.setPen(pen)
                p.drawPoints(QPolygonF([px(v, a) for v, a in group.tolist()]))
            else:
                for (v, a), (r, g, b) in zip(group.tolist(), rgb.tolist()):
                    p.setPen(QPen(QColor.fromRgbF(r, g, b, 0.85), radius * 2, Qt.PenStyle.SolidLine,
                                  Qt.PenCapStyle.RoundCap))
                    p.drawPoint(px(v, a))
    _corner_words(p, plot, unit)
    if clusters is not None:
        _centres(p, clusters, colours, px, unit)
        _legend(p, clusters, colours, QRectF(plot.right() + unit * 3.0, plot.top(),
                                             width - plot.right() - unit * 4.5, plot.height()), unit)
    p.end()
    return img


def _axes(p: QPainter, plot: QRectF, px, unit: float) -> None:
    """Tick values on both axes, the axis names and the words at their ends."""
    p.setFont(_font(unit * 0.85))
    p.setPen(QColor(theme.MUTED))
    for f in (0.0, 0.25, 0.5, 0.75, 1.0):
        x = px(f, 0).x()
        p.drawText(QRectF(x - unit * 2, plot.bottom() + unit * 0.3, unit * 4, unit * 1.3),
                   _A.AlignHCenter | _A.AlignTop, f"{f:.2f}")
        y = px(0, f).y()
        p.drawText(QRectF(plot.left() - unit * 4.2, y - unit * 0.7, unit * 3.6, unit * 1.4),
                   _A.AlignRight | _A.AlignVCenter, f"{f:.2f}")
    p.setFont(_font(unit * 1.0, bold=True))
    p.setPen(QColor(theme.TEXT))
    below = QRectF(plot.left(), plot.bottom() + unit * 1.7, plot.width(), unit * 1.6)
    p.drawText(below, _A.AlignHCenter | _A.AlignVCenter, "valence")
    p.setFont(_font(unit * 0.9))
    p.setPen(QColor(theme.MUTED))
    p.drawText(below, _A.AlignLeft | _A.AlignVCenter, f"← {VALENCE_WORDS[0]}")
    p.drawText(below, _A.AlignRight | _A.AlignVCenter, f"{VALENCE_WORDS[-1]} →")
    p.save()
    p.translate(plot.left() - unit * 4.9, plot.center().y())
    p.rotate(-90)
    beside = QRectF(-plot.height() / 2, -unit * 0.8, plot.height(), unit * 1.6)
    p.setFont(_font(unit * 1.0, bold=True))
    p.setPen(QColor(theme.TEXT))
    p.drawText(beside, _A.AlignHCenter | _A.AlignVCenter, "arousal")
    p.setFont(_font(unit * 0.9))
    p.setPen(QColor(theme.MUTED))
    p.drawText(beside, _A.AlignLeft | _A.AlignVCenter, f"← {AROUSAL_WORDS[0]}")
    p.drawText(beside, _A.AlignRight | _A.AlignVCenter, f"{AROUSAL_WORDS[-1]} →")
    p.restore()


def _corner_words(p: QPainter, plot: QRectF, unit: float) -> None:
    box = plot.adjusted(unit * 0.8, unit * 0.6, -unit * 0.8, -unit * 0.6)
    p.setFont(_font(unit * 1.15, bold=True))
    shadow = QColor(theme.BACKGROUND)
    shadow.setAlpha(200)
    word = QColor(theme.TEXT)
    word.setAlpha(190)
    for colour, d in ((shadow, unit * 0.08), (word, 0.0)):
        p.setPen(colour)
        for where, text in CORNER_WORDS.items():
            p.drawText(box.translated(d, d), _CORNERS[where], text)


def _centres(p: QPainter, clusters: "MoodClusters", colours: list[str], px, unit: float) -> None:
    """Each cluster's centre: a ringed disc in its colour with its number."""
    r = unit * 0.95
    p.setFont(_font(unit * 1.0, bold=True))
    for i, (c, colour) in enumerate(zip(clusters.centers, colours)):
        at = px(float(c[0]), float(c[1]))
        p.setPen(QPen(QColor("#ffffff"), max(1.5, unit * 0.14)))
        p.setBrush(QColor(colour))
        p.drawEllipse(at, r, r)
        p.setPen(QColor(theme.BACKGROUND))
        p.drawText(QRectF(at.x() - r, at.y() - r, 2 * r, 2 * r), _A.AlignCenter, str(i + 1))


def _legend(p: QPainter, clusters: "MoodClusters", colours: list[str], box: QRectF, unit: float) -> None:
    p.setFont(_font(unit * 1.05, bold=True))
    p.setPen(QColor(theme.TEXT))
    p.drawText(QRectF(box.left(), box.top(), box.width(), unit * 1.8), _A.AlignLeft | _A.AlignVCenter, "Mood clusters")
    line = unit * 2.3
    sizes = clusters.sizes
    y = box.top() + unit * 2.6
    for i, (name, colour) in enumerate(zip(clusters.names, colours)):
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(colour))
        p.drawEllipse(QPointF(box.left() + unit * 0.7, y + line / 2), unit * 0.6, unit * 0.6)
        p.setFont(_font(unit * 0.95, bold=True))
        p.setPen(QColor(theme.TEXT))
        text = QRectF(box.left() + unit * 1.8, y, box.width() - unit * 1.8, line)
        p.drawText(text, _A.AlignLeft | _A.AlignVCenter, f"{i + 1}")
        p.setFont(_font(unit * 0.95))
        n = sizes[i]
        label = p.fontMetrics().elidedText(f"{name} · {n:,} track{'' if n == 1 else 's'}",
                                           Qt.TextElideMode.ElideRight, int(text.width() - unit * 1.6))
        p.drawText(text.adjusted(unit * 1.6, 0, 0, 0), _A.AlignLeft | _A.AlignVCenter, label)
        y += line
    p.setFont(_font(unit * 0.8))
    p.setPen(QColor(theme.MUTED))
    p.drawText(QRectF(box.left(), y + unit * 0.8, box.width(), unit * 6),
               _A.AlignLeft | _A.AlignTop | Qt.TextFlag.TextWordWrap,
               "Numbered discs mark each cluster's centre. Corner words are the pad's moods.")
