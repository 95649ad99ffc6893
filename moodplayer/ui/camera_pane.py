"""The camera pane of the main window (the source it reads, hiding it, its size), and the window's
keyboard shortcuts: kept out of main_window.py so that module stays one screenful of layout."""
from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut

from moodplayer.ui.camera_panel import parse_source

SEEK_STEP = 5.0


class CameraPane:
    """Mixed into MainWindow: expects ``camera``, ``camera_card``, ``side``, ``settings``, ``menus``
    and ``_camera_source`` on the window."""

    def _camera_device(self) -> int | str:
        return self._camera_source if self._camera_source is not None else parse_source(self.settings.camera_device)

    def _camera_source_chosen(self, value: str) -> None:
        """The panel's picker: remember the source and, if the camera is on, switch to it."""
        self._camera_source = None
        self.settings.camera_device = value
        if self.camera.running:
            self.camera.stop()
        self.camera.start()

    def _fit_camera_card(self, running: bool) -> None:
        """Off, the camera card shrinks to its few lines; on, it takes room for the picture."""
        sizes = self.side.sizes()
        total = sum(sizes) or 720
        small = self.camera_card.minimumSizeHint().height() + 16
        # off: no taller than its words, so the queue gets the room; on: room for the picture
        self.camera_card.setMaximumHeight(16777215 if running else small)
        want = max(small, min(400, int(total * 0.6))) if running else small
        self.side.setSizes([total - want, want])

    def show_camera_panel(self, shown: bool) -> None:
        """Hide the camera panel (the camera is turned off first: no camera runs unseen) or show it."""
        if not shown and self.camera.running:
            self.camera.stop()
        self.camera_card.setVisible(shown)
        self.menus.actions["camera_panel"].setChecked(shown)
        self.settings.camera_panel_shown = shown


def install_shortcuts(self: Any) -> None:
    """The window's keys: play/pause, seek, next/previous, like; Esc leaves the search box."""
    keys: list[tuple[Qt.Key | QKeySequence, Callable[[], None]]] = [
        (Qt.Key.Key_Space, self.play_pause),
        (Qt.Key.Key_MediaTogglePlayPause, self.play_pause),
        (Qt.Key.Key_MediaPlay, self.play_pause),
        (Qt.Key.Key_MediaPause, self.player_pause),
        (Qt.Key.Key_MediaNext, self.playback.next),
        (Qt.Key.Key_MediaPrevious, self.player.previous),
        (Qt.Key.Key_Right, lambda: self.player.seek_relative(SEEK_STEP)),
        (Qt.Key.Key_Left, lambda: self.player.seek_relative(-SEEK_STEP)),
        (QKeySequence("Ctrl+Right"), self.playback.next),
        (QKeySequence("Ctrl+Left"), self.player.previous),
        (QKeySequence("Ctrl+L"), self.playback.like),
    ]
    self._shortcut_objects = []
    for key, fn in keys:
        sc = QShortcut(QKeySequence(key), self)
        sc.activated.connect(fn)
        self._shortcut_objects.append(sc)
    leave = QShortcut(QKeySequence("Escape"), self.search)   # Esc in the search: back to the pad
    leave.setContext(Qt.ShortcutContext.WidgetShortcut)
    leave.activated.connect(self.pad.setFocus)
    self._shortcut_objects.append(leave)
