"""Library browser benchmark (not a test): a 100,000-track synthetic library (tests/bench_gui.py's
generator), timed through the real loader, model and filter panes, Qt offscreen.

    python tests/bench_browser.py [-n 100000] [--db PATH]

Prints: the worker's load (SQL + arrays; wall and CPU time), the GUI-thread model swap, pane clicks
(artist, album, mood), searches (a word, a mood word, two words; each narrows the panes too), sorts
(first and cached) and the panes' refresh.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def _ms(fn, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=100_000)
    ap.add_argument("--db", type=Path)
    args = ap.parse_args()
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from moodplayer.library.store import connect
    from moodplayer.ui.library_browser import LibraryBrowser
    from moodplayer.ui.library_data import load_library
    from moodplayer.ui.library_model import ARTIST, TITLE, VALENCE, LibraryModel
    from tests.bench_gui import make_library_db

    db = args.db or Path(tempfile.mkdtemp()) / "bench.db"
    if not db.exists():
        t = time.perf_counter()
        make_library_db(db, args.n)
        print(f"made {args.n:,} tracks in {time.perf_counter() - t:.1f} s")
    app = QApplication.instance() or QApplication([])
    conn = connect(db)
    t, cpu = time.perf_counter(), time.process_time()
    data = load_library(conn)
    print(f"load_library (worker: SQL, order, facets, sort keys): {time.perf_counter() - t:.2f} s "
          f"(CPU {time.process_time() - cpu:.2f} s; load average {os.getloadavg()[0]:.1f}), {len(data):,} rows")
    model = LibraryModel()
    browser = LibraryBrowser(model)
    t = time.perf_counter()
    model.set_library(data)
    print(f"model.set_library + panes filled (GUI thread): {(time.perf_counter() - t) * 1000:.1f} ms")
    artists, albums, moods = browser.panes
    top_artist = artists.model.labels[int(artists.model.counts.argmax())]

    def pick_artist() -> None:
        artists.select_labels([top_artist])

    def all_artists() -> None:
        artists.select_labels([])
    print(f"artist pane click: {_ms(pick_artist):.1f} ms ({model.rowCount():,} shown); "
          f"back to all: {_ms(all_artists):.1f} ms")
    pick_artist()
    album = albums.model.labels[0]
    print(f"album pane click: {_ms(lambda: albums.select_labels([album])):.1f} ms")
    print(f"mood pane click: {_ms(lambda: moods.select_labels([moods.model.labels[0]])):.1f} ms")
    browser.clear()
    for q in ("river", "sad", "calm", "golden river"):
        def search(q=q) -> None:
            model._search_cache = None   # a new query each time (no cache)
            model._query = []
            model.set_search(q)
        print(f"search {q!r} (table and panes): {_ms(search):.1f} ms ({model.rowCount():,} shown; panes "
              f"{', '.join(str(len(p.model.labels)) for p in browser.panes)} values)")
        model.set_search("")
    for col, name in ((TITLE, "title"), (ARTIST, "artist"), (VALENCE, "valence")):
        def sort(col=col) -> None:
            model._order_cache = None
            model.sort(col, Qt.SortOrder.DescendingOrder)
        print(f"sort by {name}: {_ms(sort):.1f} ms")
    model.set_search("sad")
    print(f"sort by title while searching 'sad': {_ms(lambda: (setattr(model, '_order_cache', None), model.sort(TITLE))):.1f} ms")
    conn.close()
    del app


if __name__ == "__main__":
    main()
