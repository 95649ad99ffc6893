"""The library as column lists, loaded with one query (runs in a worker; no Qt, no numpy).

Column lists rather than one object per row: 100,000 rows load in a fraction of a second and the
table model indexes them directly. The table's columns are the fields ``library/fields.py`` gives a
title; rows are read by field name. The default order (artist, album, disc, track) is computed here
in the worker; the top mood is parsed from its JSON only when a row is shown or the column is sorted.
"""
from __future__ import annotations

import json
import os
import sqlite3
import time
from typing import Any

import numpy as np

from moodplayer.library.fields import SCHEMA, Field, TrackSchema
from moodplayer.library.store import named_columns
from moodplayer.mood_geometry import MOODS, region_phrase, top_mood

# what every view needs besides the titled columns (state, tooltip, default order, browser facets)
_ALWAYS = ("id", "path", "available", "error", "analysis_error", "disc_no", "track_no", "album_artist",
           "genre", "year")

# what the browser's filter panes can group by: key -> title (``mood`` is the top named mood)
FACETS: dict[str, str] = {"artist": "Artist", "album_artist": "Album artist", "album": "Album",
                          "genre": "Genre", "year": "Year", "mood": "Mood"}
NOT_ANALYSED = "Not analysed"


class Facet:
    """One browsable field as integer codes per row (``codes[row]``) into sorted ``labels`` ("" =
    unknown, last): a pane's counts are one ``bincount`` and its filter one ``isin``."""

    def __init__(self, codes: np.ndarray, labels: list[str]) -> None:
        self.codes, self.labels = codes, labels


def _factorize(values: list, numeric: bool = False) -> tuple[np.ndarray, list]:
    """Codes that are also ranks: distinct values sorted (casefolded; numbers by value), None last."""
    distinct = set(values)
    known = sorted((v for v in distinct if v is not None and v != ""),
                   key=(lambda v: v) if numeric else (lambda v: str(v).casefold()))
    labels = known + [v for v in (None, "") if v in distinct]
    pos = {v: i for i, v in enumerate(labels)}
    return np.fromiter((pos[v] for v in values), np.int32, len(values)), labels


def _loaded(schema: TrackSchema) -> tuple[str, ...]:
    return tuple(dict.fromkeys((*_ALWAYS, *(f.name for f in schema.columns))))


def _column(name: str, schema: TrackSchema = SCHEMA) -> int:
    return next(i for i, f in enumerate(schema.columns) if f.name == name)


# table columns (the model's order), from the declaration
COLUMNS = tuple(f.title for f in SCHEMA.columns)
TITLE, ARTIST, ALBUM, TIME, VALENCE, AROUSAL, MOOD = (
    _column(n) for n in ("title", "artist", "album", "duration", "valence", "arousal", "moods"))


class LibraryData:
    """One list per loaded field (``data.title[row]``), all the same length; ``row_of`` maps track
    id -> row. ``columns`` are the table's fields, ``text(row, col)`` a cell as shown."""

    def __init__(self, cols: dict[str, list] | None = None, schema: TrackSchema = SCHEMA) -> None:
        self.schema = schema
        self.columns: tuple[Field, ...] = schema.columns
        self.cols: dict[str, list] = cols if cols is not None else {n: [] for n in _loaded(schema)}
        self.mood: list[str | None | bool] = [False] * len(self.cols["id"])   # False = not parsed yet
        self.order: list[int] = []             # rows in artist/album/disc/track order
        self.row_of: dict[int, int] = {}
        self.haystack: list[str] = []          # casefolded "title artist album file" for search
        self.seconds = 0.0
        self.orders: dict[int, list[int]] = {}  # column -> rows in ascending order
        self.facets: dict[str, Facet] = {}      # the browser's fields (FACETS), made by prepare()
        self.ranks: dict[int, np.ndarray] = {}  # column -> sort key per row (ints or floats, NaN last)
        self.base = np.zeros(0, np.int64)       # ``order`` as an array

    def __getattr__(self, name: str) -> list:
        cols = self.__dict__.get("cols")
        if cols is not None and name in cols:
            return cols[name]
        raise AttributeError(name)

    def __len__(self) -> int:
        return len(self.cols["id"])

    def display_title(self, row: int) -> str:
        title = self.cols["title"][row]
        if title:
            return title
        return self.cols["path"][row].rsplit(os.sep, 1)[-1]

    def top_mood(self, row: int) -> str | None:
        """The track's most likely named mood, parsed from the analysis JSON on first use."""
        m = self.mood[row]
        if m is False:
            m = None
            raw = self.cols["moods"][row]
            if raw:
                try:
                    m = top_mood(json.loads(raw))   # old mood names understood
                except (ValueError, TypeError):
                    m = None
            self.mood[row] = m
        return m

    def text(self, row: int, col: int) -> str:
        """A cell as the table shows it, by the field's formatter (not yet made terminal-safe)."""
        f = self.columns[col]
        if f.name == "title":
            return self.display_title(row)
        if f.name == "moods":
            return self.top_mood(row) or ""
        return f.fmt(self.cols[f.name][row])

    def sort_order(self, col: int) -> list[int]:
        """Rows in ascending order of a column (unknown values last), computed once per column.

        Keys are looked up through a Python lambda, not a C getter, so a worker sorting here still
        hands the GIL to the GUI thread every few milliseconds.
        """
        order = self.orders.get(col)
        if order is not None:
            return order
        n, f = len(self), self.columns[col]
        if f.name == "title":
            keys: list[Any] = [self.display_title(i).casefold() for i in range(n)]
        elif f.name == "moods":
            keys = [self.top_mood(i) or "\uffff" for i in range(n)]
        elif f.numeric:
            keys = [(v is None, v or 0.0) for v in self.cols[f.name]]
        else:
            keys = [("\uffff" if v is None else str(v)).casefold() for v in self.cols[f.name]]
        order = self.orders[col] = sorted(range(n), key=lambda i: keys[i])
        return order

    def record(self, row: int) -> dict[str, Any]:
        d = {name: values[row] for name, values in self.cols.items()}
        d["mood"] = self.top_mood(row)
        return d


def load_library(conn: sqlite3.Connection, sort_column: int | None = None,
                 schema: TrackSchema = SCHEMA) -> LibraryData:
    """Every track with its analysis, in artist/album/track order, with the browser's arrays (every
    column's sort key, so ``sort_column`` no longer needs a head start)."""
    t0 = time.perf_counter()
    names = _loaded(schema)
    data = LibraryData(named_columns(conn.execute(
        f"SELECT {schema.select(names)} FROM tracks t LEFT JOIN analysis a ON a.track_id = t.id")), schema)
    for i in range(len(data)):   # parse the mood JSON here, in the worker, not when the GUI sorts or paints
        data.top_mood(i)
    disc, track = data.cols["disc_no"], data.cols["track_no"]
    artist_key = [(a or "\uffff").casefold() for a in data.cols["artist"]]   # untagged artists sort last
    album_key = [(a or "").casefold() for a in data.cols["album"]]
    data.order = sorted(range(len(data)), key=lambda i: (artist_key[i], album_key[i], disc[i] or 0,
                                                          track[i] or 0, data.path[i]))
    data.row_of = {tid: i for i, tid in enumerate(data.id)}
    # the search also finds mood words: the top mood ("sad") and the plain words of the mood's place
    # ("calm, negative"), after a \x01 so that no phrase typed across fields reaches them
    data.haystack = [
        f"{t or ''}\x00{a or ''}\x00{al or ''}\x00{p.rsplit(os.sep, 1)[-1]}\x01{m or ''} "
        f"{'' if v is None or ar is None else region_phrase(v, ar)}".casefold()
        for t, a, al, p, m, v, ar in zip(data.title, data.artist, data.album, data.path, data.mood,
                                         data.valence, data.arousal)
    ]
    prepare(data)
    data.seconds = time.perf_counter() - t0
    return data


def prepare(data: LibraryData) -> None:
    """What the browser filters and sorts with, as arrays (in the worker): a facet per FACETS field
    and a sort key per table column; the GUI thread then only runs numpy over them."""
    n = len(data)
    data.base = np.asarray(data.order, dtype=np.int64) if data.order else np.arange(n, dtype=np.int64)
    cols = data.cols
    album_artist = [aa or a for aa, a in zip(cols["album_artist"], cols["artist"])]
    for key in FACETS:
        if key == "mood":
            names = [m or NOT_ANALYSED for m in data.mood]
            labels = [m for m in (*MOODS, NOT_ANALYSED) if m in set(names)]
            pos = {m: i for i, m in enumerate(labels)}
            data.facets[key] = Facet(np.fromiter((pos[m] for m in names), np.int32, n), labels)
            continue
        values = album_artist if key == "album_artist" else cols[key]
        codes, labels = _factorize(values, numeric=key == "year")
        data.facets[key] = Facet(codes, ["" if v is None else str(v) for v in labels])
    for col, f in enumerate(data.columns):
        if f.name in ("artist", "album"):
            data.ranks[col] = data.facets[f.name].codes
        elif f.name == "moods":
            data.ranks[col] = _factorize(data.mood)[0]
        elif f.name == "title":
            data.ranks[col] = _factorize([data.display_title(i).casefold() for i in range(n)])[0]
        elif f.numeric:
            data.ranks[col] = np.array([np.nan if v is None else v for v in cols[f.name]], dtype=np.float64)
        else:
            data.ranks[col] = _factorize([None if v is None else str(v) for v in cols[f.name]])[0]


_DETAILS = ("id", "path", "title", "artist", "album", "year", "duration", "has_cover", "valence", "arousal",
            "windows", "moods")


def track_details(conn: sqlite3.Connection, track_id: int) -> dict[str, Any] | None:
    """What the now-playing panel shows beyond the table: album, year, mood timeline, moods."""
    cur = conn.execute(f"SELECT {SCHEMA.select(_DETAILS)} FROM tracks t LEFT JOIN analysis a "
                       "ON a.track_id = t.id WHERE t.id = ?", (int(track_id),))
    r = cur.fetchone()
    if r is None:
        return None
    d = {desc[0]: value for desc, value in zip(cur.description, r)}
    try:
        d["windows"] = [tuple(map(float, w[:3])) for w in json.loads(d["windows"])] if d["windows"] else []
    except (ValueError, TypeError):
        d["windows"] = []
    try:
        d["moods"] = json.loads(d["moods"]) if d["moods"] else None
    except ValueError:
        d["moods"] = None
    return d
