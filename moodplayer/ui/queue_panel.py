"""Up next: the queue for the current mood, each track with its distance and the reason it was picked,
plus the mood-path controls ("lift me up", "wind down") and the library's mood clusters ("play this
cluster").

The path and cluster controls move the pad's target, so the window shows them under the pad
(``mood_controls``), where the pad's column has height to spare; the queue keeps its height for rows.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QPushButton,
                               QSizePolicy, QStyle, QStyledItemDelegate, QStyleOptionViewItem, QVBoxLayout,
                               QWidget)

from moodplayer.display import display_path, terminal_safe, tooltip_html
from moodplayer.ui import icons, theme

if TYPE_CHECKING:
    from moodplayer.recommend.queue import Pick

PICK_ROLE = Qt.ItemDataRole.UserRole + 2
_Index = QModelIndex | QPersistentModelIndex


def tracks_text(n: int) -> str:
    """'1 track', '12 tracks', '1,204 tracks'."""
    return f"{n:,} track" + ("" if n == 1 else "s")


def _title(pick: "Pick") -> str:
    """The pick's title, else its file name, as one printable line (tags are untrusted text)."""
    return terminal_safe(pick.title or display_path(pick.path).rsplit("/", 1)[-1])


class PickDelegate(QStyledItemDelegate):
    """Two lines per pick: number, title and distance; artist underneath; a dot in the track's colour."""

    ROW_H = 42

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        return QSize(200, self.ROW_H)

    def paint(self, p: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        pick = index.data(PICK_ROLE)
        if pick is None:
            return super().paint(p, option, index)
        p.save()
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        r = QRectF(option.rect).adjusted(4, 2, -4, -2)
        if option.state & QStyle.StateFlag.State_Selected:
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QColor(theme.SURFACE_HI))
            p.drawRoundedRect(r, 8, 8)
        elif option.state & QStyle.StateFlag.State_MouseOver:
            hover = QColor(theme.SURFACE_HI)
            hover.setAlpha(120)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(hover)
            p.drawRoundedRect(r, 8, 8)
        base = QFont(option.font)
        small = QFont(base)
        small.setPointSizeF(max(7.5, base.pointSizeF() * 0.88))
        num_w = 26.0
        p.setFont(small)
        p.setPen(QColor(theme.MUTED))
        label = f"{pick.step[0]}" if pick.step else f"{index.row() + 1}"
        p.drawText(QRectF(r.left(), r.top(), num_w, r.height()), Qt.AlignmentFlag.AlignCenter, label)
        dot = theme.mood_colour(pick.valence, pick.arousal)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(dot)
        p.drawEllipse(QRectF(r.left() + num_w, r.center().y() - 4, 8, 8))
        text_left = r.left() + num_w + 16
        dist = f"{pick.distance:.2f}"
        dist_w = QFontMetrics(small).horizontalAdvance(dist) + 6
        p.setPen(QColor(theme.MUTED))
        p.drawText(QRectF(r.right() - dist_w, r.top(), dist_w, r.height() / 2 + 4),
                   Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom, dist)
        width = r.right() - dist_w - text_left - 6
        title_font = QFont(base)
        title_font.setWeight(QFont.Weight.DemiBold)
        p.setFont(title_font)
        p.setPen(QColor(theme.TEXT))
        title = QFontMetrics(title_font).elidedText(_title(pick), Qt.TextElideMode.ElideRight, int(width))
        p.drawText(QRectF(text_left, r.top(), width, r.height() / 2 + 4),
                   Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom, title)
        p.setFont(small)
        p.setPen(QColor(theme.MUTED))
        artist = QFontMetrics(small).elidedText(terminal_safe(pick.artist or "Unknown artist"),
                                                Qt.TextElideMode.ElideRight,
                                                int(r.right() - text_left))
        p.drawText(QRectF(text_left, r.center().y() + 3, r.right() - text_left, r.height() / 2 - 3),
                   Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, artist)
        p.restore()


class QueuePanel(QWidget):
    trackActivated = Signal(int)     # double-clicked: play this one now
    liftRequested = Signal()
    calmRequested = Signal()
    clusterRequested = Signal(int)   # "play this cluster": the cluster's number (0-based)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("queuePanel")
        title = QLabel("Up next")
        title.setObjectName("sectionTitle")
        self.subtitle = QLabel("")
        self.subtitle.setObjectName("mutedLabel")
        head = QHBoxLayout()
        head.addWidget(title)
        head.addStretch(1)
        head.addWidget(self.subtitle)

        self.list = QListWidget()
        self.list.setObjectName("queueList")
        self.list.setItemDelegate(PickDelegate(self.list))
        self.list.setMouseTracking(True)
        self.list.setUniformItemSizes(True)
        self.list.setVerticalScrollMode(QListWidget.ScrollMode.ScrollPerPixel)
        self.list.itemDoubleClicked.connect(self._activated)
        self.list.itemActivated.connect(self._activated)

        self.lift = QPushButton(icons.icon("lift", theme.TEXT), "Lift me up")
        self.lift.setObjectName("pathButton")
        self.lift.setToolTip("A mood path: start where you are, step by step toward happy and lively")
        self.calm = QPushButton(icons.icon("calm", theme.TEXT), "Wind down")
        self.calm.setObjectName("pathButton")
        self.calm.setToolTip("A mood path: start where you are, step by step toward calm and content")
        self.lift.clicked.connect(self.liftRequested)
        self.calm.clicked.connect(self.calmRequested)
        buttons = QHBoxLayout()
        buttons.addWidget(self.lift)
        buttons.addWidget(self.calm)

        # mood clusters of the library (K-means, K by silhouette): pick one, queue its tracks
        self.clusters = QComboBox()
        self.clusters.setObjectName("clusterPicker")
        self.clusters.setToolTip("The library's mood clusters: groups of tracks that sit together on the pad")
        self.clusters.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.clusters.setMinimumContentsLength(8)
        self.play_cluster = QPushButton(icons.icon("play", theme.TEXT), "Play")
        self.play_cluster.setObjectName("pathButton")
        self.play_cluster.setToolTip("Play this cluster: its tracks, nearest its centre first")
        self.play_cluster.clicked.connect(self._cluster_clicked)
        self.cluster_row = QWidget()
        row = QHBoxLayout(self.cluster_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.clusters, 1)
        row.addWidget(self.play_cluster)
        self.cluster_row.hide()

        self.mood_controls = QWidget()      # placed by the window (under the pad)
        self.mood_controls.setObjectName("moodControls")
        controls = QVBoxLayout(self.mood_controls)
        controls.setContentsMargins(0, 0, 0, 0)
        controls.setSpacing(8)
        controls.addLayout(buttons)
        controls.addWidget(self.cluster_row)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(14, 12, 14, 10)
        lay.setSpacing(6)
        lay.addLayout(head)
        lay.addWidget(self.list, 1)
        self.picks: list[Pick] = []
        self.analysing = 0
        self._path_name = ""
        self.set_empty("Analysed tracks will queue up here.")

    def set_empty(self, text: str) -> None:
        self.list.clear()
        item = QListWidgetItem(text)
        item.setFlags(Qt.ItemFlag.NoItemFlags)
        self.list.addItem(item)

    def set_picks(self, picks: Sequence["Pick"], path: bool | str = False) -> None:
        """The queue to show; ``path`` names what the picks are ("mood path", "cluster 2 · …"), or
        True for a mood path, False/"" for the plain nearest-first queue. The same picks again (an
        index reload during the analysis that brought nothing nearer) keep their rows: no repaint."""
        name = "mood path" if path is True else (path or "")
        if picks and list(picks) == self.picks and name == self._path_name:
            self._show_subtitle()
            return
        self.picks = list(picks)
        self.list.setUpdatesEnabled(False)
        self.list.clear()
        for pick in self.picks:
            item = QListWidgetItem()
            item.setData(PICK_ROLE, pick)
            item.setData(Qt.ItemDataRole.DisplayRole, f"{_title(pick)} — {terminal_safe(pick.artist or '')}")
            item.setToolTip(tooltip_html(pick.why))
            self.list.addItem(item)
        self.list.setUpdatesEnabled(True)
        self._path_name = name
        if not self.picks:
            self.set_empty(self._empty_text())
        self._show_subtitle()

    def set_analysing(self, remaining: int) -> None:
        """``remaining`` tracks are being analysed (0: none): said where the queue would be."""
        if remaining == self.analysing:
            return
        self.analysing = max(0, int(remaining))
        if not self.picks:
            self.set_empty(self._empty_text())
        self._show_subtitle()

    def _empty_text(self) -> str:
        if self.analysing:
            return f"Analysing {tracks_text(self.analysing)}… they queue up here as their mood is known."
        return "No analysed tracks yet: add a music folder."

    def _show_subtitle(self) -> None:
        parts = [self._path_name] if self._path_name and self.picks else []
        if self.analysing:     # more to come: that matters more than how many are queued
            parts.append(f"analysing {tracks_text(self.analysing)}…")
        elif self.picks:
            parts.append(tracks_text(len(self.picks)))
        self.subtitle.setText(" · ".join(parts))

    # -- mood clusters --------------------------------------------------------------------------------
    def set_clusters(self, clusters: Sequence[tuple[str, str, int]]) -> None:
        """(name, colour "#rrggbb", track count) per cluster; none hides the picker."""
        current = self.clusters.currentIndex()
        self.clusters.clear()
        for i, (name, colour, count) in enumerate(clusters):
            self.clusters.addItem(theme.dot_icon(colour, 12), f"{name} ({count:,})", i)
            self.clusters.setItemData(i, f"Cluster {i + 1}: {name}, {tracks_text(count)}",
                                      Qt.ItemDataRole.ToolTipRole)
        if 0 <= current < self.clusters.count():
            self.clusters.setCurrentIndex(current)
        self.cluster_row.setVisible(bool(clusters))

    def _cluster_clicked(self) -> None:
        i = self.clusters.currentData()
        if i is not None:
            self.clusterRequested.emit(int(i))

    def track_ids(self) -> list[int]:
        return [p.track_id for p in self.picks]

    def _activated(self, item: QListWidgetItem) -> None:
        pick = item.data(PICK_ROLE)
        if pick is not None:
            self.trackActivated.emit(int(pick.track_id))
