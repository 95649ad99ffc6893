"""MPRIS2 on the session bus (Linux): media keys, desktop sound menus and ``playerctl`` control the app.

Two QDBusAbstractAdaptors on one exported object, as the spec wants: org.mpris.MediaPlayer2 (raise,
quit, identity) and org.mpris.MediaPlayer2.Player (transport, metadata, volume, position). Qt answers
Properties.Get/GetAll/Set and Introspect from the adaptors' Qt properties; PropertiesChanged is sent by
hand when the player's state changes. Integers that the spec types as int64 go out as int64 where the
declaration allows (Position, Seek, Seeked); ``mpris:length`` inside Metadata travels as a plain
variant, which QtDBus sends as int32 below 2^31 microseconds (35 minutes) and int64 above.

What it reads comes from the player and the playback controller (the engine's current QueueItem, the
library database for OpenUri), never from the table, which may not have loaded.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import ClassInfo, Property, QMetaType, QObject, QUrl, Signal, Slot
from PySide6.QtDBus import QDBusAbstractAdaptor, QDBusArgument, QDBusConnection, QDBusMessage, QDBusObjectPath

if TYPE_CHECKING:
    from moodplayer.ui.now_playing import NowPlaying
    from moodplayer.ui.playback_controller import PlaybackController
    from moodplayer.ui.player import Player

OBJECT_PATH = "/org/mpris/MediaPlayer2"
ROOT_IFACE = "org.mpris.MediaPlayer2"
PLAYER_IFACE = "org.mpris.MediaPlayer2.Player"
SERVICE = "org.mpris.MediaPlayer2.moodplayer"
NO_TRACK = "/org/mpris/MediaPlayer2/TrackList/NoTrack"
MIME_TYPES = ["audio/mpeg", "audio/flac", "audio/ogg", "audio/opus", "audio/mp4", "audio/x-wav"]


class MprisHost(Protocol):
    """What MPRIS needs from the window: its player, playback controller and now-playing bar."""

    player: "Player"
    playback: "PlaybackController"
    now_playing: "NowPlaying"

    def player_pause(self) -> None: ...
    def showNormal(self) -> None: ...  # noqa: N802 - Qt names
    def raise_(self) -> None: ...
    def activateWindow(self) -> None: ...  # noqa: N802
    def close(self) -> bool: ...


def _track_path(track_id: int | None) -> str:
    return f"/org/moodplayer/track/{track_id}" if track_id is not None else NO_TRACK


@ClassInfo({"D-Bus Interface": ROOT_IFACE})
class RootAdaptor(QDBusAbstractAdaptor):
    def __init__(self, parent: QObject, window: MprisHost) -> None:
        super().__init__(parent)
        self.window = window

    @Slot()
    def Raise(self) -> None:  # noqa: N802 - D-Bus names
        self.window.showNormal()
        self.window.raise_()
        self.window.activateWindow()

    @Slot()
    def Quit(self) -> None:  # noqa: N802
        self.window.close()

    CanQuit = Property(bool, lambda self: True)
    CanRaise = Property(bool, lambda self: True)
    HasTrackList = Property(bool, lambda self: False)
    Identity = Property(str, lambda self: "moodplayer")
    DesktopEntry = Property(str, lambda self: "moodplayer")
    SupportedUriSchemes = Property("QStringList", lambda self: ["file"])
    SupportedMimeTypes = Property("QStringList", lambda self: list(MIME_TYPES))


@ClassInfo({"D-Bus Interface": PLAYER_IFACE})
class PlayerAdaptor(QDBusAbstractAdaptor):
    Seeked = Signal("qlonglong")

    def __init__(self, parent: QObject, window: MprisHost) -> None:
        super().__init__(parent)
        self.window = window

    # -- methods ------------------------------------------------------------------------------------
    @Slot()
    def Next(self) -> None:  # noqa: N802
        self.window.playback.next()

    @Slot()
    def Previous(self) -> None:  # noqa: N802
        self.window.player.previous()

    @Slot()
    def Pause(self) -> None:  # noqa: N802
        self.window.player_pause()

    @Slot()
    def PlayPause(self) -> None:  # noqa: N802
        self.window.playback.play_pause()

    @Slot()
    def Play(self) -> None:  # noqa: N802
        if self.window.player.state != "playing":
            self.window.playback.play_pause()

    @Slot()
    def Stop(self) -> None:  # noqa: N802
        self.window.player.stop()

    @Slot("qlonglong")
    def Seek(self, offset_us: int) -> None:  # noqa: N802
        self.window.player.seek_relative(offset_us / 1e6)

    @Slot(QDBusObjectPath, "qlonglong")
    def SetPosition(self, track: QDBusObjectPath, position_us: int) -> None:  # noqa: N802
        if track.path() == _track_path(self.window.playback.current_id) and position_us >= 0:
            self.window.player.seek(position_us / 1e6)

    @Slot(str)
    def OpenUri(self, uri: str) -> None:  # noqa: N802
        path = QUrl(uri).toLocalFile()
        tid = self.window.playback.tracks.find_path(path) if path else None
        if tid is None:
            self.window.playback.message.emit(f"Not in the library, so not played: {path or uri}")
            return
        self.window.playback.play_track(tid, "Opened from the desktop.")

    # -- properties -----------------------------------------------------------------------------------
    def _status(self) -> str:
        return {"playing": "Playing", "paused": "Paused"}.get(self.window.player.state, "Stopped")

    def _metadata(self) -> dict[str, object]:
        return metadata(self.window)

    def _volume(self) -> float:
        return float(self.window.player.volume)

    def _set_volume(self, value: float) -> None:
        v = max(0.0, min(1.0, float(value)))
        self.window.player.set_volume(v)
        self.window.now_playing.set_volume(v)

    def _position(self) -> int:
        return int(self.window.player.elapsed * 1e6)

    PlaybackStatus = Property(str, _status)
    Metadata = Property("QVariantMap", _metadata)
    Volume = Property(float, _volume, _set_volume)
    Position = Property("qlonglong", _position)
    Rate = Property(float, lambda self: 1.0)
    MinimumRate = Property(float, lambda self: 1.0)
    MaximumRate = Property(float, lambda self: 1.0)
    CanGoNext = Property(bool, lambda self: True)
    CanGoPrevious = Property(bool, lambda self: True)
    CanPlay = Property(bool, lambda self: True)
    CanPause = Property(bool, lambda self: True)
    CanSeek = Property(bool, lambda self: True)
    CanControl = Property(bool, lambda self: True)


def metadata(window: MprisHost) -> dict[str, object]:
    """The MPRIS metadata of the track being heard (only the track id when nothing plays)."""
    tid = window.playback.current_id
    out: dict[str, object] = {"mpris:trackid": QDBusObjectPath(_track_path(tid))}
    item = window.playback.current_item
    if item is None:
        return out
    out["xesam:title"] = item.title or Path(item.path).name
    if item.artist:
        out["xesam:artist"] = [item.artist]
    if item.album:
        out["xesam:album"] = item.album
    if item.duration:
        out["mpris:length"] = int(item.duration * 1e6)
    out["xesam:url"] = QUrl.fromLocalFile(item.path).toString()
    return out


class Mpris(QObject):
    """Owns the exported object and sends PropertiesChanged as the player changes."""

    def __init__(self, window: MprisHost, bus: QDBusConnection, service: str) -> None:
        super().__init__(window if isinstance(window, QObject) else None)
        self.window, self.bus, self.service = window, bus, service
        self.root = QObject(self)
        self.root_adaptor = RootAdaptor(self.root, window)
        self.player_adaptor = PlayerAdaptor(self.root, window)
        window.player.stateChanged.connect(lambda *_: self.changed("PlaybackStatus"))
        window.playback.playingChanged.connect(lambda *_: self.changed("Metadata"))
        window.now_playing.volumeChanged.connect(lambda *_: self.changed("Volume"))
        window.now_playing.seekRequested.connect(lambda s: self.player_adaptor.Seeked.emit(int(s * 1e6)))

    def changed(self, *names: str) -> None:
        values = {n: getattr(self.player_adaptor, n) for n in names}
        msg = QDBusMessage.createSignal(OBJECT_PATH, "org.freedesktop.DBus.Properties", "PropertiesChanged")
        invalidated = QDBusArgument()
        invalidated.beginArray(QMetaType(QMetaType.Type.QString))
        invalidated.endArray()
        msg.setArguments([PLAYER_IFACE, values, invalidated])
        self.bus.send(msg)

    def unregister(self) -> None:
        self.bus.unregisterObject(OBJECT_PATH)
        self.bus.unregisterService(self.service)


def register(window: MprisHost, bus: QDBusConnection | None = None) -> Mpris | None:
    """Export MPRIS for ``window``; None (and the app carries on) where there is no session bus."""
    bus = bus or QDBusConnection.sessionBus()
    if not bus.isConnected():
        return None
    mpris = Mpris(window, bus, SERVICE)
    if not bus.registerObject(OBJECT_PATH, mpris.root, QDBusConnection.RegisterOption.ExportAdaptors):
        return None
    service = SERVICE
    if not bus.registerService(service):   # a second instance: the spec's ".instance<pid>" suffix
        service = f"{SERVICE}.instance{os.getpid()}"
        if not bus.registerService(service):
            bus.unregisterObject(OBJECT_PATH)
            return None
    mpris.service = service
    return mpris
