"""The SQLite library: schema, migrations and the small set of queries everyone shares.

WAL journal + ``synchronous=NORMAL`` keeps committed transactions safe against ``kill -9`` of the
process (SQLite's WAL recovery), while readers (GUI, CLI) never block the scanner.
"""
from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path
from typing import Any, Iterable

SCHEMA_VERSION = 1

# Each entry upgrades the schema from version i to i+1. Never edit a released entry: append.
MIGRATIONS: list[str] = [
    # 0 -> 1: first release
    """
    CREATE TABLE tracks (
        id            INTEGER PRIMARY KEY,
        path          TEXT NOT NULL UNIQUE,
        size          INTEGER NOT NULL,
        mtime_ns      INTEGER NOT NULL,
        quick_hash    TEXT,
        format        TEXT,
        title         TEXT,
        artist        TEXT,
        album         TEXT,
        album_artist  TEXT,
        track_no      INTEGER,
        disc_no       INTEGER,
        year          INTEGER,
        genre         TEXT,
        duration      REAL,
        sample_rate   INTEGER,
        channels      INTEGER,
        rg_track_gain REAL,
        rg_track_peak REAL,
        rg_album_gain REAL,
        rg_album_peak REAL,
        has_cover     INTEGER NOT NULL DEFAULT 0,
        available     INTEGER NOT NULL DEFAULT 1,
        error         TEXT,
        added_at      REAL NOT NULL,
        scanned_at    REAL NOT NULL
    );
    CREATE INDEX tracks_hash ON tracks(quick_hash);
    CREATE INDEX tracks_artist ON tracks(artist);
    CREATE TABLE analysis (
        track_id      INTEGER PRIMARY KEY REFERENCES tracks(id) ON DELETE CASCADE,
        model_version TEXT NOT NULL,
        valence       REAL,
        arousal       REAL,
        windows       TEXT,   -- JSON list of [start_seconds, valence, arousal]
        moods         TEXT,   -- JSON object mood -> probability
        error         TEXT,   -- analysis failure (file decodes but analysis failed)
        analysed_at   REAL NOT NULL
    );
    CREATE TABLE feedback (
        id        INTEGER PRIMARY KEY,
        track_id  INTEGER NOT NULL REFERENCES tracks(id) ON DELETE CASCADE,
        kind      TEXT NOT NULL CHECK (kind IN ('like', 'skip')),
        valence   REAL,
        arousal   REAL,
        at        REAL NOT NULL
    );
    CREATE INDEX feedback_track ON feedback(track_id);
    CREATE TABLE plays (
        id        INTEGER PRIMARY KEY,
        track_id  INTEGER NOT NULL REFERENCES tracks(id) ON DELETE CASCADE,
        at        REAL NOT NULL,
        completed INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX plays_at ON plays(at);
    """,
]
assert len(MIGRATIONS) == SCHEMA_VERSION


class SchemaTooNew(RuntimeError):
    """The database was written by a newer moodplayer; refusing to touch it protects the data."""


def connect(path: str | Path, *, readonly: bool = False) -> sqlite3.Connection:
    """Open (creating and migrating if needed) the library database at ``path``."""
    path = Path(path)
    if readonly:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30.0)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, timeout=30.0)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA busy_timeout = 30000")
    if not readonly:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        migrate(conn)
    return conn


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the schema up to SCHEMA_VERSION, one transaction per step; return the final version."""
    version = schema_version(conn)
    if version > SCHEMA_VERSION:
        raise SchemaTooNew(
            f"library database is schema version {version}, this moodplayer knows up to {SCHEMA_VERSION}"
        )
    while version < SCHEMA_VERSION:
        script = MIGRATIONS[version]
        version += 1
        # executescript commits first; BEGIN/COMMIT make the step and the version bump atomic.
        conn.executescript(f"BEGIN;\n{script}\nPRAGMA user_version = {version};\nCOMMIT;")
    return version


EXPORT_COLUMNS = (
    "id", "path", "title", "artist", "album", "album_artist", "track_no", "disc_no", "year",
    "genre", "duration", "format", "sample_rate", "channels", "rg_track_gain", "rg_track_peak",
    "rg_album_gain", "rg_album_peak", "has_cover", "available", "error",
)


def export_tracks(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Every track with its analysis (valence/arousal null until analysed), ordered by path."""
    cols = ", ".join(f"t.{c}" for c in EXPORT_COLUMNS)
    rows = conn.execute(
        f"""SELECT {cols}, a.valence, a.arousal, a.moods, a.model_version
            FROM tracks t LEFT JOIN analysis a ON a.track_id = t.id ORDER BY t.path"""
    ).fetchall()
    out = []
    for r in rows:
        d = dict(r)
        d["available"] = bool(d["available"])
        d["has_cover"] = bool(d["has_cover"])
        d["moods"] = json.loads(d["moods"]) if d["moods"] else None
        out.append(d)
    return out


def now() -> float:
    return time.time()


def executemany_batched(conn: sqlite3.Connection, sql: str, rows: Iterable[tuple]) -> None:
    """Run ``sql`` for all rows inside one transaction."""
    with conn:
        conn.executemany(sql, rows)
