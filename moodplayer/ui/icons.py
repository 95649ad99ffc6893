"""Transport icons drawn with QPainter: crisp at any scale, no icon theme or font glyphs needed."""
from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap, QPolygonF

from moodplayer.ui import theme

_cache: dict[tuple[str, str, int], QIcon] = {}


def icon(name: str, colour: str = theme.TEXT, size: int = 64) -> QIcon:
    """'play', 'pause', 'next', 'previous', 'heart', 'volume', 'folder', 'lift', 'calm'."""
    key = (name, colour, size)
    if key not in _cache:
        pix = QPixmap(size, size)
        pix.fill(Qt.GlobalColor.transparent)
        p = QPainter(pix)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.scale(size / 24.0, size / 24.0)
        _draw(p, name, QColor(colour))
        p.end()
        _cache[key] = QIcon(pix)
    return _cache[key]


def _tri(p: QPainter, pts: list[tuple[float, float]]) -> None:
    p.drawPolygon(QPolygonF([QPointF(x, y) for x, y in pts]))


def _draw(p: QPainter, name: str, c: QColor) -> None:
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(c)
    if name == "play":
        _tri(p, [(8, 5), (19, 12), (8, 19)])
    elif name == "pause":
        p.drawRoundedRect(QRectF(6.5, 5, 4, 14), 1.2, 1.2)
        p.drawRoundedRect(QRectF(13.5, 5, 4, 14), 1.2, 1.2)
    elif name == "next":
        _tri(p, [(5, 6), (15, 12), (5, 18)])
        p.drawRoundedRect(QRectF(16, 6, 2.6, 12), 1, 1)
    elif name == "previous":
        _tri(p, [(19, 6), (9, 12), (19, 18)])
        p.drawRoundedRect(QRectF(5.4, 6, 2.6, 12), 1, 1)
    elif name == "heart":
        path = QPainterPath(QPointF(12, 20))
        path.cubicTo(QPointF(2, 13), QPointF(4, 4), QPointF(12, 8.5))
        path.cubicTo(QPointF(20, 4), QPointF(22, 13), QPointF(12, 20))
        p.drawPath(path)
    elif name == "volume":
        _tri(p, [(4, 9), (8, 9), (13, 4.5), (13, 19.5), (8, 15), (4, 15)])
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.setPen(QPen(c, 1.8, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        p.drawArc(QRectF(11, 8, 6, 8), -60 * 16, 120 * 16)
        p.drawArc(QRectF(11, 5, 10, 14), -60 * 16, 120 * 16)
    elif name == "folder":
        path = QPainterPath()
        path.addRoundedRect(QRectF(3, 7, 18, 12), 2, 2)
        path.addRoundedRect(QRectF(3, 5, 8, 4), 1.5, 1.5)
        p.drawPath(path.simplified())
    elif name in ("lift", "calm"):
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.setPen(QPen(c, 2.2, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin))
        if name == "lift":
            p.drawPolyline(QPolygonF([QPointF(4, 18), QPointF(10, 12), QPointF(14, 15), QPointF(20, 7)]))
            p.drawPolyline(QPolygonF([QPointF(15, 7), QPointF(20, 7), QPointF(20, 12)]))
        else:
            p.drawPolyline(QPolygonF([QPointF(4, 8), QPointF(10, 13), QPointF(14, 11), QPointF(20, 17)]))
            p.drawPolyline(QPolygonF([QPointF(15, 17), QPointF(20, 17), QPointF(20, 12)]))
