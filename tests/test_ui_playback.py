"""Playing from the window through the real audio engine on a JACK dummy server (real-time callback)."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from tests._jack import jack  # noqa: F401
from tests._ui import library_db, load, make_window, scanned_library  # noqa: F401


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


def test_double_clicking_a_row_plays_it(make_window, library_db, qtbot, jack):
    w = make_window(library_db, engine_factory=_engine_factory(jack, library_db))
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


def test_an_unreadable_file_is_skipped_with_the_reason(make_window, library_db, qtbot, jack):
    w = make_window(library_db, engine_factory=_engine_factory(jack, library_db))
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
