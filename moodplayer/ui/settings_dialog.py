"""A small preferences dialog: camera (device number or a video file), camera analysis rate, audio output,
and the library folders that are rescanned at start-up. Changes are written to QSettings on OK."""
from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QDoubleSpinBox, QFormLayout, QLabel,
                               QListWidget, QVBoxLayout, QWidget)

from moodplayer.ui.settings import Settings


def output_devices() -> list[tuple[str, str]]:
    """(settings value, label) for every PortAudio output; [] when PortAudio is unavailable."""
    try:
        import sounddevice as sd

        devices = sd.query_devices()
        apis = sd.query_hostapis()
    except Exception:  # noqa: BLE001 - no PortAudio: the default entry is all we can offer
        return []
    return [(str(i), f"{d['name']} ({apis[d['hostapi']]['name']})") for i, d in enumerate(devices)
            if d["max_output_channels"] > 0]


class SettingsDialog(QDialog):
    def __init__(self, settings: Settings, parent: QWidget | None = None, devices: list[tuple[str, str]] | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("moodplayer settings")
        self.settings = settings
        self.camera = QComboBox()
        self.camera.setEditable(True)
        self.camera.setToolTip("A camera number, or the path of a video file read as if it were a camera")
        for i in range(4):
            self.camera.addItem(f"Camera {i}", str(i))
        self._select(self.camera, settings.camera_device)
        self.fps = QDoubleSpinBox()
        self.fps.setRange(1.0, 30.0)
        self.fps.setSuffix(" frames/s")
        self.fps.setValue(settings.camera_fps)
        self.fps.setToolTip("How often the camera picture is read for a mood: lower saves CPU for the music")
        self.audio = QComboBox()
        self.audio.addItem("System default", "")
        for value, label in (devices if devices is not None else output_devices()):
            self.audio.addItem(label, value)
        current = settings.audio_device
        self._select(self.audio, "" if current is None else str(current))
        self.folders = QListWidget()
        self.folders.addItems(settings.library_folders)
        self.folders.setMaximumHeight(110)
        note = QLabel("Audio output changes take effect at the next start.")
        note.setObjectName("mutedLabel")

        form = QFormLayout()
        form.addRow("Camera", self.camera)
        form.addRow("Camera reads", self.fps)
        form.addRow("Audio output", self.audio)
        form.addRow("Library folders", self.folders)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(note)
        lay.addWidget(buttons)

    @staticmethod
    def _select(combo: QComboBox, value: str) -> None:
        i = combo.findData(value)
        if i >= 0:
            combo.setCurrentIndex(i)
        elif combo.isEditable():
            combo.setEditText(value)

    def accept(self) -> None:
        cam: Any = self.camera.currentData() if self.camera.currentText() == self.camera.itemText(
            self.camera.currentIndex()) else self.camera.currentText()
        self.settings.camera_device = str(cam if cam is not None else self.camera.currentText()).strip() or "0"
        self.settings.camera_fps = self.fps.value()
        self.settings.audio_device = self.audio.currentData() or None
        self.settings.sync()
        super().accept()
