"""Persistent settings (QSettings): folders, devices, camera throttle, volume, last target, geometry.

QSettings stores strings on Linux (an INI file); every getter converts and falls back to a default, so
a hand-edited or older settings file never stops the app from starting.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QSettings


class Settings:
    def __init__(self, qsettings: QSettings | None = None) -> None:
        self.q = qsettings or QSettings()

    # -- helpers ----------------------------------------------------------------------------------
    def _float(self, key: str, default: float, lo: float = 0.0, hi: float = 1.0) -> float:
        try:
            v = float(self.q.value(key, default))
        except (TypeError, ValueError):
            return default
        return min(hi, max(lo, v)) if v == v else default

    def _set(self, key: str, value: Any) -> None:
        self.q.setValue(key, value)

    def sync(self) -> None:
        self.q.sync()

    # -- library ----------------------------------------------------------------------------------
    @property
    def library_folders(self) -> list[str]:
        raw = self.q.value("library/folders", [])
        if isinstance(raw, str):
            raw = [raw] if raw else []
        return [str(x) for x in (raw or [])]

    def add_library_folder(self, folder: str | Path) -> None:
        folders = self.library_folders
        f = str(Path(folder).expanduser().resolve())
        if f not in folders:
            folders.append(f)
            self._set("library/folders", folders)

    # -- devices ----------------------------------------------------------------------------------
    @property
    def camera_device(self) -> str:
        """A camera number ("0") or a video file path read as a camera."""
        return str(self.q.value("camera/device", "0") or "0")

    @camera_device.setter
    def camera_device(self, value: str) -> None:
        self._set("camera/device", str(value))

    @property
    def camera_fps(self) -> float:
        """Throttle: camera frames analysed per second."""
        return self._float("camera/fps", 8.0, 1.0, 30.0)

    @camera_fps.setter
    def camera_fps(self, value: float) -> None:
        self._set("camera/fps", float(value))

    @property
    def camera_follow(self) -> bool:
        return str(self.q.value("camera/follow", "false")).lower() in ("1", "true", "yes")

    @camera_follow.setter
    def camera_follow(self, value: bool) -> None:
        self._set("camera/follow", bool(value))

    @property
    def audio_device(self) -> int | str | None:
        """PortAudio output device: number, name, or None for the system default."""
        raw = self.q.value("audio/device", "")
        text = str(raw or "").strip()
        if not text:
            return None
        return int(text) if text.isdigit() else text

    @audio_device.setter
    def audio_device(self, value: int | str | None) -> None:
        self._set("audio/device", "" if value is None else str(value))

    # -- playback and mood ------------------------------------------------------------------------
    @property
    def volume(self) -> float:
        return self._float("playback/volume", 0.8)

    @volume.setter
    def volume(self, value: float) -> None:
        self._set("playback/volume", float(value))

    @property
    def last_target(self) -> tuple[float, float]:
        return self._float("mood/valence", 0.6), self._float("mood/arousal", 0.5)

    @last_target.setter
    def last_target(self, value: tuple[float, float]) -> None:
        self._set("mood/valence", float(value[0]))
        self._set("mood/arousal", float(value[1]))

    # -- window -----------------------------------------------------------------------------------
    @property
    def geometry(self) -> QByteArray | None:
        v = self.q.value("window/geometry")
        return v if isinstance(v, QByteArray) and not v.isEmpty() else None

    @geometry.setter
    def geometry(self, value: QByteArray) -> None:
        self._set("window/geometry", value)

    @property
    def splitter_state(self) -> QByteArray | None:
        v = self.q.value("window/splitter")
        return v if isinstance(v, QByteArray) and not v.isEmpty() else None

    @splitter_state.setter
    def splitter_state(self, value: QByteArray) -> None:
        self._set("window/splitter", value)
