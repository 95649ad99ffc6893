"""Which camera to read: a list of camera numbers plus "Browse…" for a video file read as a camera.

Shared by the camera panel and the settings dialog. The value is the settings' text: "0" for the
first camera, or a video file's path.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFileDialog, QHBoxLayout, QPushButton, QSizePolicy, QWidget

from moodplayer.display import display_path

CAMERAS = 4
VIDEO_FILTER = "Videos (*.mp4 *.mkv *.webm *.avi *.mov *.m4v *.mpg *.mpeg *.ogv);;All files (*)"


def source_label(value: str) -> str:
    value = (value or "0").strip()
    return f"Camera {int(value)}" if value.isdigit() else f"Video: {Path(display_path(value)).name}"


class SourcePicker(QWidget):
    sourceChosen = Signal(str)      # the user picked a source (a camera number or a file path)

    def __init__(self, value: str = "0", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.combo = QComboBox()
        self.combo.setObjectName("cameraSource")
        self.combo.setToolTip("The camera to read your face from, or a video file read as if it were a camera")
        self.combo.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.combo.setMinimumContentsLength(8)
        for i in range(CAMERAS):
            self.combo.addItem(source_label(str(i)), str(i))
        self.browse = QPushButton("Browse…")
        self.browse.setObjectName("browseVideo")
        self.browse.setToolTip("Read a video file instead of a camera")
        self.browse.clicked.connect(self.choose_file)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(6)
        lay.addWidget(self.combo, 1)
        lay.addWidget(self.browse)
        self.set_value(value)
        self.combo.activated.connect(lambda _: self.sourceChosen.emit(self.value()))

    def value(self) -> str:
        return str(self.combo.currentData() or "0")

    def set_value(self, value: str) -> None:
        """Select ``value`` (adding a file to the list the first time it is seen); no signal."""
        value = (value or "0").strip()
        i = self.combo.findData(value)
        if i < 0:
            self.combo.addItem(source_label(value), value)
            i = self.combo.count() - 1
            self.combo.setItemData(i, display_path(value), 3)   # Qt.ToolTipRole: the full path
        self.combo.setCurrentIndex(i)

    def choose_file(self, path: str | None = None) -> None:
        """Browse for a video file (or take ``path``, as a test would) and choose it."""
        if not path:
            current = self.value()
            start = str(Path(current).parent) if not current.isdigit() else str(Path.home())
            path, _ = QFileDialog.getOpenFileName(self, "Read a video file as the camera", start, VIDEO_FILTER)
        if path:
            self.set_value(str(path))
            self.sourceChosen.emit(self.value())
