"""MPRIS2 over QtDBus on a private session bus: dbus-send controls the real window and engine (on the
null output: what MPRIS does is the same whatever the sound device)."""
from __future__ import annotations

import shutil
import subprocess

import pytest

from PySide6.QtCore import QUrl

from tests._playback import null_engine_factory
from tests._ui import library_db, load, make_window, scanned_library  # noqa: F401
from tests.test_ui_playback import _row_of_file

pytestmark = pytest.mark.skipif(not shutil.which("dbus-daemon") or not shutil.which("dbus-send"),
                                reason="dbus-daemon / dbus-send not installed")


@pytest.fixture
def bus():
    proc = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--print-address=1"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    address = proc.stdout.readline().strip()
    from PySide6.QtDBus import QDBusConnection

    conn = QDBusConnection.connectToBus(address, f"moodplayer-test-{proc.pid}")
    assert conn.isConnected(), address
    yield address, conn
    QDBusConnection.disconnectFromBus(f"moodplayer-test-{proc.pid}")
    proc.terminate()
    proc.wait(5)


def _send(qtbot, address: str, *args: str) -> str:
    """dbus-send in a child process while the Qt event loop keeps running (it answers the call)."""
    proc = subprocess.Popen(["dbus-send", f"--bus={address}", "--print-reply", "--dest=org.mpris.MediaPlayer2.moodplayer",
                             "/org/mpris/MediaPlayer2", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    qtbot.waitUntil(lambda: proc.poll() is not None, timeout=10000)
    out, err = proc.communicate()
    assert proc.returncode == 0, err
    return out


def test_mpris_controls_the_player(make_window, library_db, qtbot, bus):
    from moodplayer.ui.mpris import register

    address, conn = bus
    w = make_window(library_db, engine_factory=null_engine_factory(library_db))
    load(w, qtbot, index=False)
    w.mpris = register(w, conn)
    assert w.mpris is not None
    props = _send(qtbot, address, "org.freedesktop.DBus.Properties.GetAll", "string:org.mpris.MediaPlayer2")
    assert 'string "moodplayer"' in props
    status = _send(qtbot, address, "org.freedesktop.DBus.Properties.Get", "string:org.mpris.MediaPlayer2.Player",
                   "string:PlaybackStatus")
    assert "Stopped" in status

    row, tid = _row_of_file(w, "city_blues.ogg")
    w.playback.play_track(tid)
    qtbot.waitUntil(lambda: w.player.state == "playing" and w.playback.current_id == tid, timeout=15000)
    meta = _send(qtbot, address, "org.freedesktop.DBus.Properties.Get", "string:org.mpris.MediaPlayer2.Player",
                 "string:Metadata")
    assert "City Blues" in meta and "Robert van Herk" in meta and f"/org/moodplayer/track/{tid}" in meta

    _send(qtbot, address, "org.mpris.MediaPlayer2.Player.PlayPause")
    qtbot.waitUntil(lambda: w.player.state == "paused", timeout=5000)
    _send(qtbot, address, "org.mpris.MediaPlayer2.Player.Play")
    qtbot.waitUntil(lambda: w.player.state == "playing", timeout=5000)
    _send(qtbot, address, "org.freedesktop.DBus.Properties.Set", "string:org.mpris.MediaPlayer2.Player",
          "string:Volume", "variant:double:0.25")
    assert w.player.volume == pytest.approx(0.25) and w.now_playing.volume.value() == 25
    _send(qtbot, address, "org.mpris.MediaPlayer2.Player.SetPosition", f"objpath:/org/moodplayer/track/{tid}",
          "int64:10000000")
    qtbot.waitUntil(lambda: w.player.engine.position >= 9.5, timeout=5000)
    position = _send(qtbot, address, "org.freedesktop.DBus.Properties.Get", "string:org.mpris.MediaPlayer2.Player",
                     "string:Position")
    assert "int64" in position

    flac_row, flac_tid = _row_of_file(w, "city_blues.flac")
    flac = w.model.data_.path[w.model.data_.row_of[flac_tid]]
    _send(qtbot, address, "org.mpris.MediaPlayer2.Player.OpenUri", f"string:{QUrl.fromLocalFile(flac).toString()}")
    qtbot.waitUntil(lambda: w.playback.current_id == flac_tid, timeout=15000)
    messages: list[str] = []
    w.playback.message.connect(messages.append)
    _send(qtbot, address, "org.mpris.MediaPlayer2.Player.OpenUri", "string:file:///nowhere/not-in-the-library.ogg")
    assert messages == ["Not in the library, so not played: /nowhere/not-in-the-library.ogg"]
    assert w.playback.current_id == flac_tid
