"""The seek bar: the track's mood timeline (analysis windows) as a colour strip, with a playhead.

Click or drag to seek. Each analysis window colours the stretch of the track from its start to the
next window's start, in the colour of its (valence, arousal); unanalysed tracks get a neutral strip.
"""
from __future__ import annotations

from typing import Any, Sequence

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QLinearGradient, QMouseEvent, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from moodplayer.ui import theme


class MoodStrip(QWidget):
    seekRequested = Signal(float)    # seconds

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("moodStrip")
        self.setMinimumHeight(22)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip("Mood timeline: click to seek")
        self.windows: list[tuple[float, float, float]] = []
        self.duration: float | None = None
        self.position = 0.0
        self._drag: float | None = None

    def sizeHint(self) -> QSize:
        return QSize(400, 22)

    def set_track(self, windows: Sequence[Sequence[float]], duration: float | None) -> None:
        self.windows = sorted((float(w[0]), float(w[1]), float(w[2])) for w in windows)
        self.duration = duration if duration and duration > 0 else None
        self.position = 0.0
        self.update()

    def set_position(self, seconds: float, duration: float | None = None) -> None:
        if duration and duration > 0:
            self.duration = duration
        if self._drag is None:
            self.position = max(0.0, seconds)
            self.update()

    def _bar(self) -> QRectF:
        return QRectF(6, self.height() / 2 - 5, self.width() - 12, 10)

    def _seconds_at(self, x: float) -> float:
        bar = self._bar()
        frac = min(1.0, max(0.0, (x - bar.left()) / max(1.0, bar.width())))
        return frac * (self.duration or 0.0)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if self.duration and event.button() == Qt.MouseButton.LeftButton:
            self._drag = self._seconds_at(event.position().x())
            self.update()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._drag is not None:
            self._drag = self._seconds_at(event.position().x())
            self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._drag is not None:
            target, self._drag = self._seconds_at(event.position().x()), None
            self.position = target
            self.update()
            self.seekRequested.emit(target)

    def paintEvent(self, event: Any) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        bar = self._bar()
        shape = theme.fill_rounded(p, bar, 5, theme.SURFACE_HI)
        dur = self.duration
        if self.windows and dur:
            grad = QLinearGradient(bar.left(), 0, bar.right(), 0)
            for i, (start, v, a) in enumerate(self.windows):
                end = self.windows[i + 1][0] if i + 1 < len(self.windows) else dur
                mid = (start + end) / 2 if i else 0.0
                grad.setColorAt(min(1.0, max(0.0, mid / dur)), theme.mood_colour(v, a))
            last = self.windows[-1]
            grad.setColorAt(1.0, theme.mood_colour(last[1], last[2]))
            p.save()
            p.setOpacity(0.55)
            p.fillPath(shape, grad)
            p.restore()
            if dur > 0:
                played = QRectF(bar.left(), bar.top(), bar.width() * min(1.0, self._shown() / dur), bar.height())
                p.save()
                p.setClipRect(played)
                p.fillPath(shape, grad)
                p.restore()
        elif dur:
            played = QRectF(bar.left(), bar.top(), bar.width() * min(1.0, self._shown() / dur), bar.height())
            p.save()
            p.setClipRect(played)
            p.fillPath(shape, QColor(theme.ACCENT))
            p.restore()
        if dur:
            x = bar.left() + bar.width() * min(1.0, self._shown() / dur)
            p.setPen(QPen(QColor(theme.BACKGROUND), 2))
            p.setBrush(QColor("#ffffff"))
            p.drawEllipse(QPointF(x, bar.center().y()), 7, 7)
        p.end()

    def _shown(self) -> float:
        return self._drag if self._drag is not None else self.position
