"""The window's layout and start-up behaviour (issue 14): the library shows at least ten rows at
1024x700 with nothing cut off, Space plays at start-up, the camera source picker, the state that
comes back after a restart (pane sizes, last track and position), Ctrl+Q, and the plain words for
a missing sound output."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, QRectF, QSettings, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from tests._playback import null_engine_factory
from tests._ui import analysed_db, analysed_library, library_db, load, make_window, scanned_library  # noqa: F401


def _visible_rows(table) -> int:
    vp = table.viewport()
    first, last = table.rowAt(0), table.rowAt(vp.height() - 1)
    if first < 0:
        return 0
    return (last if last >= 0 else table.model().rowCount() - 1) - first + 1


def _rect_in(widget: QWidget, ancestor: QWidget) -> QRect:
    return QRect(widget.mapTo(ancestor, widget.rect().topLeft()), widget.size())


def _assert_fits(widgets: list[QWidget], ancestor: QWidget) -> None:
    """Each widget at least as wide as it needs, inside the ancestor, none overlapping another."""
    rects = []
    for w in widgets:
        r = _rect_in(w, ancestor)
        assert w.width() >= w.minimumSizeHint().width(), (w.objectName() or type(w).__name__, w.width())
        assert ancestor.rect().contains(r), (w.objectName() or type(w).__name__, r, ancestor.rect())
        rects.append((w, r))
    for i, (a, ra) in enumerate(rects):
        for b, rb in rects[i + 1:]:
            assert not ra.intersects(rb), (a.objectName(), b.objectName(), ra, rb)


def test_at_1024x700_the_library_shows_ten_rows_and_nothing_is_cut_off(make_window, library_db, qtbot):
    from moodplayer.ui.library_model import VALENCE

    w = make_window(library_db, size=(1024, 700))
    load(w, qtbot, index=False)
    qtbot.waitUntil(lambda: w.model.rowCount() >= 10)
    assert (w.width(), w.height()) == (1024, 700)          # no minimum size pushes the window taller
    assert _visible_rows(w.table) >= 10
    assert w.pad.plot_rect().width() >= 250                 # the pad stays usable beside it
    # task 14C: the filter panes show (a compact strip), Title and Artist read whole without sideways
    # scrolling, the camera card is a few lines while off, and the queue keeps its rows
    from moodplayer.ui.library_model import ARTIST, TITLE

    assert w.browser.isVisible() and w.library_split.sizes()[0] >= 60 and w.browse_button.isChecked()
    header, vp = w.table.horizontalHeader(), w.table.viewport().width()
    for col in (TITLE, ARTIST):
        assert 0 <= header.sectionViewportPosition(col) and \
            header.sectionViewportPosition(col) + header.sectionSize(col) <= vp, (col, vp)
    assert w.library_pane.width() > w.side.width()
    assert not w.camera.running and w.camera_card.height() <= 150
    assert w.queue.list.viewport().height() >= 5 * w.queue.list.sizeHintForRow(0) or not w.queue.picks
    # while analysis progress shows, the search box, the buttons and the progress all keep their room
    w._busy("Analysing moods", 5, 120)
    QApplication.processEvents()
    assert w.progress.isVisible() and w.busy_label.isVisible()
    assert w.search.width() >= 140
    head = w.search.parentWidget()
    _assert_fits([w.library_label, w.search], head)
    top = w.add_button.parentWidget()
    _assert_fits([w.target_label, w.add_button, w.settings_button], top)
    assert w.queue.subtitle.text() == "analysing 115 tracks…"
    # the sort arrow on "Valence" has room beside the word (the column is shown from the header's menu)
    w.browser_actions.set_column_shown(VALENCE, True)
    w.table.sortByColumn(VALENCE, Qt.SortOrder.AscendingOrder)
    header = w.table.horizontalHeader()
    text = w.model.headerData(VALENCE, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole)
    assert header.sectionSize(VALENCE) >= header.fontMetrics().horizontalAdvance(text) + 30


def test_space_plays_and_pauses_at_start_up(make_window, analysed_db, qtbot):
    w = make_window(analysed_db, engine_factory=null_engine_factory(analysed_db))
    load(w, qtbot)
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
    focus = QApplication.focusWidget()
    assert focus is not w.search                              # the search box does not take the keys
    QTest.keyClick(focus, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: w.player.state == "playing", timeout=15000)
    assert w.search.text() == ""
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: w.player.state == "paused", timeout=5000)


def test_camera_source_picker_and_the_button_without_a_camera(make_window, library_db, qtbot, tmp_path):
    w = make_window(library_db, camera_source=9)             # no /dev/video9 here
    w.camera.start()
    qtbot.waitUntil(lambda: w.camera.state == "no_camera", timeout=15000)
    assert not w.camera.running                               # it stopped looking, and the button says so
    assert not w.camera.toggle.isChecked() and w.camera.toggle.text() == "Turn on"
    assert "No camera" in w.camera.status.text()
    # Browse… picks a video file: it becomes the camera, is remembered, and the panel tries it
    video = tmp_path / "face.mp4"
    w.camera.source_picker.choose_file(str(video))
    assert w.settings.camera_device == str(video)
    assert w.camera.source_picker.combo.currentText() == "Video: face.mp4"
    qtbot.waitUntil(lambda: w.camera.state == "no_camera" and not w.camera.running, timeout=15000)
    assert "face.mp4" in w.camera.status.text() and w.camera.toggle.text() == "Turn on"
    # the panel can be hidden (and the camera is off then)
    w.show_camera_panel(False)
    assert not w.camera_card.isVisible() and not w.settings.camera_panel_shown
    w.menus.actions["camera_panel"].trigger()
    assert w.camera_card.isVisible()


def test_pane_sizes_last_track_and_position_come_back(make_window, analysed_db, qtbot, tmp_path):
    from moodplayer.ui.main_window import MainWindow
    from moodplayer.ui.settings import Settings

    ini = str(tmp_path / "restart.ini")
    settings = Settings(QSettings(ini, QSettings.Format.IniFormat))
    w = MainWindow(analysed_db, settings, engine_factory=null_engine_factory(analysed_db))
    qtbot.addWidget(w)
    w.resize(1280, 800)
    w.show()
    qtbot.waitExposed(w)
    load(w, qtbot)
    w.splitter.setSizes([500, 420, 300])
    sizes = w.splitter.sizes()
    tid = w.session.picks[0].track_id
    w.playback.play_track(tid, "test")
    qtbot.waitUntil(lambda: w.playback.current_id == tid, timeout=15000)
    w.player.seek(6.0)
    qtbot.waitUntil(lambda: w.player.elapsed >= 6.0, timeout=15000)
    w.close()
    saved = Settings(QSettings(ini, QSettings.Format.IniFormat)).last_track
    assert saved is not None and saved[0] == tid and saved[1] >= 6.0

    w2 = MainWindow(analysed_db, Settings(QSettings(ini, QSettings.Format.IniFormat)),
                    engine_factory=null_engine_factory(analysed_db))
    qtbot.addWidget(w2)
    assert w2.saveGeometry() is not None
    w2.resize(1280, 800)     # the offscreen screen is smaller than the saved geometry: same size as before
    w2.show()
    qtbot.waitExposed(w2)
    assert w2.splitter.sizes() == sizes
    load(w2, qtbot)
    title = w2.session.index.titles[w2.session.index.row_of[tid]]
    assert w2.now_playing.title.fullText() == title                 # shown where it was left
    assert "left off" in w2.now_playing.why.fullText()
    assert w2.player.state == "stopped"                             # nothing plays by itself
    w2.play_pause()                                                 # Space / the play button
    qtbot.waitUntil(lambda: w2.playback.current_id == tid and w2.player.state == "playing", timeout=15000)
    assert w2.player.elapsed >= saved[1] - 0.5                      # from the saved position, not 0:00
    w2.close()


def test_ctrl_q_quits_and_saves(make_window, library_db, qtbot):
    w = make_window(library_db)
    w.pad.set_target(0.2, 0.9)
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not w.isVisible())
    assert w.settings.last_target == pytest.approx((0.2, 0.9))
    assert w.settings.pane_state("main") is not None and w.settings.pane_state("side") is not None


def test_no_sound_output_says_what_to_do(make_window, library_db, qtbot):
    from moodplayer.ui.player import default_engine_factory

    w = make_window(library_db, engine_factory=default_engine_factory("no such device", library_db))
    w.player.open_async()
    qtbot.waitUntil(lambda: w.now_playing.title.fullText() == "No sound output", timeout=15000)
    shown = " ".join((w.now_playing.artist.fullText(), w.now_playing.why.fullText(), w.statusBar().currentMessage()))
    assert "speakers or headphones" in shown and "Settings" in shown
    assert "Error querying" not in shown and "-1" not in shown
    assert "no such device" in w.now_playing.title.toolTip()       # the system's words stay reachable


def test_the_empty_pad_hint_is_never_under_the_handle(make_window, tmp_path, qtbot):
    w = make_window(tmp_path / "empty.db")
    pad = w.pad
    for target in ((0.5, 0.5), (0.6, 0.5), (0.5, 0.2), (0.3, 0.8), (0.9, 0.45), (0.1, 0.55)):
        pad.set_target(*target)
        c = pad.to_px(*target)
        handle = QRectF(c.x() - 12, c.y() - 12, 24, 24)
        hint = pad.hint_rect()
        assert hint.height() >= 40 and not hint.intersects(handle), (target, hint, handle)


def test_settings_dialog_folders_throttle_and_title(library_db, qtbot, tmp_path):
    from moodplayer.ui.settings import Settings
    from moodplayer.ui.settings_dialog import SettingsDialog

    s = Settings(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    s.add_library_folder(tmp_path)
    d = SettingsDialog(s, devices=[])
    qtbot.addWidget(d)
    assert d.windowTitle() == "Settings"
    music = tmp_path / "music"
    music.mkdir()
    d.add_folder(str(music))
    d.folders.setCurrentRow(0)
    d.remove_folder()
    d.workers.setCurrentIndex(d.workers.findData(1))
    d.camera.choose_file(str(tmp_path / "clip.mp4"))
    d.accept()
    assert s.library_folders == [str(music.resolve())] and d.added == [str(music.resolve())]
    assert s.analysis_workers == 1
    assert s.camera_device == str(tmp_path / "clip.mp4")


def test_sigterm_saves_settings_like_a_window_close(tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    db = tmp_path / "library.db"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", MOODPLAYER_NO_MPRIS="1",
               XDG_CONFIG_HOME=str(tmp_path / "config"), XDG_STATE_HOME=str(tmp_path / "state"),
               PYTHONPATH=str(root) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.Popen([sys.executable, "-m", "moodplayer", "--db", str(db)], cwd=root, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        end = time.monotonic() + 90
        while not db.exists() and proc.poll() is None and time.monotonic() < end:
            time.sleep(0.2)
        assert db.exists() and proc.poll() is None, proc.stderr.read() if proc.poll() is not None else "no window"
        proc.send_signal(signal.SIGTERM)
        rc = proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert rc == 0                                          # closed, not killed by the signal
    conf = (tmp_path / "config" / "moodplayer" / "moodplayer.conf").read_text()
    assert "geometry" in conf and "layout2" in conf and "valence" in conf
