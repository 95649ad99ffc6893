"""The mood queue on a real SQLite library whose moods come from a seeded synthetic set."""
from __future__ import annotations

import json
import subprocess
import sys
import time

import numpy as np
import pytest

from moodplayer.library import store
from moodplayer.recommend.clusters import cluster_moods
from moodplayer.recommend.feedback import SKIP_PUSH, record_feedback
from moodplayer.recommend.index import MoodIndex
from moodplayer.recommend.mood_path import mood_path, path_between
from moodplayer.recommend.queue import build_queue, recently_played
from moodplayer.recommend.regions import region_phrase
from moodplayer.recommend.synthetic import write_synthetic_library

CLI = [sys.executable, "-m", "moodplayer"]


@pytest.fixture
def library(tmp_path):
    db = tmp_path / "lib.db"
    conn = write_synthetic_library(db, 2000, seed=7, artists=60)
    yield db, conn
    conn.close()


def _brute(index: MoodIndex, v: float, a: float) -> np.ndarray:
    d = np.hypot(index.position[:, 0] - v, index.position[:, 1] - a)
    return index.ids[np.argsort(d, kind="stable")], np.sort(d)


@pytest.mark.parametrize("point", [(0.5, 0.5), (0.9, 0.1), (0.05, 0.95), (0.31, 0.62)])
def test_knn_order_matches_brute_force(library, point):
    _, conn = library
    index = MoodIndex.from_db(conn)
    picks = build_queue(index, *point, n=60, max_per_artist=0)
    ids, dists = _brute(index, *point)
    assert [p.track_id for p in picks] == ids[:60].tolist()
    np.testing.assert_allclose([p.distance for p in picks], dists[:60])


def test_only_analysed_available_tracks_are_queued(library):
    _, conn = library
    with conn:
        conn.execute("UPDATE tracks SET available = 0 WHERE id <= 100")
        conn.execute("UPDATE analysis SET valence = NULL WHERE track_id BETWEEN 101 AND 150")
    index = MoodIndex.from_db(conn)
    assert len(index) == 1850 and index.ids.min() == 151


def test_artist_spacing(library):
    _, conn = library
    t = store.now()
    with conn:   # one prolific artist sits right on the spot
        for i in range(30):
            cur = conn.execute("INSERT INTO tracks (path, size, mtime_ns, artist, added_at, scanned_at) "
                               "VALUES (?, 1, 0, 'Solo', ?, ?)", (f"/solo/{i}.flac", t, t))
            conn.execute("INSERT INTO analysis (track_id, model_version, valence, arousal, analysed_at) "
                         "VALUES (?, 'synthetic', ?, ?, ?)", (cur.lastrowid, 0.93 + i * 1e-4, 0.93, t))
    index = MoodIndex.from_db(conn)
    plain = build_queue(index, 0.93, 0.93, 20, max_per_artist=0)
    assert all(p.artist == "Solo" for p in plain[:20])
    for limit in (1, 2):
        picks = build_queue(index, 0.93, 0.93, 20, max_per_artist=limit)
        runs = [len(list(g)) for _, g in __import__("itertools").groupby(p.artist for p in picks)]
        assert max(runs) <= limit, (limit, runs)
        assert sum(p.artist == "Solo" for p in picks) >= 20 // (limit + 1)   # still favoured, just spaced


def test_recently_played_is_skipped(library):
    _, conn = library
    index = MoodIndex.from_db(conn)
    first = build_queue(index, 0.7, 0.3, 10)
    now = time.time()
    with conn:
        for p in first[:5]:
            conn.execute("INSERT INTO plays (track_id, at, completed) VALUES (?, ?, 1)", (p.track_id, now - 600))
        conn.execute("INSERT INTO plays (track_id, at, completed) VALUES (?, ?, 1)", (first[5].track_id, now - 5 * 3600))
    recent = recently_played(conn)
    assert recent == {p.track_id for p in first[:5]}
    again = build_queue(index, 0.7, 0.3, 10, exclude=recent)
    ids = [p.track_id for p in again]
    assert not recent & set(ids)
    assert first[5].track_id in ids                       # played 5 h ago: allowed again
    plain = [p.track_id for p in build_queue(index, 0.7, 0.3, 10, exclude=recent, max_per_artist=0)]
    assert plain == [i for i in _brute(index, 0.7, 0.3)[0].tolist() if i not in recent][:10]
    mask = index.exclusion_mask(recent)
    assert [p.track_id for p in build_queue(index, 0.7, 0.3, 10, exclude=mask)] == ids


def test_jitter_is_seeded_and_stays_near(library):
    _, conn = library
    index = MoodIndex.from_db(conn)
    a = [p.track_id for p in build_queue(index, 0.4, 0.6, 15, jitter=0.03, seed=1)]
    b = [p.track_id for p in build_queue(index, 0.4, 0.6, 15, jitter=0.03, seed=1)]
    c = [p.track_id for p in build_queue(index, 0.4, 0.6, 15, jitter=0.03, seed=2)]
    assert a == b and a != c
    picks = build_queue(index, 0.4, 0.6, 15, jitter=0.03, seed=2)
    _, dists = _brute(index, 0.4, 0.6)
    assert max(p.distance for p in picks) <= dists[14] + 0.03


def test_mood_path_moves_monotonically_toward_the_target(library):
    _, conn = library
    index = MoodIndex.from_db(conn)
    start, target = (0.2, 0.2), (0.85, 0.8)
    path = mood_path(index, start, target, 8)
    assert len(path) == 8 and len({p.track_id for p in path}) == 8
    to_target = [np.hypot(*(index.position[index.row_of[p.track_id]] - target)) for p in path]
    assert all(b <= a + 1e-12 for a, b in zip(to_target, to_target[1:])), to_target
    first = index.position[index.row_of[path[0].track_id]]
    assert np.hypot(*(first - start)) < 0.05 and to_target[-1] < 0.05     # meets the listener, arrives
    assert path[0].why.startswith("step 1/8:") and region_phrase(0.2, 0.2) in path[0].why


def test_path_between_two_tracks(library):
    _, conn = library
    index = MoodIndex.from_db(conn)
    a = build_queue(index, 0.1, 0.9, 1)[0].track_id
    b = build_queue(index, 0.9, 0.1, 1)[0].track_id
    path = path_between(index, a, b, 6)
    assert path[0].track_id == a and path[-1].track_id == b and len(path) == 6
    target = index.position[index.row_of[b]]
    to_b = [np.hypot(*(index.position[index.row_of[p.track_id]] - target)) for p in path]
    assert all(y <= x + 1e-12 for x, y in zip(to_b, to_b[1:]))
    with pytest.raises(KeyError, match="not in the mood index"):
        path_between(index, a, 10**9, 4)


def test_feedback_moves_a_track(library):
    _, conn = library
    index = MoodIndex.from_db(conn)
    spot = (0.3, 0.3)
    top = build_queue(index, *spot, 5)
    skipped = top[0]
    far = build_queue(index, 0.95, 0.95, 1)[0]                # a track far from the spot
    assert not index.is_stale(conn)
    record_feedback(conn, skipped.track_id, "skip", *spot)
    record_feedback(conn, far.track_id, "like", *spot)
    record_feedback(conn, far.track_id, "like", *spot)
    assert index.is_stale(conn)
    index = index.refreshed(conn)
    moved = index.position[index.row_of[skipped.track_id]]
    assert np.hypot(*(moved - spot)) >= SKIP_PUSH - 1e-9            # pushed out of the region
    assert skipped.track_id not in [p.track_id for p in build_queue(index, *spot, 5)]
    # Two likes pull the far track 3/4 of the way to the spot: its distance there shrinks to a quarter.
    before = np.hypot(far.valence - spot[0], far.arousal - spot[1])
    ranked, _ = _brute(index, *spot)
    rank = int(np.flatnonzero(ranked == far.track_id)[0])
    pulled = {p.track_id: p for p in build_queue(index, *spot, rank + 1, max_per_artist=0)}[far.track_id]
    assert pulled.distance == pytest.approx(before / 4)
    assert rank < len(index) // 2 and "placed by your likes" in pulled.why
    assert index.mood[index.row_of[far.track_id]].tolist() == [far.valence, far.arousal]  # analysis untouched
    with pytest.raises(ValueError):
        record_feedback(conn, far.track_id, "love", *spot)


def test_index_notices_library_changes(library):
    _, conn = library
    index = MoodIndex.from_db(conn)
    assert not index.is_stale(conn) and index.refreshed(conn) is index
    t = store.now()
    with conn:
        cur = conn.execute("INSERT INTO tracks (path, size, mtime_ns, added_at, scanned_at) VALUES ('/new.flac', 1, 0, ?, ?)", (t, t))
        conn.execute("INSERT INTO analysis (track_id, model_version, valence, arousal, analysed_at) VALUES (?, 'x', 0.5, 0.5, ?)",
                     (cur.lastrowid, t))
    fresh = index.refreshed(conn)
    assert fresh is not index and len(fresh) == len(index) + 1


def test_index_notices_changes_seen_through_fresh_connections(library):
    """The GUI checks staleness on a new connection each time; a commit between two of them counts
    (a new connection starts from the same data_version, and often reuses the old one's id())."""
    db, conn = library
    index = MoodIndex.from_db(conn)

    def stale_on_a_fresh_connection() -> bool:
        fresh = store.connect(db)
        try:
            return index.is_stale(fresh)
        finally:
            fresh.close()

    assert not stale_on_a_fresh_connection()
    record_feedback(conn, int(index.ids[0]), "skip", 0.5, 0.5)   # another connection commits
    assert stale_on_a_fresh_connection()


def test_clusters_chosen_by_silhouette(library):
    _, conn = library
    index = MoodIndex.from_db(conn)
    result = cluster_moods(index.mood, range(2, 9), seed=0)
    assert result.k == max(result.scores, key=result.scores.get)
    assert set(result.scores) == set(range(2, 9))
    assert 0.3 < result.silhouette <= 1.0
    assert len(result.labels) == len(index) and result.centers.shape == (result.k, 2)
    assert all(", " in name for name in result.names)
    print(f"\nK-means on 2000 synthetic moods: K={result.k}, silhouette {result.silhouette:.3f}, "
          f"all: { {k: round(s, 3) for k, s in result.scores.items()} }")


def test_region_phrases():
    assert region_phrase(0.8, 0.2) == "calm, positive"
    assert region_phrase(0.2, 0.9) == "energetic, negative"
    assert region_phrase(0.5, 0.5) == "moderate, neutral"


def test_cli_json_queue_and_path(library):
    db, _ = library
    out = subprocess.run([*CLI, "recommend", "--valence", "0.7", "--arousal", "0.3", "-n", "5", "--db", str(db),
                          "--json"], capture_output=True, text=True, check=True).stdout
    picks = json.loads(out)
    assert len(picks) == 5
    for p in picks:
        assert {"path", "title", "artist", "valence", "arousal", "distance", "why"} <= set(p)
    assert [p["distance"] for p in picks] == sorted(p["distance"] for p in picks)
    out = subprocess.run([*CLI, "recommend", "-v", "0.2", "-a", "0.2", "--path-to", "0.9,0.9", "--steps", "5",
                          "--db", str(db), "--json"], capture_output=True, text=True, check=True).stdout
    path = json.loads(out)
    assert [p["step"] for p in path] == [[i, 5] for i in range(1, 6)]
    bad = subprocess.run([*CLI, "recommend", "-v", "1.5", "-a", "0.2", "--db", str(db)], capture_output=True, text=True)
    assert bad.returncode == 2 and "outside 0..1" in bad.stderr


@pytest.mark.slow
def test_reorder_benchmark_runs_on_100k_tracks_and_reports_its_figures():
    """The 60 fps drag figures are a benchmark's job (README, Performance): here only that it runs."""
    out = subprocess.run([sys.executable, "-m", "moodplayer.recommend.bench", "--frames", "60"],
                         capture_output=True, text=True, check=True, timeout=600).stdout
    print("\n" + out)
    assert "100,000 tracks written" in out
    assert out.count("re-order 50 of 100,000") == 2 and out.count("wall median") == 2, out
