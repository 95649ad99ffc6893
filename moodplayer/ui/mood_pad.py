"""The mood pad: valence left->right, arousal bottom->top, every analysed track a dot, the target a
handle to drag, the face's mood a second marker. It only draws and reports; the queue lives elsewhere.

Painting stays cheap during a drag: the dots are a cached pixmap (rebuilt on resize or new data), so a
frame is the background, one pixmap and a handful of markers. Rebuilding it for new data (every
reload while the analysis runs) redraws only the dots, as pixmap sprites (``pad_layers``).
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (QBrush, QColor, QFont, QImage, QKeyEvent, QMouseEvent, QPainter,
                           QPen, QPixmap, QRadialGradient)
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from moodplayer.display import terminal_safe, tooltip_html
from moodplayer.mood_geometry import AROUSAL_WORDS, VALENCE_WORDS
from moodplayer.recommend.regions import region_phrase
from moodplayer.ui import theme
from moodplayer.ui.pad_layers import DotSprites, blank, paint_plane, paint_words, plane_clip
from moodplayer.ui.pad_render import CRISP_MAX, mood_rgb
from moodplayer.ui.photo_mood import dropped_photo

MARGIN = 30
HOVER_PX = 9.0
HANDLE_REACH = 36.0       # the target handle's glow radius (34) and a little air


class MoodPad(QWidget):
    targetChanged = Signal(float, float)     # while dragging or clicking: (valence, arousal) in 0..1
    targetCommitted = Signal(float, float)   # mouse released / key nudge finished
    trackActivated = Signal(int)             # a dot double-clicked: play that track
    photoDropped = Signal(str)               # an image file dropped on the pad: set the mood from its face

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("moodPad")
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(320, 320)
        self.setAccessibleName("Mood pad")
        self.setAccessibleDescription(f"Drag the handle: left/right = {VALENCE_WORDS[0]}/{VALENCE_WORDS[-1]}, "
                                      f"down/up = {AROUSAL_WORDS[0]}/{AROUSAL_WORDS[-1]}")
        self.target = (0.5, 0.5)
        self.camera: tuple[float, float, float] | None = None     # valence, arousal, confidence
        self.camera_label = ""
        self.ids = np.empty(0, dtype=np.int64)
        self.points = np.empty((0, 2))
        self.titles: Sequence[str | None] = ()
        self.artists: Sequence[str | None] = ()
        self._row_of: dict[int, int] = {}
        self._rgb = np.empty((0, 3))
        self._density: QImage | None = None
        self._cache: QPixmap | None = None
        self._cache_key: Any = None
        self._layers: tuple[QPixmap, QPixmap] | None = None    # the plane and the words, per size
        self._layers_key: Any = None
        self._sprites = DotSprites()
        self.queue_ids: list[int] = []
        self.queue_labels: list[int] = []     # the number the queue panel shows for each queued track
        self.playing_id: int | None = None
        self.path_points: list[tuple[float, float]] = []
        self._hover: int | None = None
        self._dragging = False
        self.empty_text = "Loading your library…"
        self.setAcceptDrops(True)

    # -- data -------------------------------------------------------------------------------------
    def set_tracks(self, ids: np.ndarray, points: np.ndarray, titles: Sequence[str | None],
                   artists: Sequence[str | None], density: QImage | None = None) -> None:
        """The analysed tracks; ``density`` (from pad_render, made in a worker) for big libraries."""
        self.ids = np.asarray(ids, dtype=np.int64)
        self.points = np.asarray(points, dtype=np.float64).reshape(-1, 2)
        self.titles, self.artists = titles, artists
        self._row_of = {int(t): i for i, t in enumerate(self.ids)}
        self._rgb = mood_rgb(self.points) if len(self.points) <= CRISP_MAX else np.empty((0, 3))
        self._density = density
        self._cache = None
        self._hover = None
        self.update()

    def set_target(self, valence: float, arousal: float, *, emit: bool = False) -> None:
        v, a = _clamp(valence), _clamp(arousal)
        if (v, a) == self.target:
            return
        self.target = (v, a)
        self.update()
        if emit:
            self.targetChanged.emit(v, a)

    def set_camera(self, valence: float | None, arousal: float | None, confidence: float = 0.0,
                   label: str = "") -> None:
        self.camera = None if valence is None or arousal is None else (valence, arousal, max(0.0, min(1.0, confidence)))
        self.camera_label = label
        self.update()

    def set_queue(self, track_ids: Sequence[int], labels: Sequence[int] | None = None) -> None:
        """The queued tracks, and the numbers the queue panel gives them (a mood path's steps keep
        their numbers as earlier steps are heard); by default 1, 2, 3…"""
        self.queue_ids = list(track_ids)
        self.queue_labels = list(labels) if labels is not None else list(range(1, len(self.queue_ids) + 1))
        self.update()

    def set_dot_colours(self, rgb: np.ndarray | None) -> None:
        """Colours for the dots ([n,3] in 0..1, in ``ids`` order; the mood clusters'), None for the
        mood blend. Only the crisp dots of a library up to CRISP_MAX tracks take them."""
        if rgb is None:
            rgb = mood_rgb(self.points) if len(self.points) <= CRISP_MAX else np.empty((0, 3))
        elif len(rgb) != len(self.points) or len(self.points) > CRISP_MAX:
            return
        rgb = np.asarray(rgb, dtype=np.float64)
        if self._cache is not None and np.array_equal(rgb, self._rgb):
            return      # the same colours (a reload that moved no dot between clusters): no redraw
        self._rgb = rgb
        self._cache = None
        self.update()

    def set_playing(self, track_id: int | None) -> None:
        self.playing_id = track_id
        self.update()

    def set_path(self, points: Sequence[tuple[float, float]]) -> None:
        self.path_points = list(points)
        self.update()

    # -- geometry ---------------------------------------------------------------------------------
    def plot_rect(self) -> QRectF:
        side = max(10.0, min(self.width(), self.height()) - 2 * MARGIN)
        return QRectF((self.width() - side) / 2, (self.height() - side) / 2, side, side)

    def hint_rect(self) -> QRectF:
        """Where the empty pad's words go: the half of the plane the handle is not in, clear of its
        glow, so the handle never sits on the text."""
        r = self.plot_rect()
        handle = self.to_px(*self.target)
        reach = HANDLE_REACH
        h = max(40.0, r.height() / 2 - reach - 8)
        if handle.y() >= r.center().y():      # handle in the lower half: words in the upper part
            bottom = min(r.center().y() + h / 2, handle.y() - reach)
            return QRectF(r.left() + 16, max(r.top() + 8, bottom - h), r.width() - 32, h)
        top = max(r.center().y() - h / 2, handle.y() + reach)
        return QRectF(r.left() + 16, top, r.width() - 32, min(h, r.bottom() - 8 - top))

    def to_px(self, valence: float, arousal: float) -> QPointF:
        r = self.plot_rect()
        return QPointF(r.left() + valence * r.width(), r.bottom() - arousal * r.height())

    def to_mood(self, pos: QPointF) -> tuple[float, float]:
        r = self.plot_rect()
        return _clamp((pos.x() - r.left()) / r.width()), _clamp((r.bottom() - pos.y()) / r.height())

    def dot_at(self, pos: QPointF) -> int | None:
        """Row of the dot under ``pos`` (nearest within a few pixels), or None."""
        if not len(self.points):
            return None
        r = self.plot_rect()
        dx = (self.points[:, 0] * r.width() + r.left()) - pos.x()
        dy = (r.bottom() - self.points[:, 1] * r.height()) - pos.y()
        d2 = dx * dx + dy * dy
        i = int(np.argmin(d2))
        return i if d2[i] <= HOVER_PX ** 2 else None

    def track_lines(self, row: int) -> tuple[str, str]:
        """What the hover tip says of a dot: title — artist, then where it sits on the pad."""
        title = self.titles[row] if row < len(self.titles) else None
        artist = self.artists[row] if row < len(self.artists) else None
        v, a = self.points[row]
        head = terminal_safe(title or "Untitled") + (f" — {terminal_safe(artist)}" if artist else "")
        return head, f"{region_phrase(float(v), float(a))} (valence {v:.2f}, arousal {a:.2f})"

    def track_tooltip(self, row: int) -> str:
        """The hover tip as escaped rich text: a tag in a title must show, not render."""
        return tooltip_html(*self.track_lines(row))

    # -- input ------------------------------------------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._dragging = True
            QToolTip.hideText()
            v, a = self.to_mood(event.position())
            self.set_target(v, a, emit=True)
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        pos = event.position()
        if self._dragging:
            v, a = self.to_mood(pos)
            self.set_target(v, a, emit=True)
            return
        row = self.dot_at(pos)
        if row != self._hover:
            self._hover = row
            self.update()
        if row is None:
            QToolTip.hideText()
        else:
            QToolTip.showText(event.globalPosition().toPoint(), self.track_tooltip(row), self)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self._dragging:
            self._dragging = False
            v, a = self.to_mood(event.position())
            self.set_target(v, a, emit=True)
            self.targetCommitted.emit(*self.target)
            return
        super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        row = self.dot_at(event.position())
        if row is not None:
            self.trackActivated.emit(int(self.ids[row]))

    def leaveEvent(self, event: QEvent) -> None:
        if self._hover is not None:
            self._hover = None
            self.update()
        super().leaveEvent(event)

    def event(self, event: QEvent) -> bool:
        # arrow keys nudge the target while the pad has focus (instead of the window's seek shortcuts)
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent) and \
                event.key() in (Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_Up, Qt.Key.Key_Down) and \
                not event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        step = 0.05 if event.modifiers() & Qt.KeyboardModifier.ShiftModifier else 0.02
        dv, da = {Qt.Key.Key_Left: (-step, 0), Qt.Key.Key_Right: (step, 0), Qt.Key.Key_Up: (0, step),
                  Qt.Key.Key_Down: (0, -step)}.get(Qt.Key(event.key()), (None, None))
        if dv is None:
            super().keyPressEvent(event)
            return
        self.set_target(self.target[0] + dv, self.target[1] + da, emit=True)
        self.targetCommitted.emit(*self.target)

    def dragEnterEvent(self, event: Any) -> None:
        # only photos: a dropped folder goes on to the window, which adds it to the library
        if dropped_photo(event.mimeData()) is not None:
            event.acceptProposedAction()

    def dropEvent(self, event: Any) -> None:
        path = dropped_photo(event.mimeData())
        if path is not None:
            event.acceptProposedAction()
            self.photoDropped.emit(str(path))

    def sizeHint(self) -> QSize:
        return QSize(560, 560)

    # -- painting ---------------------------------------------------------------------------------
    def resizeEvent(self, event: Any) -> None:
        self._cache = None
        super().resizeEvent(event)

    def paintEvent(self, event: Any) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.drawPixmap(0, 0, self._background())
        if not len(self.points):
            p.setPen(QColor(theme.MUTED))
            p.drawText(self.hint_rect(), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.empty_text)
        self._paint_path(p)
        self._paint_queue(p)
        self._paint_marker_rings(p)
        self._paint_camera(p)
        self._paint_target(p)
        p.end()

    def _background(self) -> QPixmap:
        """Plane, grid, labels and dots: everything that does not move during a drag. The plane and
        the words are kept per size (``pad_layers``); new data redraws only the dots."""
        dpr = self.devicePixelRatioF()
        key = (self.width(), self.height(), dpr, id(self._density), len(self.points))
        if self._cache is not None and self._cache_key == key:
            return self._cache
        r = self.plot_rect()
        size_key = (self.width(), self.height(), dpr, self.font().key())
        if self._layers_key != size_key:
            plane = blank(self.size(), dpr, QColor(theme.BACKGROUND))
            p = QPainter(plane)
            paint_plane(p, r, self.to_px)
            p.end()
            words = blank(self.size(), dpr, Qt.GlobalColor.transparent)
            p = QPainter(words)
            paint_words(p, r, self.font(), MARGIN)
            p.end()
            self._layers, self._layers_key = (plane, words), size_key
        plane, words = self._layers
        pix = plane.copy()
        pix.setDevicePixelRatio(dpr)
        p = QPainter(pix)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setClipPath(plane_clip(r))
        self._paint_dots(p, r, dpr)
        p.setClipping(False)
        p.drawPixmap(0, 0, words)
        p.end()
        self._cache, self._cache_key = pix, key
        return pix

    def _paint_dots(self, p: QPainter, r: QRectF, dpr: float) -> None:
        n = len(self.points)
        if n == 0:
            return
        if n > CRISP_MAX or not len(self._rgb):
            if self._density is not None:
                p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
                p.drawImage(r, self._density)
            return
        self._sprites.paint(p, r, self.points, self._rgb, dpr)

    def _dot_px(self, track_id: int) -> QPointF | None:
        row = self._row_of.get(int(track_id))
        if row is None:
            return None
        v, a = self.points[row]
        return self.to_px(float(v), float(a))

    def _paint_path(self, p: QPainter) -> None:
        if len(self.path_points) < 2:
            return
        c = QColor(theme.ACCENT)
        c.setAlpha(150)
        pen = QPen(c, 2, Qt.PenStyle.DashLine)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        p.setPen(pen)
        pts = [self.to_px(v, a) for v, a in self.path_points]
        for a, b in zip(pts, pts[1:]):
            p.drawLine(a, b)

    def _paint_queue(self, p: QPainter) -> None:
        tx = self.to_px(*self.target)
        labels = self.queue_labels
        shown = [(i, q) for i, tid in enumerate(self.queue_ids[:12]) if (q := self._dot_px(tid)) is not None]
        for i, q in reversed(shown):
            c = QColor(theme.TEXT)
            c.setAlpha(max(18, 70 - i * 5))
            p.setPen(QPen(c, 1))
            if not self.path_points:
                p.drawLine(tx, q)
            c.setAlpha(max(60, 200 - i * 12))
            p.setPen(QPen(c, 1.6))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawEllipse(q, 7.5, 7.5)
        if self.path_points:
            f = QFont(self.font())
            f.setPointSizeF(max(7.0, f.pointSizeF() * 0.8))
            f.setBold(True)
            p.setFont(f)
            p.setPen(QColor(theme.TEXT))
            for i, q in shown:
                label = labels[i] if i < len(labels) else i + 1
                p.drawText(QRectF(q.x() + 8, q.y() - 18, 24, 16), Qt.AlignmentFlag.AlignLeft, str(label))

    def _paint_marker_rings(self, p: QPainter) -> None:
        if self.playing_id is not None and (q := self._dot_px(self.playing_id)) is not None:
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.setPen(QPen(QColor(theme.TEXT), 2.4))
            p.drawEllipse(q, 10.5, 10.5)
        if self._hover is not None and self._hover < len(self.points):
            v, a = self.points[self._hover]
            p.setPen(QPen(QColor(theme.ACCENT), 2))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawEllipse(self.to_px(float(v), float(a)), 8, 8)

    def _paint_camera(self, p: QPainter) -> None:
        if self.camera is None:
            return
        v, a, conf = self.camera
        c = self.to_px(v, a)
        colour = QColor(theme.CAMERA)
        colour.setAlphaF(0.25 + 0.75 * conf)
        radius = 7 + 9 * conf
        halo = QColor(colour)
        halo.setAlphaF(0.10 + 0.15 * conf)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(halo)
        p.drawEllipse(c, radius + 8, radius + 8)
        pen = QPen(colour, 2.2, Qt.PenStyle.DashLine)
        p.setPen(pen)
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawEllipse(c, radius, radius)
        p.setPen(colour)
        label = self.camera_label or "you"
        p.drawText(QRectF(c.x() - 60, c.y() + radius + 2, 120, 18), Qt.AlignmentFlag.AlignHCenter, label)

    def _paint_target(self, p: QPainter) -> None:
        c = self.to_px(*self.target)
        colour = theme.mood_colour(*self.target)
        glow = QRadialGradient(c, 34)
        g = QColor(colour)
        g.setAlpha(120)
        glow.setColorAt(0.0, g)
        g.setAlpha(0)
        glow.setColorAt(1.0, g)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QBrush(glow))
        p.drawEllipse(c, 34, 34)
        p.setBrush(colour)
        p.setPen(QPen(QColor("#ffffff"), 2.5))
        p.drawEllipse(c, 11, 11)


def _clamp(x: float) -> float:
    return 0.0 if x < 0.0 else 1.0 if x > 1.0 else float(x)
