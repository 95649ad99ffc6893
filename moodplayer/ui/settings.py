"""Persistent settings (QSettings): folders, devices, camera and analysis throttles, volume, last
target, last track and position, window geometry and the sizes of the window's panes.

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

    @library_folders.setter
    def library_folders(self, folders: list[str]) -> None:
        self._set("library/folders", [str(f) for f in folders])

    def add_library_folder(self, folder: str | Path) -> None:
        folders = self.library_folders
        f = str(Path(folder).expanduser().resolve())
        if f not in folders:
            folders.append(f)
            self._set("library/folders", folders)

    def remove_library_folder(self, folder: str | Path) -> None:
        """Forget a folder: it is no longer rescanned at start-up (its tracks stay in the library)."""
        self.library_folders = [f for f in self.library_folders if f != str(folder)]

    @property
    def analysis_workers(self) -> int:
        """Analysis throttle: worker processes for mood analysis; 0 = as many as the CPU has cores."""
        try:
            n = int(str(self.q.value("analysis/workers", 0)))
        except (TypeError, ValueError):
            return 0
        return max(0, min(64, n))

    @analysis_workers.setter
    def analysis_workers(self, value: int) -> None:
        self._set("analysis/workers", int(value))

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

    @property
    def last_track(self) -> tuple[int, float] | None:
        """The track heard when the window closed and how far into it (seconds), or None."""
        try:
            tid = int(str(self.q.value("playback/last_track", "")))
        except (TypeError, ValueError):
            return None
        return tid, self._float("playback/last_position", 0.0, 0.0, 1e7)

    @last_track.setter
    def last_track(self, value: tuple[int, float] | None) -> None:
        if value is None:
            self.q.remove("playback/last_track")
            self.q.remove("playback/last_position")
        else:
            self._set("playback/last_track", int(value[0]))
            self._set("playback/last_position", float(value[1]))

    # -- window -----------------------------------------------------------------------------------
    @property
    def geometry(self) -> QByteArray | None:
        v = self.q.value("window/geometry")
        return v if isinstance(v, QByteArray) and not v.isEmpty() else None

    @geometry.setter
    def geometry(self, value: QByteArray) -> None:
        self._set("window/geometry", value)

    # A layout change makes old pane sizes meaningless (QSplitter.restoreState would even restore an
    # old orientation): the key carries the layout's version and older keys are simply not read.
    LAYOUT = "layout2"

    def pane_state(self, name: str) -> QByteArray | None:
        """A splitter's saved sizes (``name``: which splitter of the window), or None."""
        v = self.q.value(f"window/{self.LAYOUT}/{name}")
        return v if isinstance(v, QByteArray) and not v.isEmpty() else None

    def set_pane_state(self, name: str, value: QByteArray) -> None:
        self._set(f"window/{self.LAYOUT}/{name}", value)

    @property
    def splitter_state(self) -> QByteArray | None:
        """The main (left-to-right) splitter's state."""
        return self.pane_state("main")

    @splitter_state.setter
    def splitter_state(self, value: QByteArray) -> None:
        self.set_pane_state("main", value)

    @property
    def camera_panel_shown(self) -> bool:
        return str(self.q.value("window/camera_panel", "true")).lower() in ("1", "true", "yes")

    @camera_panel_shown.setter
    def camera_panel_shown(self, value: bool) -> None:
        self._set("window/camera_panel", bool(value))

    # -- library browser --------------------------------------------------------------------------
    @property
    def browser_state(self) -> dict[str, Any]:
        """The library browser as the user left it: ``sort`` [field, descending] or None, ``hidden``
        fields, ``widths`` {field: px}, ``panes`` [field, ...], ``split`` (panes' height). Kept by
        field name, so a column added to the declaration never shifts what was saved."""
        import json

        try:
            v = json.loads(str(self.q.value("browser/state", "{}")))
        except ValueError:
            return {}
        return v if isinstance(v, dict) else {}

    @browser_state.setter
    def browser_state(self, value: dict[str, Any]) -> None:
        import json

        self._set("browser/state", json.dumps(value))
