"""The library view as it was at the last close, so a large library's table is back at once.

Loading 100,000 rows and deriving the browser's arrays (``library_data.load_library``) costs about 2 s
of CPU; reading them back from this file costs about 0.3 s. The file records the library's revision
(``store.revision``: a token of the database plus a number every write moves, in any process):

- at that revision the view is exact, and it is all the start needs;
- behind it (another program changed the library since: ``moodplayer index``), the start may show it
  marked ``OUT_OF_DATE`` while the rows load from the database, to be replaced a few seconds later;
- anything else (another library, another moodplayer, a damaged file) is ignored.

The next close writes a fresh one. No Qt here.
"""
from __future__ import annotations

import logging
import os
import pickle
import sqlite3
import time
from pathlib import Path
from typing import Any

from moodplayer import __version__
from moodplayer.library.fields import SCHEMA, TrackSchema
from moodplayer.library.store import revision, target_version
from moodplayer.ui.library_data import LibraryData

log = logging.getLogger(__name__)

FORMAT = 1
CURRENT, OUT_OF_DATE = "kept view", "kept view (out of date)"   # LibraryData.source
_SKIP = ("schema", "columns")   # derived from the declaration when read back


def snapshot_path(db: str | Path) -> Path:
    """Beside the database it describes: a library and its view move, and go, together."""
    db = Path(db)
    return db.with_name(db.name + ".view")


def _key(rev: tuple, schema: TrackSchema) -> tuple:
    return (FORMAT, __version__, target_version(schema), tuple(f.name for f in schema.fields), tuple(rev))


def save(db: str | Path, conn: sqlite3.Connection, data: LibraryData) -> bool:
    """Write ``data`` for the next start if it is still the library's current state; True if written.

    Written whole to a temporary file, then renamed over the old one: a kill mid-write leaves the old
    file or none, never half of one.
    """
    path = snapshot_path(db)
    try:
        current = revision(conn)
    except sqlite3.Error as exc:
        log.warning("library view not kept: %s: %s", db, exc)
        return False
    if data.revision is None or current != tuple(data.revision):
        return False
    state = {k: v for k, v in data.__dict__.items() if k not in _SKIP}
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as f:
            pickle.dump(_key(data.revision, data.schema), f, protocol=pickle.HIGHEST_PROTOCOL)
            pickle.dump(state, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError as exc:   # a cache: the library itself is untouched, the next start loads from it
        log.warning("could not keep the library view for the next start: %s: %s", path, exc.strerror or exc)
        tmp.unlink(missing_ok=True)
        return False
    return True


def load(db: str | Path, conn: sqlite3.Connection, schema: TrackSchema = SCHEMA,
         out_of_date: bool = False) -> LibraryData | None:
    """The saved view if it matches the library's current revision (or, with ``out_of_date``, an
    earlier revision of the same library: ``source`` then says so), else None."""
    t0 = time.perf_counter()
    path = snapshot_path(db)
    try:
        f = open(path, "rb")
    except FileNotFoundError:
        return None
    except OSError as exc:
        log.warning("library view %s not readable (%s): loading from the database", path, exc.strerror or exc)
        return None
    with f:
        try:
            saved, current = pickle.load(f), _key(revision(conn), schema)
            behind = (isinstance(saved, tuple) and len(saved) == len(current) and saved[:-1] == current[:-1]
                      and saved[-1][0] == current[-1][0] and saved[-1][1] < current[-1][1])
            if saved != current and not (out_of_date and behind):
                return None
            state: dict[str, Any] = pickle.load(f)
        except sqlite3.Error:
            raise
        except Exception as exc:   # a damaged or foreign file: unpickling can raise almost anything
            log.warning("library view %s unusable (%s): loading from the database", path, exc)
            return None
    data = LibraryData({n: [] for n in ("id",)}, schema)
    data.__dict__.update(state)
    data.source, data.seconds = (CURRENT if saved == current else OUT_OF_DATE), time.perf_counter() - t0
    log.info("library: %d tracks from the %s at the last close (%.2f s)", len(data), data.source, data.seconds)
    return data
