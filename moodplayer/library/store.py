"""The SQLite library: schema, migrations and the small set of queries everyone shares.

WAL journal + ``synchronous=NORMAL`` keeps committed transactions safe against ``kill -9`` of the
process (SQLite's WAL recovery), while readers (GUI, CLI) never block the scanner.

File names are bytes on Linux and need not be UTF-8. ``tracks.path`` keeps them losslessly: a path is
bound as its ``os.fsencode`` bytes cast to TEXT (``path_param`` with ``CAST(? AS TEXT)``), and every
connection made here decodes TEXT like ``os.fsdecode``, so readers get back the very ``str`` that
``os.scandir`` gave (surrogate escapes included) and ``open()`` finds the file by its real name.
Valid UTF-8 names are stored exactly as before.

Anything that makes the database unusable (not a database, a newer schema, disk full, a read-only
folder) is raised as ``LibraryError`` naming the file and the reason, for the CLI, GUI and self-test.
"""
from __future__ import annotations

import functools
import os
import re
import sqlite3
import time
from pathlib import Path
from typing import Any

from moodplayer.library.fields import SCHEMA, TrackSchema

# Each entry upgrades the schema from version i to i+1, as released: never edit one. Columns added
# later are declared in ``fields.py`` with ``since`` = their version, and their step is generated.
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
    # 1 -> 2: analysis failures no longer go into tracks.error (that is the scan's verdict on the
    # file). Undo the copies older versions wrote, and let every failed analysis be tried once more:
    # most came from a folder unmounted mid-run or a broken model, not from the file.
    """
    UPDATE tracks SET error = NULL
     WHERE error IS NOT NULL
       AND id IN (SELECT a.track_id FROM analysis a WHERE a.error IS NOT NULL AND a.error = tracks.error);
    DELETE FROM analysis WHERE error IS NOT NULL;
    """,
    # 2 -> 3: the library's revision (``revision()``): a reader tells in one lookup whether what it
    # loaded is still current
    """
    CREATE TABLE revision (id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL, library TEXT NOT NULL);
    INSERT INTO revision VALUES (1, 0, lower(hex(randomblob(8))));
    """ + "".join(
        f"CREATE TRIGGER {table}_{op.lower()}_revision AFTER {op} ON {table} "
        "BEGIN UPDATE revision SET n = n + 1; END;\n"
        for table in ("tracks", "analysis", "feedback") for op in ("INSERT", "UPDATE", "DELETE")),
]


def target_version(schema: TrackSchema = SCHEMA) -> int:
    """The schema version a declaration needs: the released steps, then one per later ``since``."""
    return max(len(MIGRATIONS), schema.version)


SCHEMA_VERSION = target_version()


class LibraryError(RuntimeError):
    """The library database cannot be used; the message names the file and the reason."""


class SchemaTooNew(LibraryError):
    """The database was written by a newer moodplayer; refusing to touch it protects the data."""


# SQLite's primary result codes -> what a person can do about them
_REASONS = {
    sqlite3.SQLITE_NOTADB: "not a moodplayer library (the file is not an SQLite database)",
    sqlite3.SQLITE_CORRUPT: "the database is damaged (SQLite reports it as malformed)",
    sqlite3.SQLITE_FULL: "the disk is full: free some space and run again",
    sqlite3.SQLITE_READONLY: "read-only: moodplayer cannot write there (read-only file, folder or mount)",
    sqlite3.SQLITE_CANTOPEN: "cannot be opened or created (missing folder, or no permission to write there)",
    sqlite3.SQLITE_PERM: "permission denied",
    sqlite3.SQLITE_BUSY: "another program keeps the library locked; close it and run again",
    sqlite3.SQLITE_LOCKED: "another program keeps the library locked; close it and run again",
    sqlite3.SQLITE_IOERR: "input/output error (disk full, removed or failing?)",
}


def describe_error(exc: BaseException) -> str:
    """A plain reason for a database or file-system error."""
    if isinstance(exc, LibraryError):
        return str(exc)
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None and (code & 0xFF) in _REASONS:
        return _REASONS[code & 0xFF]
    text = str(exc)
    for needle, code in (("not a database", sqlite3.SQLITE_NOTADB), ("disk is full", sqlite3.SQLITE_FULL),
                         ("readonly", sqlite3.SQLITE_READONLY), ("unable to open", sqlite3.SQLITE_CANTOPEN)):
        if needle in text:
            return _REASONS[code]
    return text or type(exc).__name__


def library_error(path: str | Path, exc: BaseException) -> LibraryError:
    """``exc`` (sqlite3.Error or OSError) as a LibraryError naming the database file."""
    if isinstance(exc, LibraryError):
        return exc
    reason = describe_error(exc)
    code = (getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF
    if code in (sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PERM) or isinstance(exc, PermissionError):
        reason = _why_not_writable(Path(path)) or reason
    return LibraryError(f"library database {path}: {reason}")


def _why_not_writable(path: Path) -> str | None:
    """Which of the usual causes keeps SQLite from writing ``path`` (it also writes beside it)."""
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    try:
        if os.statvfs(folder).f_flag & os.ST_RDONLY:
            return f"{folder} is on a read-only file system"
    except OSError:
        pass
    if not os.access(folder, os.W_OK):
        return f"no permission to write in {folder}"
    if path.exists() and not os.access(path, os.W_OK):
        return "the file is read-only"
    return None


def database_file(conn: sqlite3.Connection) -> str:
    """The file behind ``conn`` (for error messages)."""
    try:
        return next((r[2] for r in conn.execute("PRAGMA database_list") if r[1] == "main"), "") or "(memory)"
    except sqlite3.Error:
        return "(unknown)"


_SURROGATE = re.compile("[\ud800-\udfff]")

# TEXT comes back like os.fsdecode: valid UTF-8 as usual, other bytes as surrogate escapes.
_text_factory = functools.partial(str, encoding="utf-8", errors="surrogateescape")


def path_param(path: str | Path) -> bytes:
    """A file path to bind as ``CAST(? AS TEXT)``: its real bytes, whatever their encoding."""
    return os.fsencode(path)


def safe_text(value: Any) -> Any:
    """A value for a TEXT column that is not a path: a tag or message holding bytes no encoding
    allows (a file name's surrogate escapes, a broken tag's lone surrogate) gets U+FFFD there
    instead of failing the whole transaction with UnicodeEncodeError."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return _SURROGATE.sub("\ufffd", value)
    return value


def connect(path: str | Path, *, readonly: bool = False, schema: TrackSchema = SCHEMA) -> sqlite3.Connection:
    """Open (creating and migrating if needed) the library database at ``path``.

    Raises LibraryError (naming the file and the reason) when it cannot be used. The schema version
    is checked before anything is written, so a newer moodplayer's database is left exactly as it was
    (not even switched to WAL).
    """
    path = Path(path)
    conn = None
    try:
        if readonly:
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30.0)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(path, timeout=30.0)
        conn.row_factory = sqlite3.Row
        conn.text_factory = _text_factory
        conn.execute("PRAGMA busy_timeout = 30000")
        _refuse_newer(conn, path, target_version(schema))   # reads the header: also the first sign of a non-database
        conn.execute("PRAGMA foreign_keys = ON")
        if not readonly:
            _use_wal(conn)
            conn.execute("PRAGMA synchronous = NORMAL")
            migrate(conn, schema)
    except (sqlite3.Error, OSError, LibraryError) as exc:
        if conn is not None:
            conn.close()
        raise library_error(path, exc) from exc
    return conn


def _use_wal(conn: sqlite3.Connection, wait: float = 30.0) -> None:
    """Switch to WAL, waiting out other openers: SQLite answers this pragma's lock conflict with an
    immediate SQLITE_BUSY instead of calling the busy handler (seen when two processes create one
    library at the same moment), so the wait ``busy_timeout`` gives every other statement is done here."""
    deadline = time.monotonic() + wait
    delay = 0.005
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            busy = (getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF == sqlite3.SQLITE_BUSY
            if not busy or time.monotonic() + delay > deadline:
                raise
        time.sleep(delay)
        delay = min(delay * 2, 0.1)


def _refuse_newer(conn: sqlite3.Connection, path: Path, known: int) -> None:
    version = schema_version(conn)
    if version > known:
        raise SchemaTooNew(f"library database {path}: written by a newer moodplayer (schema version "
                           f"{version}, this one knows up to {known}); it was left untouched")


def revision(conn: sqlite3.Connection) -> tuple[str, int]:
    """The library's revision: (a token made when this database was created, a number that every
    change to a track, an analysis or feedback moves, by any process: triggers). An equal revision
    means that rows read at it are still current; a re-created library never matches an old one."""
    library, n = conn.execute("SELECT library, n FROM revision").fetchone()
    return str(library), int(n)


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, schema: TrackSchema = SCHEMA) -> int:
    """Bring the schema up to the declaration's version, one transaction per step; return it.

    Each step takes the write lock first (BEGIN IMMEDIATE) and reads the version again under it, so
    two processes opening a new library at once migrate it once, the second simply waiting.
    """
    target = target_version(schema)
    version = schema_version(conn)
    if version > target:
        raise SchemaTooNew(f"library database is schema version {version}, this moodplayer knows up to "
                           f"{target}")
    while version < target:
        conn.execute("BEGIN IMMEDIATE")
        try:
            version = schema_version(conn)
            if version < target:
                step = MIGRATIONS[version] if version < len(MIGRATIONS) else schema.migration(version + 1)
                for statement in _statements(step):
                    conn.execute(statement)
                version += 1
                conn.execute(f"PRAGMA user_version = {version}")
            conn.commit()
        except BaseException:
            conn.rollback()
            raise
    return version


def _statements(script: str) -> list[str]:
    """A migration script split into single statements (execute() runs one at a time)."""
    out, current = [], ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            out.append(current.strip())
            current = ""
    if current.strip():
        out.append(current.strip())
    return out


def named_columns(cursor: sqlite3.Cursor) -> dict[str, list[Any]]:
    """A query's result as one list per column, by the names it selected (``TrackSchema.select``)."""
    names = [d[0] for d in cursor.description]
    rows = cursor.fetchall()
    # one comprehension per column rather than zip(*rows): bytecode lets a GUI thread take the GIL
    return {n: [r[i] for r in rows] for i, n in enumerate(names)}


def bulk_columns(conn: sqlite3.Connection, sql: str, params: tuple = ()) -> dict[str, list[Any]]:
    """``named_columns`` for a large read: plain tuples and SQLite's own UTF-8 decoding, several
    times faster than ``sqlite3.Row`` and the surrogate-escape text factory. A TEXT value that is not
    UTF-8 (a file name in another encoding) makes it read again the lossless way, so the values are
    always those the other readers get."""
    saved = conn.text_factory
    try:
        conn.text_factory = str
        cur = conn.cursor()
        cur.row_factory = None
        try:
            return named_columns(cur.execute(sql, params))
        except sqlite3.OperationalError as exc:   # "Could not decode to UTF-8 column ..."
            if "decode" not in str(exc):
                raise
    finally:
        conn.text_factory = saved
    cur = conn.cursor()
    cur.row_factory = None
    return named_columns(cur.execute(sql, params))


def export_tracks(conn: sqlite3.Connection, schema: TrackSchema = SCHEMA) -> list[dict[str, Any]]:
    """Every track with its analysis (valence/arousal null until analysed), ordered by path, as the
    declaration's exported objects (``export --json``)."""
    rows = conn.execute(f"""SELECT {schema.select()}
                            FROM tracks t LEFT JOIN analysis a ON a.track_id = t.id ORDER BY t.path""")
    return [schema.record(r) for r in rows]


def now() -> float:
    return time.time()
