"""Mood clusters in the product (issue 14): ``moodplayer map`` writes a labelled PNG of the right size
in the clusters' colours without a display; the window colours the dots, plays a cluster and saves
the map; a mood path's numbers on the pad match the queue's and its drawing ends with it; the
terminal tables of ``recommend`` are aligned and name unknown artists."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from tests._playback import null_engine_factory
from tests._ui import analysed_db, analysed_library, load, make_window  # noqa: F401

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "moodplayer"]


def _headless_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _clusters(db: Path):
    from moodplayer.library.store import connect
    from moodplayer.recommend.clusters import cluster_moods
    from moodplayer.recommend.index import MoodIndex

    conn = connect(db, readonly=True)
    try:
        index = MoodIndex.from_db(conn)
    finally:
        conn.close()
    return index, cluster_moods(index.position)


def _has_colour(img_bgr: np.ndarray, hex_colour: str, tol: int = 12) -> int:
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    d = np.abs(img_bgr.astype(int) - np.array([b, g, r])).max(axis=2)
    return int((d <= tol).sum())


def test_map_command_writes_a_png_of_the_clusters_without_a_display(analysed_db, tmp_path):
    out = tmp_path / "map.png"
    p = subprocess.run([*CLI, "map", "--out", str(out), "--size", "1200x800", "--db", str(analysed_db)],
                       capture_output=True, text=True, timeout=180, env=_headless_env(), cwd=tmp_path)
    assert p.returncode == 0, p.stderr[-2000:]
    index, clusters = _clusters(analysed_db)
    assert f"{len(index)} tracks, {clusters.k} mood clusters, 1200x800 pixels" in p.stdout
    img = cv2.imread(str(out))
    assert img is not None and img.shape == (800, 1200, 3)
    for colour in clusters.colours():                 # every cluster's colour is drawn (dots, legend)
        assert _has_colour(img, colour) > 30, colour
    assert img.std() > 10                             # a picture, not a blank


def test_map_command_errors_are_plain(analysed_db, tmp_path):
    p = subprocess.run([*CLI, "map", "--out", str(tmp_path / "nowhere" / "m.png"), "--db", str(analysed_db)],
                       capture_output=True, text=True, timeout=120, env=_headless_env())
    assert p.returncode == 2 and "the folder does not exist" in p.stderr and "Traceback" not in p.stderr
    p = subprocess.run([*CLI, "map", "--out", str(tmp_path / "m.png"), "--size", "10x10", "--db", str(analysed_db)],
                       capture_output=True, text=True, timeout=120, env=_headless_env())
    assert p.returncode == 2 and "320x240" in p.stderr


def test_recommend_prints_an_aligned_table(analysed_db):
    p = subprocess.run([*CLI, "recommend", "-v", "0.5", "-a", "0.4", "-n", "8", "--db", str(analysed_db)],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    assert lines[0].split() == ["#", "distance", "valence", "arousal", "artist", "title", "mood"]
    start = lines[0].index("artist")
    assert all(ln[start - 2:start] == "  " for ln in lines[1:])            # the artist column lines up
    assert "\t" not in p.stdout
    untagged = [ln for ln in lines[1:] if ln[start:].startswith("Unknown artist")]
    assert untagged, "the test media has untagged tracks: their artist reads 'Unknown artist'"


def test_window_clusters_colour_the_dots_play_a_cluster_and_save_the_map(make_window, analysed_db, qtbot, tmp_path):
    w = make_window(analysed_db, engine_factory=null_engine_factory(analysed_db))
    load(w, qtbot)
    qtbot.waitUntil(lambda: w.clusters.clusters is not None, timeout=30000)
    c = w.clusters.clusters
    assert w.queue.cluster_row.isVisible() and w.queue.clusters.count() == c.k
    assert np.allclose(w.pad._rgb, c.rgb())                                   # the dots in cluster colours
    w.queue.clusters.setCurrentIndex(1)
    w.queue.play_cluster.click()
    members = set(int(w.session.index.ids[r]) for r in np.flatnonzero(c.labels == 1))
    qtbot.waitUntil(lambda: w.playback.current_id is not None, timeout=15000)
    assert w.playback.current_id in members
    assert set(w.queue.track_ids()) <= members
    assert w.queue.subtitle.text().startswith(f"cluster 2 · {c.names[1]}")
    assert w.pad.target == pytest.approx(tuple(c.centers[1]), abs=1e-6)
    out = tmp_path / "window map.png"
    assert w.save_mood_map(out)
    assert cv2.imread(str(out)).shape == (1100, 1600, 3)


def test_mood_path_numbers_match_and_the_drawing_ends_with_the_path(make_window, analysed_db, qtbot):
    w = make_window(analysed_db)
    load(w, qtbot)
    w.pad.set_target(0.15, 0.1)
    n = w.mood.path_to((0.55, 0.6))     # from sad to moderate: the test media have tracks along it
    assert n >= 3 and len(w.pad.path_points) == 2
    steps = list(w.session.path)
    w.session.track_started(steps[0].track_id)            # the first step was heard
    assert w.pad.queue_labels[:len(w.queue.picks)] == [p.step[0] for p in w.queue.picks]
    assert w.pad.queue_labels[0] == 2
    for p in steps[1:-1]:
        w.session.track_started(p.track_id)
    assert w.queue.subtitle.text() == "mood path · 1 track"
    w.session.track_started(steps[-1].track_id)           # the last step: the path is over
    assert w.pad.path_points == [] and "mood path" not in w.queue.subtitle.text()
