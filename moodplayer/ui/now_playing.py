"""Now playing bar: cover, title and artist, why the track was picked, transport, the mood-timeline
seek bar and the volume. It shows what it is told and reports clicks; the window wires it up.
"""
from __future__ import annotations

from typing import Sequence

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPainterPath, QPixmap, QResizeEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSlider, QToolButton, QVBoxLayout, QWidget

from moodplayer.display import terminal_safe, tooltip_html
from moodplayer.ui import icons, theme
from moodplayer.ui.library_model import format_duration
from moodplayer.ui.mood_strip import MoodStrip

COVER = 76


def _rounded(pix: QPixmap, size: int, radius: float = 10.0) -> QPixmap:
    out = QPixmap(size, size)
    out.fill(Qt.GlobalColor.transparent)
    p = QPainter(out)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    path = QPainterPath()
    path.addRoundedRect(QRectF(0, 0, size, size), radius, radius)
    p.setClipPath(path)
    scaled = pix.scaled(size, size, Qt.AspectRatioMode.KeepAspectRatioByExpanding,
                        Qt.TransformationMode.SmoothTransformation)
    p.drawPixmap((size - scaled.width()) // 2, (size - scaled.height()) // 2, scaled)
    p.end()
    return out


def placeholder_cover(valence: float | None, arousal: float | None, size: int = COVER) -> QPixmap:
    """No cover art: a soft gradient in the track's mood colour."""
    from PySide6.QtGui import QLinearGradient

    pix = QPixmap(size, size)
    pix.fill(Qt.GlobalColor.transparent)
    p = QPainter(pix)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    c = theme.mood_colour(valence, arousal)
    g = QLinearGradient(0, 0, size, size)
    g.setColorAt(0.0, c.lighter(115))
    g.setColorAt(1.0, QColor(theme.SURFACE_HI))
    path = QPainterPath()
    path.addRoundedRect(QRectF(0, 0, size, size), 10, 10)
    p.fillPath(path, g)
    p.end()
    return pix


class ElidedLabel(QLabel):
    """One line that ends in "…" when it does not fit (QLabel would clip it mid-letter).

    Plain text only: it shows tags, and a tag is untrusted text that QLabel would otherwise render
    as HTML (an ``<img src=...>`` title would load that file).
    """

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self._full = ""
        self.setMinimumWidth(40)
        self.setFullText(text)

    def setFullText(self, text: str) -> None:  # noqa: N802 - Qt naming, like setText
        self._full = terminal_safe(text)
        self._elide()

    def fullText(self) -> str:  # noqa: N802
        return self._full

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        self.setText(self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideRight, max(10, self.width())))


class NowPlaying(QWidget):
    playPauseClicked = Signal()
    nextClicked = Signal()
    previousClicked = Signal()
    likeClicked = Signal()
    seekRequested = Signal(float)
    volumeChanged = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("nowPlaying")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.track_id: int | None = None

        self.cover = QLabel()
        self.cover.setFixedSize(COVER, COVER)
        self.cover.setPixmap(placeholder_cover(None, None))
        self.title = ElidedLabel("Nothing playing")
        self.title.setObjectName("trackTitle")
        self.artist = ElidedLabel("Pick a mood, then press Space")
        self.artist.setObjectName("trackArtist")
        self.why = ElidedLabel("")
        self.why.setObjectName("whyLabel")
        text = QVBoxLayout()
        text.setSpacing(2)
        text.addStretch(1)
        text.addWidget(self.title)
        text.addWidget(self.artist)
        text.addWidget(self.why)
        text.addStretch(1)

        self.prev_btn = self._button("previous", "Previous (Ctrl+Left)", 34)
        self.play_btn = self._button("play", "Play / pause (Space)", 46)
        self.play_btn.setObjectName("playButton")
        self.next_btn = self._button("next", "Next (Ctrl+Right)", 34)
        self.like_btn = self._button("heart", "I like this here: keep it near this mood", 30)
        self.like_btn.setCheckable(True)
        self.prev_btn.clicked.connect(self.previousClicked)
        self.play_btn.clicked.connect(self.playPauseClicked)
        self.next_btn.clicked.connect(self.nextClicked)
        self.like_btn.clicked.connect(self.likeClicked)
        transport = QHBoxLayout()
        transport.setSpacing(6)
        for b in (self.like_btn, self.prev_btn, self.play_btn, self.next_btn):
            transport.addWidget(b)

        self.elapsed = QLabel("0:00")
        self.elapsed.setObjectName("timeLabel")
        self.total = QLabel("0:00")
        self.total.setObjectName("timeLabel")
        self.strip = MoodStrip()
        self.strip.seekRequested.connect(self.seekRequested)
        seek = QHBoxLayout()
        seek.addWidget(self.elapsed)
        seek.addWidget(self.strip, 1)
        seek.addWidget(self.total)
        centre = QVBoxLayout()
        centre.setSpacing(4)
        centre.addLayout(transport)
        centre.setAlignment(transport, Qt.AlignmentFlag.AlignHCenter)
        centre.addLayout(seek)

        vol_icon = QLabel()
        vol_icon.setPixmap(icons.icon("volume", theme.MUTED).pixmap(18, 18))
        self.volume = QSlider(Qt.Orientation.Horizontal)
        self.volume.setObjectName("volumeSlider")
        self.volume.setRange(0, 100)
        self.volume.setFixedWidth(110)
        self.volume.setToolTip("Volume")
        self.volume.valueChanged.connect(lambda v: self.volumeChanged.emit(v / 100.0))
        vol = QHBoxLayout()
        vol.addWidget(vol_icon)
        vol.addWidget(self.volume)

        lay = QHBoxLayout(self)
        lay.setContentsMargins(16, 10, 20, 10)
        lay.setSpacing(14)
        lay.addWidget(self.cover)
        left = QWidget()
        left.setLayout(text)
        left.setMinimumWidth(240)
        left.setMaximumWidth(380)
        lay.addWidget(left, 2)
        lay.addLayout(centre, 5)
        lay.addLayout(vol)

    def _button(self, name: str, tip: str, size: int) -> QToolButton:
        b = QToolButton()
        b.setIcon(icons.icon(name))
        b.setIconSize(QSize(int(size * 0.55), int(size * 0.55)))
        b.setFixedSize(size, size)
        b.setToolTip(tip)
        b.setAutoRaise(True)
        b.setObjectName("transportButton")
        b.setProperty("iconName", name)
        return b

    # -- updates ------------------------------------------------------------------------------------
    def set_track(self, track_id: int | None, title: str, artist: str | None, album: str | None,
                  why: str, mood: tuple[float | None, float | None] = (None, None), why_detail: str = "") -> None:
        self.track_id = track_id
        self.title.setFullText(title)
        self.title.setToolTip(tooltip_html(title))
        self.artist.setFullText(" · ".join(x for x in (artist, album) if x) or "Unknown artist")
        self.why.setFullText(why)
        self.why.setToolTip(tooltip_html(why_detail or why))
        self.cover.setPixmap(placeholder_cover(*mood))
        self.like_btn.setChecked(False)
        self.strip.set_track([], None)

    def set_details(self, windows: Sequence[Sequence[float]], duration: float | None,
                    cover: QImage | None) -> None:
        """``cover`` arrives decoded and scaled by the worker (tracks' pictures can be megabytes)."""
        self.strip.set_track(windows, duration)
        self.total.setText(format_duration(duration))
        if cover is not None and not cover.isNull():
            self.cover.setPixmap(_rounded(QPixmap.fromImage(cover), COVER))

    def set_position(self, seconds: float, duration: float | None) -> None:
        self.strip.set_position(seconds, duration)
        self.elapsed.setText(format_duration(seconds))
        if duration:
            self.total.setText(format_duration(duration))

    def set_playing(self, playing: bool) -> None:
        self.play_btn.setIcon(icons.icon("pause" if playing else "play"))

    def set_volume(self, volume: float) -> None:
        self.volume.blockSignals(True)
        self.volume.setValue(int(round(volume * 100)))
        self.volume.blockSignals(False)

    def clear(self, message: str = "Nothing playing") -> None:
        self.track_id = None
        self.title.setFullText(message)
        self.title.setToolTip("")
        self.artist.setFullText("")
        self.artist.setToolTip("")
        self.why.setFullText("")
        self.why.setToolTip("")
        self.set_playing(False)
        self.cover.setPixmap(placeholder_cover(None, None))
        self.strip.set_track([], None)
        self.elapsed.setText("0:00")
        self.total.setText("0:00")

    def show_notice(self, title: str, lines: Sequence[str], detail: str = "") -> None:
        """Something the listener must act on (no sound output), said in place of the track in two
        short lines; ``detail`` (the full advice, the system's own words) is the tooltip."""
        self.clear(title)
        first, second = (list(lines) + ["", ""])[:2]
        self.artist.setFullText(first)
        self.why.setFullText(second)
        for label in (self.title, self.artist, self.why):
            label.setToolTip(tooltip_html(*detail.splitlines()) if detail else "")

    def sizeHint(self) -> QSize:
        return QSize(900, 96)
