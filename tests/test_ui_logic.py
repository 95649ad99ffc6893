"""The playback controller without a window: real session, player, engine (null output), database.

Tasks run synchronously (``tasks.run_now``), the engine writes to ``NullOutput`` in real time, and no
table is ever loaded: what plays comes from the mood index and the library database, as the window's
own start-up order cannot guarantee the table first.
"""
from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest

from tests._playback import null_engine_factory
from tests._ui import analysed_db, analysed_library  # noqa: F401


@pytest.fixture
def sync_tasks():
    from moodplayer.ui import tasks

    previous = tasks.set_runner(tasks.run_now)
    yield
    tasks.set_runner(previous)


class Parts:
    """The objects the window would build around the playback controller, minus the window."""

    def __init__(self, db: Path, speed: float | None = 1.0) -> None:
        from moodplayer.ui.library_model import LibraryModel
        from moodplayer.ui.mood_session import MoodSession
        from moodplayer.ui.now_playing import NowPlaying
        from moodplayer.ui.playback_controller import PlaybackController
        from moodplayer.ui.player import Player
        from moodplayer.ui.workers import Workers

        self.db = db
        self.workers = Workers()
        self.model = LibraryModel()              # never loaded
        self.session = MoodSession()
        self.now_playing = NowPlaying()
        self.player = Player(null_engine_factory(db, speed))
        self.playback = PlaybackController(db, self.player, self.session, self.model, self.now_playing,
                                           self.workers)
        self.messages: list[str] = []
        self.playback.message.connect(self.messages.append)

    def load_index(self) -> None:
        from moodplayer.library.store import connect
        from moodplayer.recommend.index import MoodIndex

        conn = connect(self.db)
        try:
            self.session.set_index(MoodIndex.from_db(conn))
        finally:
            conn.close()

    def close(self) -> None:
        self.player.close()
        self.workers.cancel_all()


@pytest.fixture
def parts(analysed_db, sync_tasks, qtbot):
    p = Parts(analysed_db)
    yield p
    p.close()


def _sql(db: Path, sql: str, *args) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        with conn:
            return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def test_the_queue_plays_with_no_table_loaded(parts, qtbot):
    parts.load_index()
    assert len(parts.model.data_) == 0 and parts.session.picks
    first = parts.session.picks[0]
    parts.now_playing.playPauseClicked.emit()
    qtbot.waitUntil(lambda: parts.player.state == "playing" and parts.playback.current_id == first.track_id,
                    timeout=15000)
    engine = parts.player.engine
    assert engine.queue[0].track_id == first.track_id
    assert len(engine.queue) >= 20                 # the whole visible queue went to the engine
    qtbot.waitUntil(lambda: engine.stats["frames_delivered"] > 0, timeout=10000)
    title, album, gain = _sql(parts.db, "SELECT title, album, rg_track_gain FROM tracks WHERE id = ?",
                              first.track_id)[0]
    item = parts.playback.current_item
    assert item.title == title and item.album == album and item.rg_gain_db == gain   # from the index
    assert parts.now_playing.title.fullText() == (title or Path(item.path).name)
    assert parts.now_playing.why.fullText().endswith("from your target")
    assert parts.messages == []


def test_a_pick_whose_file_is_gone_is_skipped_with_a_message(parts, qtbot, tmp_path):
    parts.load_index()
    first, second = parts.session.picks[0], parts.session.picks[1]
    gone = tmp_path / "moved-away.flac"
    _sql(parts.db, "UPDATE tracks SET path = ? WHERE id = ?", str(gone), first.track_id)
    parts.load_index()                             # the index still lists it: the file went since
    assert parts.session.picks[0].track_id == first.track_id
    parts.playback.play_pause()
    qtbot.waitUntil(lambda: parts.playback.current_id == second.track_id, timeout=15000)
    qtbot.waitUntil(lambda: any("moved-away.flac" in m for m in parts.messages), timeout=5000)


def test_an_unplayable_track_is_reported_not_dropped(parts, qtbot, caplog):
    parts.load_index()
    in_index = set(parts.session.index.row_of)
    missing = next(t for (t,) in _sql(parts.db, "SELECT id FROM tracks ORDER BY id") if t not in in_index)
    _sql(parts.db, "UPDATE tracks SET available = 0 WHERE id = ?", missing)
    path = _sql(parts.db, "SELECT path FROM tracks WHERE id = ?", missing)[0][0]
    with caplog.at_level(logging.WARNING, logger="moodplayer.ui.playback_controller"):
        parts.playback.play_track(missing)
        parts.playback.play_track(999_999)
    assert parts.messages == [f"Cannot play {path}: file not found (moved or deleted?)",
                              "Cannot play track 999999: not in the library any more"]
    assert [r.getMessage() for r in caplog.records] == [f"cannot play {path}: file not found (moved or deleted?)",
                                                         "cannot play track 999999: not in the library any more"]
    assert parts.player.engine is None or parts.player.state == "stopped"


def test_an_unanalysed_track_plays_from_the_database(parts, qtbot):
    tid, path = _sql(parts.db, "SELECT id, path FROM tracks WHERE available = 1 AND error IS NULL "
                               "ORDER BY id LIMIT 1")[0]
    _sql(parts.db, "DELETE FROM analysis WHERE track_id = ?", tid)    # listed, not analysed yet
    parts.load_index()
    assert tid not in parts.session.index.row_of
    parts.playback.play_track(tid, "You picked it from the library.")
    qtbot.waitUntil(lambda: parts.playback.current_id == tid, timeout=15000)
    assert parts.playback.current_item.path == path
    assert parts.now_playing.why.fullText() == "You picked it from the library."
    # the mood queue follows the track the listener chose
    assert [i.track_id for i in parts.player.engine.queue[1:]] == [p.track_id for p in parts.session.picks]


def test_moving_the_target_replaces_what_comes_next(parts, qtbot):
    parts.load_index()
    parts.playback.play_pause()
    qtbot.waitUntil(lambda: parts.playback.current_id is not None, timeout=15000)
    current = parts.playback.current_id
    parts.session.set_target(0.05, 0.95)
    parts.session.commit()                         # the drag ended: the engine gets the new order now
    engine = parts.player.engine
    want = [p.track_id for p in parts.session.picks]
    qtbot.waitUntil(lambda: [i.track_id for i in engine.queue[1:]] == want, timeout=5000)
    assert engine.queue[0].track_id == current and current not in want


def test_next_early_records_a_skip_at_the_current_mood(parts, qtbot):
    parts.load_index()
    parts.playback.play_pause()
    qtbot.waitUntil(lambda: parts.playback.current_id is not None, timeout=15000)
    qtbot.waitUntil(lambda: parts.playback._position[1] is not None, timeout=5000)
    skipped = parts.playback.current_id
    with qtbot.waitSignal(parts.playback.feedbackRecorded, timeout=5000, raising=False):
        parts.playback.next()
    rows = _sql(parts.db, "SELECT track_id, kind, valence, arousal FROM feedback")
    assert rows == [(skipped, "skip", *parts.session.target)]
    qtbot.waitUntil(lambda: parts.playback.current_id not in (None, skipped), timeout=15000)
