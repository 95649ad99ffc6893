"""The library's revision and the view kept from the last close (issue 14: a 100,000-track library's
table and pad usable within 2 s of start). Real SQLite files, the real test media scanned into them,
real writes from another process."""
from __future__ import annotations

import pickle
import sqlite3
import subprocess
import sys

import numpy as np
import pytest

from moodplayer.library import store
from moodplayer.library.scanner import scan
from moodplayer.recommend.index import MoodIndex
from moodplayer.ui import library_snapshot
from moodplayer.ui.library_data import load_library


@pytest.fixture
def library(media, tmp_path):
    """The test media's formats scanned into a new library, with made-up moods on most tracks."""
    db = tmp_path / "lib.db"
    conn = store.connect(db)
    scan(conn, media.formats["ogg"].parent, workers=1)
    ids = [r[0] for r in conn.execute("SELECT id FROM tracks ORDER BY id")]
    assert len(ids) >= 4
    rng = np.random.default_rng(0)
    with conn:
        for tid in ids[:-1]:
            v, a = rng.random(2)
            conn.execute("INSERT INTO analysis (track_id, model_version, valence, arousal, moods, analysed_at) "
                         "VALUES (?, 'test', ?, ?, ?, 0)", (tid, float(v), float(a),
                                                            '{"Excited": 0.1, "Tense": 0.1, "Sad": 0.5, '
                                                            '"Serene": 0.2, "Neutral": 0.1}'))
    yield db, conn
    conn.close()


def _other_process(db, sql: str) -> None:
    """A write by another program, as `moodplayer index` or a second window would make it."""
    subprocess.run([sys.executable, "-c", f"import sqlite3; c = sqlite3.connect({str(db)!r}); c.execute({sql!r}); "
                    "c.commit()"], check=True)


def test_every_kind_of_write_moves_the_revision_in_any_process(library):
    db, conn = library
    token, n = store.revision(conn)
    tid = conn.execute("SELECT min(id) FROM tracks").fetchone()[0]
    seen = [n]
    for sql in (f"UPDATE tracks SET title = 'x' WHERE id = {tid}",
                f"UPDATE tracks SET available = 0 WHERE id = {tid}",
                f"UPDATE analysis SET valence = 0.5 WHERE track_id = {tid}",
                f"INSERT INTO feedback (track_id, kind, at) VALUES ({tid}, 'like', 0)",
                "DELETE FROM feedback",
                f"DELETE FROM analysis WHERE track_id = {tid}",
                f"DELETE FROM tracks WHERE id = {tid}"):
        _other_process(db, sql)
        t, m = store.revision(conn)
        assert t == token and m > seen[-1], sql
        seen.append(m)
    # plays are not part of the library's rows: a play moves nothing
    _other_process(db, "INSERT INTO plays (track_id, at) VALUES ((SELECT min(id) FROM tracks), 0)")
    assert store.revision(conn) == (token, seen[-1])
    # a library made anew at the same place is another library, whatever its number
    other = store.connect(db.with_name("other.db"))
    assert store.revision(other)[0] != token
    other.close()


def test_an_older_library_gets_a_revision_on_opening(tmp_path):
    db = tmp_path / "v2.db"
    c = sqlite3.connect(db)
    c.executescript(store.MIGRATIONS[0] + store.MIGRATIONS[1] + "\nPRAGMA user_version = 2;")
    c.execute("INSERT INTO tracks (path, size, mtime_ns, added_at, scanned_at) VALUES ('/m/a.ogg', 1, 1, 0, 0)")
    c.commit()
    c.close()
    conn = store.connect(db)
    token, n = store.revision(conn)
    with conn:
        conn.execute("UPDATE tracks SET title = 'a'")
    assert store.revision(conn) == (token, n + 1)
    conn.close()


def test_the_kept_view_comes_back_exactly_while_the_library_is_unchanged(library):
    db, conn = library
    data = load_library(conn)
    assert library_snapshot.save(db, conn, data)
    back = library_snapshot.load(db, conn)
    assert back is not None and back.revision == data.revision
    for name in ("cols", "mood", "order", "row_of", "haystack", "fname"):
        assert getattr(back, name) == getattr(data, name), name
    assert np.array_equal(back.base, data.base)
    assert {k: f.labels for k, f in back.facets.items()} == {k: f.labels for k, f in data.facets.items()}
    assert all(np.array_equal(back.ranks[c], data.ranks[c], equal_nan=True) for c in data.ranks)
    assert [back.text(r, c) for r in range(len(back)) for c in range(len(back.columns))] == \
        [data.text(r, c) for r in range(len(data)) for c in range(len(data.columns))]

    # a write by another program: the kept view is out of date and is not used
    _other_process(db, "UPDATE tracks SET title = 'Renamed' WHERE id = (SELECT min(id) FROM tracks)")
    assert library_snapshot.load(db, conn) is None
    assert not library_snapshot.save(db, conn, data)     # nor is a stale view written
    fresh = load_library(conn)
    assert "Renamed" in fresh.title
    assert library_snapshot.save(db, conn, fresh)
    assert library_snapshot.load(db, conn).title == fresh.title


def test_a_damaged_or_foreign_view_file_is_ignored_with_a_warning(library, caplog):
    db, conn = library
    data = load_library(conn)
    path = library_snapshot.snapshot_path(db)
    assert library_snapshot.save(db, conn, data)
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) // 2])            # a disk that filled up mid-write, say
    assert library_snapshot.load(db, conn) is None
    assert "unusable" in caplog.text and str(path) in caplog.text
    path.write_bytes(b"not a pickle at all")
    assert library_snapshot.load(db, conn) is None
    # a view written for another library (the database was deleted and made anew)
    other = store.connect(db.with_name("other.db"))
    other_data = load_library(other)
    assert library_snapshot.save(db.with_name("other.db"), other, other_data)
    library_snapshot.snapshot_path(db.with_name("other.db")).replace(path)
    assert library_snapshot.load(db, conn) is None
    other.close()
    # and a view of an older format
    key = pickle.dumps((0, "0", 0, (), store.revision(conn)))
    path.write_bytes(key + whole[len(pickle.dumps(library_snapshot._key(data.revision, data.schema))):])
    assert library_snapshot.load(db, conn) is None


def test_the_index_made_from_the_view_is_the_index_read_from_the_database(library):
    db, conn = library
    with conn:
        tid = conn.execute("SELECT min(track_id) FROM analysis").fetchone()[0]
        conn.execute("UPDATE tracks SET available = 0 WHERE id = ?", (tid,))   # not in the index
        conn.execute("INSERT INTO feedback (track_id, kind, valence, arousal, at) "
                     "SELECT max(track_id), 'like', 0.9, 0.9, 0 FROM analysis")
    data = load_library(conn)
    from moodplayer.recommend.feedback import load_feedback

    a = MoodIndex.from_columns(data.cols, load_feedback(conn), data.revision)
    b = MoodIndex.from_db(conn)
    assert tid not in a.row_of and len(a) == len(b) >= 2
    assert a.stamp == b.stamp == store.revision(conn)
    assert np.array_equal(a.ids, b.ids)
    assert np.allclose(a.mood, b.mood) and np.allclose(a.position, b.position)
    assert a.moved_by == b.moved_by and a.moved_by
    for name in ("paths", "titles", "artists", "albums", "durations", "rg_gains", "rg_peaks"):
        assert getattr(a, name) == getattr(b, name), name


def test_nearest_before_the_tree_is_the_nearest_after_it():
    """Until the KD-tree is built (a worker, after the pad shows its dots) an exact scan answers."""
    rng = np.random.default_rng(1)
    n = 5000
    pos = rng.random((n, 2))
    index = MoodIndex(ids=np.arange(1, n + 1), paths=[f"/m/{i}.ogg" for i in range(n)], titles=[None] * n,
                      artists=[None] * n, durations=[None] * n, mood=pos, position=pos)
    assert index.tree is None
    queries = [(float(v), float(a), k) for (v, a), k in zip(rng.random((40, 2)), rng.integers(1, 300, 40))]
    before = [index.nearest(v, a, k) for v, a, k in queries]
    assert index.with_tree().tree is not None
    for (v, a, k), (d0, r0) in zip(queries, before):
        d1, r1 = index.nearest(v, a, k)
        assert np.array_equal(r0, r1) and np.allclose(d0, d1)
    assert len(index.nearest(0.5, 0.5, n + 10)[1]) == n
