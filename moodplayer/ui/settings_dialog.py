"""The preferences dialog: camera (a camera number or a video file), camera analysis rate, audio
output, the analysis throttle and the library folders rescanned at start-up. Changes are written to
QSettings on OK; the window then scans the folders that were added."""
from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QDoubleSpinBox, QFileDialog, QFormLayout,
                               QHBoxLayout, QLabel, QListWidget, QPushButton, QVBoxLayout, QWidget)

from moodplayer.display import display_path
from moodplayer.ui.camera_source import SourcePicker
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
    def __init__(self, settings: Settings, parent: QWidget | None = None,
                 devices: list[tuple[str, str]] | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")     # shown as "Settings — moodplayer": Qt adds the application's name
        self.setMinimumWidth(520)
        self.settings = settings
        self.added: list[str] = []          # folders added here (the window scans them on OK)
        self.camera = SourcePicker(settings.camera_device)
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
        i = self.audio.findData("" if current is None else str(current))
        self.audio.setCurrentIndex(max(0, i))
        self.workers = QComboBox()
        self.workers.setToolTip("Mood analysis of new tracks runs in the background at low priority; "
                                "fewer processes leave more of the computer for everything else")
        cores = os.cpu_count() or 1
        self.workers.addItem(f"Full speed (one process per core: {cores})", 0)
        for n in range(1, cores + 1):
            self.workers.addItem("Gentle (1 process)" if n == 1 else f"{n} processes", n)
        self.workers.setCurrentIndex(max(0, self.workers.findData(settings.analysis_workers)))

        self.folders = QListWidget()
        self.folders.setObjectName("folderList")
        for f in settings.library_folders:
            self.folders.addItem(display_path(f))
            self.folders.item(self.folders.count() - 1).setData(256, f)   # Qt.UserRole: the stored path
        self.folders.setMinimumHeight(90)
        self.add_folder_button = QPushButton("Add…")
        self.remove_folder_button = QPushButton("Remove")
        self.remove_folder_button.setToolTip("Stop rescanning this folder (its tracks stay in the library)")
        self.add_folder_button.clicked.connect(lambda: self.add_folder())
        self.remove_folder_button.clicked.connect(self.remove_folder)
        self.folders.currentRowChanged.connect(lambda r: self.remove_folder_button.setEnabled(r >= 0))
        self.remove_folder_button.setEnabled(False)
        folder_buttons = QVBoxLayout()
        folder_buttons.addWidget(self.add_folder_button)
        folder_buttons.addWidget(self.remove_folder_button)
        folder_buttons.addStretch(1)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folders, 1)
        folder_row.addLayout(folder_buttons)
        note = QLabel("Audio output changes take effect at the next start.")
        note.setObjectName("mutedLabel")

        form = QFormLayout()
        form.addRow("Camera", self.camera)
        form.addRow("Camera reads", self.fps)
        form.addRow("Audio output", self.audio)
        form.addRow("Mood analysis", self.workers)
        form.addRow("Music folders", folder_row)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(note)
        lay.addWidget(buttons)

    def folder_paths(self) -> list[str]:
        return [str(self.folders.item(i).data(256)) for i in range(self.folders.count())]

    def add_folder(self, folder: str | None = None) -> None:
        """Browse for a music folder (or take ``folder``); it is scanned once OK is pressed."""
        if not folder:
            folder = QFileDialog.getExistingDirectory(self, "Add music folder", str(Path.home()))
        if not folder:
            return
        f = str(Path(folder).expanduser().resolve())
        if f in self.folder_paths():
            return
        self.folders.addItem(display_path(f))
        self.folders.item(self.folders.count() - 1).setData(256, f)
        self.added.append(f)

    def remove_folder(self) -> None:
        row = self.folders.currentRow()
        if row >= 0:
            f = str(self.folders.takeItem(row).data(256))
            if f in self.added:
                self.added.remove(f)

    def accept(self) -> None:
        self.settings.camera_device = self.camera.value()
        self.settings.camera_fps = self.fps.value()
        self.settings.audio_device = self.audio.currentData() or None
        self.settings.analysis_workers = int(self.workers.currentData() or 0)
        self.settings.library_folders = self.folder_paths()
        self.settings.sync()
        super().accept()
