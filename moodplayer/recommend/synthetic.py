"""A seeded synthetic library in a real SQLite file, for tests and the benchmark, until the music
model tags real tracks. Moods cluster around a few regions like a real collection does."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np

from moodplayer.library import store

# (valence, arousal) centres of typical regions: happy pop, angry metal, sad ballads, calm ambient.
REGION_CENTRES = np.array([[0.75, 0.7], [0.25, 0.8], [0.25, 0.25], [0.7, 0.25], [0.5, 0.5]])


def synthetic_moods(n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centre = REGION_CENTRES[rng.integers(0, len(REGION_CENTRES), n)]
    return np.clip(centre + rng.normal(0, 0.12, (n, 2)), 0.0, 1.0)


def write_synthetic_library(path: str | Path, n: int, *, seed: int = 0, artists: int | None = None,
                            model_version: str = "synthetic") -> sqlite3.Connection:
    """Create (or extend) a library db with ``n`` analysed tracks; returns the open connection."""
    conn = store.connect(path)
    rng = np.random.default_rng(seed + 1)
    moods = synthetic_moods(n, seed)
    n_artists = artists or max(1, n // 10)
    artist_of = rng.integers(0, n_artists, n)
    t = store.now()
    base = conn.execute("SELECT coalesce(max(id), 0) FROM tracks").fetchone()[0]
    track_rows = [(base + i + 1, f"/synthetic/{base + i + 1:06d}.flac", 1000, 0, f"Track {base + i + 1}",
                   f"Artist {artist_of[i]}", 180.0, t, t) for i in range(n)]
    analysis_rows = [(base + i + 1, model_version, float(moods[i, 0]), float(moods[i, 1]), t) for i in range(n)]
    with conn:
        conn.executemany("INSERT INTO tracks (id, path, size, mtime_ns, title, artist, duration, added_at, "
                         "scanned_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", track_rows)
        conn.executemany("INSERT INTO analysis (track_id, model_version, valence, arousal, analysed_at) "
                         "VALUES (?, ?, ?, ?, ?)", analysis_rows)
    return conn
