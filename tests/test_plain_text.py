"""Tags and file names are shown as text, never run: not as HTML in the GUI, not as escape sequences
on the terminal, and a newline in a file name does not split a listing row.

One real FLAC, tagged with mutagen with a title that is an <img> tag plus a terminal escape, in a
file whose name holds a newline, indexed and analysed by the real CLI.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QHelpEvent, QTextDocument
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QTableView, QToolTip

ROOT = Path(__file__).resolve().parents[1]
ESC = "\x1b[31m"


def moodplayer(*args: str, timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "moodplayer", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> dict:
    """A library of one track whose tags and file name are hostile; the <img> points at a real PNG."""
    import cv2
    import mutagen

    root = tmp_path_factory.mktemp("hostile")
    png = root / "big.png"
    cv2.imwrite(str(png), np.full((400, 400, 3), 200, np.uint8))
    music = root / "music"
    music.mkdir()
    track = music / "line\nbreak.flac"
    subprocess.run(["ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i", "sine=frequency=330:duration=12",
                    "-ac", "2", str(track)], check=True, timeout=120)
    title = f'<img src="{png}"><b>bold</b>{ESC}red'
    artist = "<i>Artist</i> & co\x1b[2J"
    f = mutagen.File(track)
    f["title"], f["artist"], f["album"] = title, artist, "Album\twith\ttabs"
    f.save()
    db = root / "library.db"
    p = moodplayer("index", str(music), "--db", str(db))
    assert p.returncode == 0, p.stderr
    return {"db": db, "track": track, "title": title, "artist": artist, "png": png}


# -- terminal ---------------------------------------------------------------------------------------
def _one_clean_row(stdout: str) -> list[str]:
    lines = stdout.splitlines()
    assert len(lines) == 2, f"the newline in the file name split the row: {lines!r}"
    assert "\x1b" not in stdout and "\r" not in stdout and "\x07" not in stdout
    return lines[1].split("\t")


def test_export_text_escapes_tags_and_names(hostile):
    p = moodplayer("export", "--db", str(hostile["db"]))
    assert p.returncode == 0, p.stderr
    row = _one_clean_row(p.stdout)
    assert len(row) == 9, row       # the tabs in the album stay inside their cell
    path, title, artist, album = row[:4]
    assert path.endswith("line\\nbreak.flac")
    assert title == f'<img src="{hostile["png"]}"><b>bold</b>\\x1b[31mred'
    assert artist == "<i>Artist</i> & co\\x1b[2J" and album == "Album\\twith\\ttabs"


def test_export_json_keeps_the_exact_text(hostile):
    p = moodplayer("export", "--json", "--db", str(hostile["db"]))
    assert p.returncode == 0, p.stderr
    (t,) = json.loads(p.stdout)
    assert t["title"] == hostile["title"] and t["path"] == str(hostile["track"])


def test_recommend_text_escapes_tags_and_names(hostile):
    p = moodplayer("recommend", "-v", "0.5", "-a", "0.5", "--tsv", "--db", str(hostile["db"]))
    assert p.returncode == 0, p.stderr
    row = _one_clean_row(p.stdout)
    assert row[3] == "<i>Artist</i> & co\\x1b[2J" and row[4].endswith("\\x1b[31mred")
    assert row[5].endswith("line\\nbreak.flac")


def test_analyze_text_keeps_a_file_name_on_one_line(hostile):
    p = moodplayer("analyze", str(hostile["track"]))
    assert p.returncode == 0, p.stderr
    assert p.stdout.splitlines()[0].endswith("line\\nbreak.flac")


# -- GUI --------------------------------------------------------------------------------------------
def _tip_label():
    tips = [w for w in QApplication.topLevelWidgets() if w.metaObject().className() == "QTipLabel"]
    assert tips, "no tooltip is shown"
    return tips[0]


def _assert_tip_shows(qtbot, expected: str) -> None:
    """The visible tooltip shows ``expected`` literally and did not render an <img> (400 px tall)."""
    qtbot.waitUntil(QToolTip.isVisible, timeout=3000)
    doc = QTextDocument()
    doc.setHtml(QToolTip.text())
    assert expected in doc.toPlainText(), (QToolTip.text(), expected)
    assert _tip_label().sizeHint().height() < 150, "the tooltip rendered the tag as HTML"
    QToolTip.hideText()


def _show_tip(qtbot, widget, text: str, expected: str) -> None:
    QToolTip.showText(widget.mapToGlobal(QPoint(5, 5)), text, widget)
    _assert_tip_shows(qtbot, expected)


@pytest.fixture
def qt_library(hostile):
    from moodplayer.library.store import connect
    from moodplayer.recommend.index import MoodIndex
    from moodplayer.recommend.queue import build_queue
    from moodplayer.ui.library_data import load_library

    conn = connect(hostile["db"])
    try:
        data = load_library(conn)
        index = MoodIndex.from_db(conn)
    finally:
        conn.close()
    return data, index, build_queue(index, 0.5, 0.5, 5)


def test_now_playing_shows_an_img_title_as_text(qtbot, hostile):
    from moodplayer.ui.now_playing import NowPlaying

    w = NowPlaying()
    qtbot.addWidget(w)
    w.resize(900, 96)
    w.show()
    qtbot.waitExposed(w)
    title = f'<img src="{hostile["png"]}"><b>bold</b>'
    w.set_track(1, title, hostile["artist"], "<u>album</u>", "why <b>this</b>")
    for label in (w.title, w.artist, w.why):
        assert label.textFormat() == Qt.TextFormat.PlainText
    assert w.title.fullText() == title
    assert w.title.sizeHint().height() < 100, "the title rendered the <img>"
    assert "\x1b" not in w.artist.fullText() and "<i>Artist</i>" in w.artist.fullText()
    _show_tip(qtbot, w.title, w.title.toolTip(), title)
    _show_tip(qtbot, w.why, w.why.toolTip(), "why <b>this</b>")


def test_library_table_text_and_tooltip_are_plain(qtbot, hostile, qt_library):
    from moodplayer.ui.library_model import TITLE, LibraryModel

    data, _, _ = qt_library
    model = LibraryModel()
    model.set_library(data)
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.resize(900, 300)
    view.show()
    qtbot.waitExposed(view)
    shown = model.data(model.index(0, TITLE))
    assert shown.startswith('<img src="') and "\\x1b[31m" in shown and "\x1b" not in shown
    rect = view.visualRect(model.index(0, TITLE))
    QApplication.sendEvent(view.viewport(), QHelpEvent(QEvent.Type.ToolTip, rect.center(),
                                                       view.viewport().mapToGlobal(rect.center())))
    _assert_tip_shows(qtbot, "line\\nbreak.flac")     # the path, on one line


def test_queue_items_and_tooltips_are_plain(qtbot, hostile, qt_library):
    from moodplayer.ui.queue_panel import PICK_ROLE, QueuePanel

    _, _, picks = qt_library
    assert picks, "the analysed track should be queued"
    panel = QueuePanel()
    qtbot.addWidget(panel)
    panel.set_picks(picks)
    panel.resize(360, 400)
    panel.show()
    qtbot.waitExposed(panel)
    item = panel.list.item(0)
    assert item.data(PICK_ROLE).title == hostile["title"]
    text = item.data(Qt.ItemDataRole.DisplayRole)
    assert "<b>bold</b>" in text and "\x1b" not in text
    _show_tip(qtbot, panel.list, item.toolTip(), picks[0].why)


def test_pad_hover_shows_the_title_as_text(qtbot, hostile, qt_library):
    from moodplayer.ui.mood_pad import MoodPad

    _, index, _ = qt_library
    pad = MoodPad()
    qtbot.addWidget(pad)
    pad.resize(420, 420)
    pad.show()
    qtbot.waitExposed(pad)
    pad.set_tracks(index.ids, index.position, [hostile["title"]], [hostile["artist"]])
    v, a = index.position[0]
    QTest.mouseMove(pad, pad.to_px(float(v), float(a)).toPoint())
    _assert_tip_shows(qtbot, f'<img src="{hostile["png"]}"><b>bold</b>\\x1b[31mred')

