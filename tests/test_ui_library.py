"""The library table over a real SQLite library made by the real scanner from the test media."""
from __future__ import annotations

import sqlite3
from pathlib import Path

from PySide6.QtCore import Qt

from moodplayer.ui.library_model import ARTIST, MOOD, TIME, TITLE, TRACK_ID_ROLE
from tests._ui import analysed_db, analysed_library, library_db, load, make_window, scanned_library  # noqa: F401


def _db_rows(db: Path) -> list[sqlite3.Row]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute("SELECT id, path, title, artist, available, error FROM tracks").fetchall()
    finally:
        conn.close()


def _cell(model, row: int, col: int, role=Qt.ItemDataRole.DisplayRole):
    return model.data(model.index(row, col), role)


def test_table_shows_every_track_of_a_real_library(make_window, library_db, qtbot, media):
    rows = _db_rows(library_db)
    assert len(rows) >= len(media.tracks) + len(media.formats) + len(media.corrupt) - 1
    w = make_window(library_db)
    load(w, qtbot, index=False)
    m = w.model
    assert m.rowCount() == len(rows)
    shown = {_cell(m, r, TITLE, TRACK_ID_ROLE): r for r in range(m.rowCount())}
    assert set(shown) == {r["id"] for r in rows}
    for r in rows:   # the tags the scanner read, or the file name for untagged files
        assert _cell(m, shown[r["id"]], TITLE) == (r["title"] or Path(r["path"]).name)
        assert _cell(m, shown[r["id"]], ARTIST) == (r["artist"] or "")
    by_title = {_cell(m, r, TITLE): r for r in range(m.rowCount())}
    row = by_title["City Blues"]
    assert _cell(m, row, ARTIST) == "Robert van Herk"
    assert ":" in _cell(m, row, TIME)
    assert "Library" in w.library_label.text() and f"{len(rows)}" in w.library_label.text()


def test_unreadable_files_are_greyed_with_the_reason(make_window, library_db, qtbot):
    w = make_window(library_db)
    load(w, qtbot, index=False)
    m = w.model
    broken = [r for r in _db_rows(library_db) if r["error"]]
    assert broken, "the corrupt corpus should give unreadable tracks"
    for r in broken:
        row = m.row_of_track(r["id"])
        assert row is not None
        tip = _cell(m, row, TITLE, Qt.ItemDataRole.ToolTipRole)
        assert r["error"] in tip and "Cannot be played" in tip
        assert _cell(m, row, TITLE, Qt.ItemDataRole.ForegroundRole) is not None      # greyed
        assert _cell(m, row, TITLE, Qt.ItemDataRole.DecorationRole) is not None      # warning icon
    good = next(r for r in _db_rows(library_db) if not r["error"])
    assert _cell(m, m.row_of_track(good["id"]), TITLE, Qt.ItemDataRole.ForegroundRole) is None


def test_missing_file_after_rescan_is_marked_unavailable(make_window, media_copy, tmp_path, qtbot):
    files = media_copy(subdir="music")
    db = tmp_path / "copy.db"
    w = make_window(db)
    w.library.analyse_after_scan = False
    with qtbot.waitSignal(w.library.scanFinished, timeout=60000):
        w.add_folder(tmp_path / "music")
    qtbot.waitUntil(lambda: w.model.rowCount() == len(files), timeout=30000)
    gone = files[0]
    gone.unlink()
    with qtbot.waitSignal(w.library.scanFinished, timeout=60000) as report:
        w.library.add_folder(tmp_path / "music")
    assert report.args[0].missing == 1
    qtbot.waitUntil(lambda: any(not a for a in w.model.data_.available), timeout=30000)
    row = next(r for r in range(w.model.rowCount()) if w.model.data_.path[w.model.visible[r]] == str(gone))
    assert "File not found" in _cell(w.model, row, TITLE, Qt.ItemDataRole.ToolTipRole)
    assert _cell(w.model, row, TITLE, Qt.ItemDataRole.ForegroundRole) is not None


def test_search_as_you_type_filters(make_window, library_db, qtbot):
    w = make_window(library_db)
    load(w, qtbot, index=False)
    total = w.model.rowCount()
    qtbot.keyClicks(w.search, "city blu")
    qtbot.waitUntil(lambda: w.model.rowCount() < total, timeout=5000)
    titles = {_cell(w.model, r, TITLE).casefold() for r in range(w.model.rowCount())}
    assert titles == {"city blues"}
    assert w.model.rowCount() >= 7    # the LinCity track and its six format copies
    assert "shown" in w.library_label.text()
    w.search.clear()
    qtbot.waitUntil(lambda: w.model.rowCount() == total, timeout=5000)
    qtbot.keyClicks(w.search, "ROBERT van")          # artist, any case, several words
    qtbot.waitUntil(lambda: w.model.rowCount() != total, timeout=5000)
    d = w.model.data_
    shown = [w.model.visible[r] for r in range(w.model.rowCount())]
    assert any(d.artist[i] == "Robert van Herk" for i in shown)
    assert all("robert van" in f"{d.artist[i]} {Path(d.path[i]).name}".lower() for i in shown)
    w.search.clear()
    qtbot.keyClicks(w.search, "first1k.")             # untagged files are found by their file name

    def names() -> set[str]:
        return {Path(w.model.data_.path[w.model.visible[r]]).name for r in range(w.model.rowCount())}
    qtbot.waitUntil(lambda: bool(names()) and all(n.startswith("first1k.") for n in names()), timeout=5000)
    assert len(names()) == 6


def test_sort_by_clicking_headers(make_window, library_db, qtbot):
    w = make_window(library_db)
    load(w, qtbot, index=False)
    header = w.table.horizontalHeader()
    header.setSortIndicator(TITLE, Qt.SortOrder.AscendingOrder)
    titles = [_cell(w.model, r, TITLE).casefold() for r in range(w.model.rowCount())]
    assert titles == sorted(titles)
    header.setSortIndicator(TITLE, Qt.SortOrder.DescendingOrder)
    titles = [_cell(w.model, r, TITLE).casefold() for r in range(w.model.rowCount())]
    assert titles == sorted(titles, reverse=True)
    header.setSortIndicator(TIME, Qt.SortOrder.AscendingOrder)
    durations = [w.model.data_.duration[w.model.visible[r]] for r in range(w.model.rowCount())]
    known = [d for d in durations if d is not None]
    assert known == sorted(known) and durations[:len(known)] == known   # unknown lengths last


def test_scan_from_the_window_fills_the_table_with_progress(make_window, media_copy, tmp_path, qtbot):
    files = media_copy(subdir="drop")
    db = tmp_path / "fresh.db"
    w = make_window(db)
    w.library.analyse_after_scan = False
    seen: list[tuple[str, int, int]] = []
    w.library.busyChanged.connect(lambda what, d, t: seen.append((what, d, t)))
    with qtbot.waitSignal(w.library.scanFinished, timeout=60000):
        w.add_folder(tmp_path / "drop")
        assert w.progress.isVisible()
    qtbot.waitUntil(lambda: w.model.rowCount() == len(files), timeout=30000)
    qtbot.waitUntil(lambda: not w.progress.isVisible(), timeout=30000)
    assert any(what.startswith("Scanning") for what, _, _ in seen)
    assert (len(files), len(files)) in {(d, t) for _, d, t in seen}
    assert str((tmp_path / "drop").resolve()) in w.settings.library_folders


def test_moods_column_after_analysis(make_window, analysed_db, qtbot):
    w = make_window(analysed_db)
    load(w, qtbot, index=False)
    moods = {_cell(w.model, r, MOOD) for r in range(w.model.rowCount())}
    assert moods & {"Excited", "Tense", "Sad", "Serene", "Neutral"}


def test_dropping_a_folder_on_the_window_scans_it(make_window, media_copy, tmp_path, qtbot):
    from PySide6.QtCore import QMimeData, QPointF, QUrl
    from PySide6.QtGui import QDragEnterEvent, QDropEvent
    from PySide6.QtWidgets import QApplication

    files = media_copy(subdir="dropped")
    w = make_window(tmp_path / "drop.db")
    w.library.analyse_after_scan = False
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(tmp_path / "dropped"))])
    pos = QPointF(w.width() / 2, w.height() / 2)
    enter = QDragEnterEvent(pos.toPoint(), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(w, enter)
    assert enter.isAccepted()
    drop = QDropEvent(pos, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    with qtbot.waitSignal(w.library.scanFinished, timeout=60000):
        QApplication.sendEvent(w, drop)
    qtbot.waitUntil(lambda: w.model.rowCount() == len(files), timeout=30000)
