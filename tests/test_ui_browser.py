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

    def open_window() -> MainWindow:       # a fresh window on the same settings file: a restart
        win = MainWindow(library_db, Settings(QSettings(ini, QSettings.Format.IniFormat)))
        qtbot.addWidget(win)
        win.resize(1280, 860)
        win.show()
        load(win, qtbot, index=False)
        return win

    w = open_window()
    header = w.table.horizontalHeader()
    w.browser_actions.set_column_shown(VALENCE, False)
    w.browser_actions.set_column_shown(AROUSAL, False)
    header.resizeSection(ARTIST, 177)
    header.setSortIndicator(ARTIST, Qt.SortOrder.DescendingOrder)
    w.browser.panes[2].set_key("genre")
    first = w.model.data_.artist[w.model.data_row(0)]
    w.close()

    w2 = open_window()
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


def test_search_narrows_the_panes_and_clearing_restores_them(make_window, analysed_db, qtbot):
    w = make_window(analysed_db)
    load(w, qtbot, index=False)
    d, (artists, albums, moods) = w.model.data_, w.browser.panes
    before = [list(p.model.labels) for p in w.browser.panes]
    total = w.model.rowCount()
    w.search.setText("lincity")                  # typed in the box, as a user does (after its short delay)
    qtbot.waitUntil(lambda: w.model.rowCount() < total, timeout=5000)
    rows = _shown(w)
    assert rows and len(rows) < total
    assert artists.model.labels == sorted({d.artist[i] or "" for i in rows}, key=lambda a: (not a, a.casefold()))
    assert set(albums.model.labels) == {d.album[i] or "" for i in rows}
    assert "The Battle for Wesnoth OST" not in albums.model.labels and len(albums.model.labels) < len(before[1])
    assert sum(int(c) for c in artists.model.counts) == len(rows)   # the counts are of the matches
    assert set(moods.model.labels) == {d.top_mood(i) or "Not analysed" for i in rows}

    # a pane click within the search: both narrow the table
    artists.select_labels([artists.model.labels[0]])
    assert all(d.artist[i] == artists.model.labels[0] and i in rows for i in _shown(w))
    w.browser.clear()
    w.search.setText("")                         # cleared: every value is back
    qtbot.waitUntil(lambda: w.model.rowCount() == total, timeout=5000)
    assert [list(p.model.labels) for p in w.browser.panes] == before
    assert w.model.rowCount() == total


def _reference_rows(db) -> list[dict]:
    """The library as a plain reading gives it: every column by name, each mood JSON parsed alone."""
    import json
    import sqlite3

    from moodplayer.library.store import connect
    from moodplayer.mood_geometry import top_mood

    conn = connect(db)
    conn.row_factory = sqlite3.Row
    rows = [dict(r) for r in conn.execute(
        "SELECT t.id, t.path, t.title, t.artist, t.album, t.album_artist, t.genre, t.year, t.disc_no, "
        "t.track_no, t.duration, t.available, t.error, a.valence, a.arousal, a.moods, "
        "a.error AS analysis_error FROM tracks t LEFT JOIN analysis a ON a.track_id = t.id")]
    conn.close()
    for r in rows:
        try:
            r["mood"] = top_mood(json.loads(r["moods"])) if r["moods"] else None
        except ValueError:
            r["mood"] = None
    return rows


def test_the_loader_gives_the_rows_a_plain_reading_gives(analysed_db):
    """Every value, top mood and the library order as a row-by-row reading, over the real analysed
    library with some mood JSON made awkward: old names, a tie, a bool, an int, junk."""
    import json
    import os

    from moodplayer.library.store import connect
    from moodplayer.ui.library_data import load_library

    conn = connect(analysed_db)
    ids = [r[0] for r in conn.execute("SELECT track_id FROM analysis WHERE moods IS NOT NULL ORDER BY track_id")]
    assert len(ids) >= 8
    odd = ({"Happy": 0.6, "Sad": 0.4}, {"Excited": 0.0, "Tense": 0.0, "Sad": 0.5, "Serene": 0.5, "Neutral": 0.0},
           {"Excited": True, "Tense": 0.2, "Sad": 0.1, "Serene": 0.1, "Neutral": 0.1},
           {"Excited": 0.1, "Tense": 1, "Sad": 0.1, "Serene": 0.1, "Neutral": 0.1}, [0.2, 0.8])
    with conn:
        for tid, moods in zip(ids, odd):
            conn.execute("UPDATE analysis SET moods = ? WHERE track_id = ?", (json.dumps(moods), tid))
        conn.execute("UPDATE analysis SET moods = ? WHERE track_id = ?", ("{not json", ids[len(odd)]))
    data = load_library(conn)
    conn.close()
    ref = _reference_rows(analysed_db)
    assert sorted(data.id) == sorted(r["id"] for r in ref)
    for r in ref:
        i = data.row_of[r["id"]]
        for key in ("path", "title", "artist", "album", "album_artist", "genre", "year", "duration",
                    "available", "error", "valence", "arousal", "analysis_error"):
            assert getattr(data, key)[i] == r[key], (key, r["path"])
        assert data.top_mood(i) == r["mood"], r["moods"]
    by_id = {r["id"]: r for r in ref}
    assert [data.top_mood(data.row_of[t]) for t in ids[:len(odd) + 1]] == ["Excited", "Sad", "Tense", "Tense", None, None]

    def key(r):
        return ((r["artist"] or "\uffff").casefold(), (r["album"] or "").casefold(), r["disc_no"] or 0,
                r["track_no"] or 0, r["path"])
    assert [data.id[i] for i in data.order] == [r["id"] for r in sorted(ref, key=key)]
    assert list(data.base) == data.order
    # the search text: title, artist, album, file name, then the mood words
    for r in ref[:20]:
        hay = data.haystack[data.row_of[r["id"]]]
        assert hay.startswith(f"{r['title'] or ''}\x00{r['artist'] or ''}\x00{r['album'] or ''}\x00"
                              f"{r['path'].rsplit(os.sep, 1)[-1]}\x01".casefold())
        assert (by_id[r["id"]]["mood"] or "").casefold() in hay.split("\x01")[1]
