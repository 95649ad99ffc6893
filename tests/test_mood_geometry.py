"""One mood geometry: names, centroids, colours and words come from moodplayer.mood_geometry alone."""
from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from moodplayer import mood_geometry as geo

REPO = Path(__file__).resolve().parents[1]


def test_the_quadrants_carry_the_q4_words():
    assert geo.MOODS == ("Excited", "Tense", "Sad", "Serene", "Neutral")
    assert geo.CORNER_WORDS == {"top-right": "excited", "top-left": "tense", "bottom-left": "sad",
                                "bottom-right": "serene"}
    for name, (v, a) in geo.CENTROIDS.items():
        assert geo.top_mood(geo.closeness(v, a)) == name
        assert geo.COLOURS[name].startswith("#") and len(geo.COLOURS[name]) == 7
    assert geo.region_phrase(0.8, 0.2) == "calm, positive"
    assert geo.region_phrase(0.5, 0.5) == "moderate, neutral"


def test_the_scalar_and_array_blends_are_one_computation():
    rng = np.random.default_rng(3)
    pts = rng.random((50, 2))
    shares = geo.closeness_array(pts)
    assert shares.shape == (50, len(geo.MOODS)) and np.allclose(shares.sum(axis=1), 1.0)
    rgb = geo.blend_rgb_array(pts)
    for (v, a), row, colour in zip(pts, shares, rgb):
        assert list(geo.closeness(v, a).values()) == pytest.approx(row.tolist(), abs=1e-12)
        assert geo.blend_rgb(v, a) == pytest.approx(tuple(colour), abs=1e-12)
    assert geo.closeness_array(np.empty((0, 2))).shape == (0, len(geo.MOODS))


def test_old_mood_names_are_read_as_todays():
    old = {"Dark": 0.1, "Energetic": 0.2, "Happy": 0.3, "Relaxing": 0.15, "Sad": 0.25}
    assert geo.canonical_moods(old) == {"Tense": 0.1, "Excited": 0.5, "Serene": 0.15, "Sad": 0.25}
    assert geo.top_mood(old) == "Excited"
    assert geo.top_mood({"Serene": 0.6, "Neutral": 0.4}) == "Serene"
    for junk in (None, [], "Sad", {"Nope": 1.0}, {"Sad": "lots"}, {"Sad": True}):
        assert geo.top_mood(junk) is None


def test_a_library_with_old_mood_keys_reads_under_new_names(tmp_path):
    from moodplayer.library import store
    from moodplayer.ui.library_data import load_library

    db = tmp_path / "old.db"
    conn = store.connect(db)
    t = time.time()
    with conn:
        for i, moods in ((1, {"Happy": 0.7, "Sad": 0.3}), (2, {"Relaxing": 0.6, "Dark": 0.4})):
            conn.execute("INSERT INTO tracks (id, path, size, mtime_ns, format, title, available, added_at, "
                         "scanned_at) VALUES (?,?,?,?,?,?,?,?,?)",
                         (i, f"/music/{i}.ogg", 1, 0, "ogg", f"t{i}", 1, t, t))
            conn.execute("INSERT INTO analysis (track_id, model_version, valence, arousal, moods, analysed_at) "
                         "VALUES (?,?,?,?,?,?)", (i, "old", 0.5, 0.5, json.dumps(moods), t))
    exported = {d["id"]: d["moods"] for d in store.export_tracks(conn)}
    assert exported == {1: {"Excited": 0.7, "Sad": 0.3}, 2: {"Serene": 0.6, "Tense": 0.4}}
    data = load_library(conn)
    conn.close()
    assert sorted(data.top_mood(r) for r in range(len(data))) == ["Excited", "Serene"]


def test_importing_the_geometry_loads_neither_numpy_nor_qt():
    code = ("import sys, moodplayer.mood_geometry as g; g.blend_rgb(0.3, 0.7); "
            "print(sorted(m for m in ('numpy', 'PySide6') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert out.stdout.strip() == "[]"
