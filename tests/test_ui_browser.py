"""The library browser (issue 14) driven as a user would, over the real test media scanned and analysed
by the real model: filter panes artist -> album -> mood, multi-select, enqueue and play an album by
mood, a search that matches mood words, and hidden columns / sort order / panes kept after a restart."""
from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QSettings, Qt

from moodplayer.ui.library_model import ARTIST, AROUSAL, TITLE, VALENCE
from tests._playback import null_engine_factory
from tests._ui import analysed_db, analysed_library, library_db, load, make_window, scanned_library  # noqa: F401


def _shown(w) -> list[int]:
    return [w.model.data_row(r) for r in range(w.model.rowCount())]


def _select_rows(w, rows: list[int]) -> None:
    sel = w.table.selectionModel()
    sel.clearSelection()
    for r in rows:
        sel.select(w.model.index(r, 0), QItemSelectionModel.SelectionFlag.Select
                   | QItemSelectionModel.SelectionFlag.Rows)


def test_filter_by_artist_then_album_then_mood_with_multi_select(make_window, analysed_db, qtbot):
    w = make_window(analysed_db)
    load(w, qtbot)
    d, (artists, albums, moods) = w.model.data_, w.browser.panes
    assert [p.key for p in w.browser.panes] == ["artist", "album", "mood"]
    total = w.model.rowCount()
    assert artists.model.rowCount() > 5 and "Robert van Herk" in artists.model.labels

    artists.select_labels(["Robert van Herk"])
    assert 0 < w.model.rowCount() < total
    assert all(d.artist[i] == "Robert van Herk" for i in _shown(w))
    assert "LinCity-NG Music" in albums.model.labels          # the next pane lists only his albums
    assert "The Battle for Wesnoth OST" not in albums.model.labels
    assert "shown" in w.library_label.text()

    albums.select_labels(["LinCity-NG Music"])
    rows = _shown(w)
    assert rows and all(d.album[i] == "LinCity-NG Music" for i in rows)
    present = [m for m in moods.model.labels if m != "Not analysed"]
    assert present, "some of the album's tracks are analysed"
    moods.select_labels([present[0]])
    assert w.model.rowCount() > 0 and all(d.top_mood(i) == present[0] for i in _shown(w))

    # several artists at once (Ctrl-click): the union; the panes after it follow
    w.browser.clear()
    artists.select_labels(["Robert van Herk", "Obsidian Shell"])
    got = {d.artist[i] for i in _shown(w)}
    assert got == {"Robert van Herk", "Obsidian Shell"}
    assert "Angelic Asylum" in albums.model.labels and "LinCity-NG Music" in albums.model.labels
    w.browser.clear()
    assert w.model.rowCount() == total

    # regrouping a pane (the "Group by" choice) by genre/year keeps the browser consistent
    artists.set_key("year")
    assert artists.model.key == "year" and w.model.rowCount() == total


def test_enqueue_play_next_and_album_by_mood(make_window, analysed_db, qtbot):
    w = make_window(analysed_db, engine_factory=null_engine_factory(analysed_db))
    load(w, qtbot)
    index = w.session.index
    w.browser.panes[0].select_labels(["Robert van Herk"])
    w.browser.panes[1].select_labels(["LinCity-NG Music"])
    analysed = [r for r in range(w.model.rowCount()) if w.model.track_id(r) in index.row_of]
    assert len(analysed) >= 3
    _select_rows(w, analysed[:2])
    ids = w.browser_actions.selected_ids()
    assert len(ids) == 2
    assert w.browser_actions.enqueue() == 2
    assert [p.track_id for p in w.session.path] == ids and w.session.list_name == "your picks"
    assert [p.track_id for p in w.session.picks][:2] == ids          # the queue panel shows them
    nxt = w.model.track_id(analysed[2])
    w.browser_actions.enqueue([nxt], next_=True)                      # "Play next" goes first
    assert [p.track_id for p in w.session.path] == [nxt, *ids]

    # "Play this album by mood": the album's analysed tracks, each once, numbered as one path
    album_ids, name = w.browser_actions.album_ids([ids[0]])
    assert name == "LinCity-NG Music"
    n = w.browser_actions.play_album_by_mood([ids[0]])
    in_album = [t for t in album_ids if t in index.row_of]
    assert n == len(in_album)
    qtbot.waitUntil(lambda: w.playback.current_id is not None, timeout=20000)
    heard = w.playback.current_id
    queued = [p.track_id for p in w.session.path]
    assert sorted([heard, *queued]) == sorted(in_album)
    assert w.session.list_name == "LinCity-NG Music by mood"
    assert all(p.step is not None and p.step[1] == n for p in w.session.path)


def test_search_matches_mood_words(make_window, analysed_db, qtbot):
    w = make_window(analysed_db)
    load(w, qtbot, index=False)
    d, total = w.model.data_, w.model.rowCount()
    top = [d.top_mood(i) for i in range(len(d))]
    mood = max({m for m in top if m}, key=top.count)
    w.model.set_search(mood.lower())
    rows = _shown(w)
    assert rows and any(top[i] == mood for i in rows)
    assert {i for i in range(len(d)) if top[i] == mood} <= set(rows)
    for word, test in (("calm", lambda a: a < 0.4), ("energetic", lambda a: a > 0.6)):
        w.model.set_search(word)
        for i in _shown(w):
            text = f"{d.title[i]} {d.artist[i]} {d.album[i]} {d.path[i]}".lower()
            assert word in text or (d.arousal[i] is not None and test(d.arousal[i]))
        expected = {i for i in range(len(d)) if d.arousal[i] is not None and test(d.arousal[i])}
        assert expected <= set(_shown(w))
    w.model.set_search("")
    assert w.model.rowCount() == total


def test_columns_sort_and_panes_come_back_after_a_restart(library_db, qtbot, tmp_path):
    from moodplayer.ui.main_window import MainWindow
    from moodplayer.ui.settings import Settings

    ini = str(tmp_path / "browser.ini")
    w = MainWindow(library_db, Settings(QSettings(ini, QSettings.Format.IniFormat)))
    qtbot.addWidget(w)
    w.resize(1280, 860)
    w.show()
    load(w, qtbot, index=False)
    header = w.table.horizontalHeader()
    w.browser_actions.set_column_shown(VALENCE, False)
    w.browser_actions.set_column_shown(AROUSAL, False)
    header.resizeSection(ARTIST, 177)
    header.setSortIndicator(ARTIST, Qt.SortOrder.DescendingOrder)
    w.browser.panes[2].set_key("genre")
    first = w.model.data_.artist[w.model.data_row(0)]
    w.close()

    w2 = MainWindow(library_db, Settings(QSettings(ini, QSettings.Format.IniFormat)))
    qtbot.addWidget(w2)
    w2.resize(1280, 860)
    w2.show()
    load(w2, qtbot, index=False)
    h2 = w2.table.horizontalHeader()
    assert h2.isSectionHidden(VALENCE) and h2.isSectionHidden(AROUSAL) and not h2.isSectionHidden(TITLE)
    assert h2.sectionSize(ARTIST) == 177
    assert w2.model.sort_state == (ARTIST, True)
    assert h2.sortIndicatorSection() == ARTIST and h2.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
    artists = [w2.model.data_.artist[i] or "" for i in _shown(w2)]
    known = [a for a in artists if a]
    assert w2.model.data_.artist[w2.model.data_row(0)] == first
    assert known == sorted(known, key=str.casefold, reverse=True)
    assert w2.browser.fields == ["artist", "album", "genre"]
    # the last visible column cannot be hidden (the table never ends up empty of columns)
    for col in range(h2.count()):
        w2.browser_actions.set_column_shown(col, False)
    assert h2.count() - h2.hiddenSectionCount() == 1
    w2.close()
