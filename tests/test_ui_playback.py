"""Playing from the window through the real audio engine: on the null output (fast tier, no sound
device) and on a JACK dummy server (full tier: the real PortAudio stream, real-time callback)."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtTest import QTest

from tests._jack import jack, needs_jack  # noqa: F401
from tests._playback import null_engine_factory
from tests._ui import analysed_db, analysed_library, library_db, load, make_window, scanned_library  # noqa: F401

BACKENDS = ["null", pytest.param("jack", marks=needs_jack)]


def _factory(request, backend: str, db: Path):
    """The engine factory for ``backend``: the null output at real-time pace, or the JACK device."""
    if backend == "null":
        return null_engine_factory(db)
    return _engine_factory(request.getfixturevalue("jack"), db)


def _engine_factory(jack, db: Path):
    def make():
        from moodplayer.playback.engine import AudioEngine

        return AudioEngine(device=jack.device, blocksize=jack.blocksize, db_path=db)
    return make


def _double_click_row(w, row: int) -> None:
    w.table.scrollTo(w.model.index(row, 0))
    rect = w.table.visualRect(w.model.index(row, 0))
    # a real double-click starts with a press and release (QTest.mouseDClick alone sends only the second)
    QTest.mouseClick(w.table.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, rect.center())
    QTest.mouseDClick(w.table.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, rect.center())


def _row_of_file(w, name: str) -> tuple[int, int]:
    d = w.model.data_
    for r in range(w.model.rowCount()):
        i = w.model.visible[r]
        if Path(d.path[i]).name == name:
            return r, d.id[i]
    raise AssertionError(f"{name} not in the table")


@pytest.mark.parametrize("backend", BACKENDS)
def test_double_clicking_a_row_plays_it(make_window, library_db, qtbot, request, backend):
    w = make_window(library_db, engine_factory=_factory(request, backend, library_db))
    load(w, qtbot, index=False)
    row, tid = _row_of_file(w, "city_blues.flac")
    _double_click_row(w, row)
    qtbot.waitUntil(lambda: w.player.state == "playing" and w.playback.current_id == tid, timeout=15000)
    engine = w.player.engine
    assert engine.current.track_id == tid
    qtbot.waitUntil(lambda: engine.position > 0.5, timeout=10000)
    assert engine.stats["frames_delivered"] > 0
    assert w.now_playing.title.fullText() == "City Blues"
    assert "Robert van Herk" in w.now_playing.artist.fullText()
    assert w.now_playing.why.fullText() == "You picked it from the library."
    assert w.model.playing_id == tid
    qtbot.waitUntil(lambda: w.now_playing.strip.duration is not None, timeout=10000)   # details worker
    qtbot.waitUntil(lambda: w.now_playing.elapsed.text() != "0:00", timeout=10000)

    QTest.keyClick(w, Qt.Key.Key_Space)                      # space: pause
    qtbot.waitUntil(lambda: w.player.state == "paused", timeout=5000)
    QTest.keyClick(w, Qt.Key.Key_Space)                      # and resume
    qtbot.waitUntil(lambda: w.player.state == "playing", timeout=5000)
    before = engine.position
    QTest.keyClick(w, Qt.Key.Key_Right)                      # right arrow: seek 5 s forward
    qtbot.waitUntil(lambda: engine.position >= before + 4.0, timeout=5000)

    QTest.mouseClick(w.now_playing.like_btn, Qt.MouseButton.LeftButton)   # a like, at the pad's mood
    conn = sqlite3.connect(library_db)
    try:
        qtbot.waitUntil(lambda: conn.execute("SELECT count(*) FROM plays WHERE track_id = ?", (tid,)).fetchone()[0] >= 1,
                        timeout=5000)
        qtbot.waitUntil(lambda: conn.execute("SELECT count(*) FROM feedback WHERE track_id = ? AND kind = 'like'",
                                             (tid,)).fetchone()[0] == 1, timeout=5000)
        v, a = conn.execute("SELECT valence, arousal FROM feedback WHERE track_id = ?", (tid,)).fetchone()
        assert (v, a) == pytest.approx(w.pad.target)
    finally:
        conn.close()


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_unreadable_file_is_skipped_with_the_reason(make_window, library_db, qtbot, request, backend):
    w = make_window(library_db, engine_factory=_factory(request, backend, library_db))
    load(w, qtbot, index=False)
    row, tid = _row_of_file(w, "ogg_named.mp3")   # decodes (Ogg content): playable despite its name
    _double_click_row(w, row)
    qtbot.waitUntil(lambda: w.playback.current_id == tid, timeout=15000)
    row, tid = _row_of_file(w, "random.flac")
    messages: list[str] = []
    w.statusBar().messageChanged.connect(messages.append)
    w.playback.play_track(tid)
    qtbot.waitUntil(lambda: any("random.flac" in m for m in messages), timeout=15000)
    assert w.isVisible()


def test_a_visible_queue_plays_before_the_table_has_loaded(make_window, analysed_db, qtbot):
    """The mood index and the table load in different workers: with only the index in, the queue on
    screen plays, and the now-playing bar, the window title and MPRIS describe the track."""
    from moodplayer.ui.mpris import metadata

    w = make_window(analysed_db, engine_factory=null_engine_factory(analysed_db))
    with qtbot.waitSignal(w.library.indexLoaded, timeout=60000):
        w.library.reload_index()                 # the mood index only: the table stays empty
    assert w.model.rowCount() == 0 and len(w.model.data_) == 0
    queued = w.queue.track_ids()
    assert queued
    messages: list[str] = []
    w.playback.message.connect(messages.append)
    QTest.mouseClick(w.now_playing.play_btn, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.player.state == "playing" and w.playback.current_id == queued[0], timeout=15000)
    qtbot.waitUntil(lambda: w.player.engine.stats["frames_delivered"] > 0, timeout=10000)
    conn = sqlite3.connect(analysed_db)
    try:
        path, title, artist, album, duration = conn.execute(
            "SELECT path, title, artist, album, duration FROM tracks WHERE id = ?", (queued[0],)).fetchone()
    finally:
        conn.close()
    shown = title or Path(path).name
    assert w.now_playing.title.fullText() == shown
    assert w.windowTitle() == f"{shown} — moodplayer"
    meta = metadata(w)
    assert meta["xesam:title"] == shown and meta["xesam:url"] == QUrl.fromLocalFile(path).toString()
    assert meta.get("xesam:artist") == ([artist] if artist else None)
    assert meta.get("xesam:album") == (album or None)
    assert meta["mpris:length"] == int(duration * 1e6)
    assert [i.track_id for i in w.player.engine.queue[:1]] == queued[:1]
    assert len(w.model.data_) == 0 and messages == []   # still no table, and nothing to complain about


def test_cover_art_of_every_format_arrives_decoded_and_scaled(qapp, media) -> None:
    """The worker reads the embedded picture and hands the GUI a small QImage, for all six formats."""
    from moodplayer.ui.cover import read_cover
    from moodplayer.ui.now_playing import COVER
    from moodplayer.ui.workers import cover_image

    for fmt, path in media.formats.items():
        img = cover_image(read_cover(path), COVER)
        assert img is not None and not img.isNull(), f"{path}: no cover decoded"
        assert min(img.width(), img.height()) == COVER, (fmt, img.size())
    assert cover_image(b"not an image", COVER) is None and cover_image(None, COVER) is None
