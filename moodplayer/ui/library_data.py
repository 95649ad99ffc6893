"""The library as column lists, loaded with one query (runs in a worker; no Qt).

Column lists rather than one object per row: the table model indexes them directly. The table's
columns are the fields ``library/fields.py`` gives a title; rows are read by field name. Everything
derived (the top mood of each row, the default artist/album/disc/track order, the browser's facets,
every column's sort key, the search text) is made here in the worker, mostly as numpy over codes,
so the GUI thread only swaps the result in.
"""
from __future__ import annotations

import json
import os
import sqlite3
import time
from itertools import chain
from typing import Any

import numpy as np

from moodplayer.library.fields import QUEUE_FIELDS, SCHEMA, Field, TrackSchema
from moodplayer.library.store import bulk_columns, revision
from moodplayer.mood_geometry import AROUSAL_WORDS, HIGH, LOW, MOODS, VALENCE_WORDS, top_mood

# what every view needs besides the titled columns (state, tooltip, default order, browser facets),
# and what the mood index takes from the same load (``MoodIndex.from_columns``)
_ALWAYS = ("id", "path", "available", "error", "analysis_error", "disc_no", "track_no", "album_artist",
           "genre", "year", *QUEUE_FIELDS)

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
    return np.fromiter(map(pos.__getitem__, values), np.int32, len(values)), labels


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
        self.fname: list[str] = []             # file names (the title of an untitled track)
        self.seconds = 0.0
        self.orders: dict[int, list[int]] = {}  # column -> rows in ascending order
        self.facets: dict[str, Facet] = {}      # the browser's fields (FACETS), made by prepare()
        self.ranks: dict[int, np.ndarray] = {}  # column -> sort key per row (ints or floats, NaN last)
        self.base = np.zeros(0, np.int64)       # ``order`` as an array
        self.revision: tuple | None = None      # the library's revision when loaded (store.revision)
        self.source = "database"                # or "kept view" (library_snapshot)

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
    column's sort key, so ``sort_column`` no longer needs a head start).

    One SQL pass over the needed columns (plain tuples, SQLite's own UTF-8 decoding); the mood JSON is
    parsed by the C scanner with one argmax over all rows; orders and facets are numpy over codes.
    """
    t0 = time.perf_counter()
    rev = revision(conn)   # read first: a write meanwhile leaves the data marked older, never newer
    names = tuple(n for n in _loaded(schema) if n != "moods")
    cols = bulk_columns(conn, f"SELECT {schema.select(names)}, a.moods AS moods FROM tracks t "
                              "LEFT JOIN analysis a ON a.track_id = t.id")
    raw = cols.pop("moods")
    if any(f.name == "moods" for f in schema.columns):
        cols["moods"] = raw     # kept for a hand-made LibraryData's lazy parse; the loader fills ``mood``
    data = LibraryData(cols, schema)
    data.mood = top_moods(raw)
    n = len(data)
    fname = [p.rsplit(os.sep, 1)[-1] for p in cols["path"]]
    data.row_of = dict(zip(cols["id"], range(n)))
    _orders(data)
    # the search also finds mood words: the top mood ("sad") and the plain words of the mood's place
    # ("calm, negative"), after a \x01 so that no phrase typed across fields reaches them
    suffix = _mood_words(data)
    data.haystack = [f"{t or ''}\x00{a or ''}\x00{al or ''}\x00{f}\x01{m}".casefold()
                     for t, a, al, f, m in zip(cols["title"], cols["artist"], cols["album"], fname, suffix)]
    data.fname = fname
    prepare(data)
    data.revision = rev
    data.seconds = time.perf_counter() - t0
    return data


_JSON_SCAN = json.JSONDecoder().scan_once


def top_moods(raw: list) -> list[str | None]:
    """``mood_geometry.top_mood`` of each row's moods JSON (None: not analysed or unreadable).

    The analysis writes today's five names in MOODS order with float shares; such rows are parsed by
    the JSON module's C scanner (no Python wrapper per row) and their top taken by one argmax. A row
    that is anything else (old names, odd values, a near tie that rounding could flip) goes through
    ``top_mood`` itself, so the answer is always the same as parsing it alone.
    """
    out: list[str | None] = [None] * len(raw)
    rows = [i for i, r in enumerate(raw) if r]
    if not rows:
        return out
    try:
        scanned = [_JSON_SCAN(raw[i], 0) for i in rows]
    except (ValueError, StopIteration, RecursionError, TypeError):
        scanned = [(None, -1)] * len(rows)
    fast = [j for j, (d, end) in enumerate(scanned)
            if type(d) is dict and end == len(raw[rows[j]]) and tuple(d) == MOODS]
    values = [tuple(scanned[j][0].values()) for j in fast]
    if {*map(type, chain.from_iterable(values))} - {float}:   # a bool, int, string or null somewhere
        keep = [k for k, v in enumerate(values) if {*map(type, v)} == {float}]
        fast, values = [fast[k] for k in keep], [values[k] for k in keep]
    slow = set(range(len(rows))) - set(fast)
    if fast:
        v = np.array(values, dtype=np.float64).reshape(-1, len(MOODS))
        best = v.argmax(axis=1)
        first = v[np.arange(len(v)), best]
        v[np.arange(len(v)), best] = -np.inf
        clear = first > v.max(axis=1) + 2e-4   # canonical_moods rounds to 4 places: no tie it could make
        for j, b, ok in zip(fast, best.tolist(), clear.tolist()):
            if ok:
                out[rows[j]] = MOODS[b]
            else:
                slow.add(j)
    for j in slow:
        try:
            out[rows[j]] = top_mood(json.loads(raw[rows[j]]))   # old mood names understood
        except (ValueError, TypeError, RecursionError):
            out[rows[j]] = None
    return out


def _folded_rank(values: list, missing: str) -> np.ndarray:
    """Dense ranks of ``(value or missing).casefold()`` (values equal once casefolded share a rank),
    casefolding each distinct value once."""
    folded = {v: (v or missing).casefold() for v in set(values)}
    rank = {k: i for i, k in enumerate(sorted(set(folded.values())))}
    pos = {v: rank[k] for v, k in folded.items()}
    return np.fromiter(map(pos.__getitem__, values), np.int64, len(values))


def _ints(values: list) -> np.ndarray:
    """A sort key of an integer tag, None (and anything not a number) as 0."""
    try:
        return np.array([v or 0 for v in values], dtype=np.int64)
    except (TypeError, ValueError, OverflowError):
        return np.array([v if isinstance(v, int) and abs(v) < 2 ** 62 else 0 for v in values], dtype=np.int64)


def _orders(data: LibraryData) -> None:
    """The library order: artist (casefolded, untagged last), album, disc, track, then path."""
    cols, n = data.cols, len(data)
    artist = _folded_rank(cols["artist"], "\uffff")
    album = _folded_rank(cols["album"], "")
    path_rank = np.empty(n, np.int64)
    path_rank[sorted(range(n), key=cols["path"].__getitem__)] = np.arange(n)
    base = np.lexsort((path_rank, _ints(cols["track_no"]), _ints(cols["disc_no"]), album, artist))
    data.base = base.astype(np.int64)
    data.order = base.tolist()


def _mood_words(data: LibraryData) -> list[str]:
    """Each row's searchable mood words: "sad calm, negative" (top mood, then the place's words)."""
    cols = data.cols
    v, a = _floats(cols["valence"]), _floats(cols["arousal"])
    known = ~(np.isnan(v) | np.isnan(a))

    def band(x: np.ndarray) -> np.ndarray:
        return np.where(x < LOW, 0, np.where(x > HIGH, 2, 1))
    place = np.where(known, band(a) * 3 + band(v), 9).tolist()
    phrases = [f"{AROUSAL_WORDS[i // 3]}, {VALENCE_WORDS[i % 3]}" for i in range(9)] + [""]
    return [f"{m or ''} {phrases[p]}" for m, p in zip(data.mood, place)]


def prepare(data: LibraryData) -> None:
    """What the browser filters and sorts with, as arrays (in the worker): a facet per FACETS field
    and a sort key per table column; the GUI thread then only runs numpy over them."""
    n = len(data)
    if len(data.base) != n:
        data.base = np.asarray(data.order, dtype=np.int64) if data.order else np.arange(n, dtype=np.int64)
    if len(data.mood) == n and any(m is False for m in data.mood):
        for i in range(n):   # a hand-made LibraryData: parse its moods now, not when the GUI paints
            data.top_mood(i)
    cols = data.cols
    album_artist = [aa or a for aa, a in zip(cols["album_artist"], cols["artist"])]
    for key in FACETS:
        if key == "mood":
            names = [m or NOT_ANALYSED for m in data.mood]
            present = set(names)
            labels = [m for m in (*MOODS, NOT_ANALYSED) if m in present]
            pos = {m: i for i, m in enumerate(labels)}
            data.facets[key] = Facet(np.fromiter(map(pos.__getitem__, names), np.int32, n), labels)
            continue
        values = album_artist if key == "album_artist" else cols[key]
        codes, labels = _factorize(values, numeric=key == "year")
        data.facets[key] = Facet(codes, ["" if v is None else str(v) for v in labels])
    fname = data.fname or [p.rsplit(os.sep, 1)[-1] for p in cols["path"]]
    for col, f in enumerate(data.columns):
        if f.name in ("artist", "album"):
            data.ranks[col] = data.facets[f.name].codes
        elif f.name == "moods":
            data.ranks[col] = _factorize(data.mood)[0]
        elif f.name == "title":
            data.ranks[col] = _factorize([(t or p).casefold() for t, p in zip(cols["title"], fname)])[0]
        elif f.numeric:
            data.ranks[col] = _floats(cols[f.name])
        else:
            data.ranks[col] = _factorize([None if v is None else str(v) for v in cols[f.name]])[0]


def _floats(values: list) -> np.ndarray:
    """A numeric column as float64, None (or anything not a number) as NaN."""
    try:
        return np.array(values, dtype=np.float64)
    except (TypeError, ValueError):
        return np.array([v if isinstance(v, (int, float)) else np.nan for v in values], dtype=np.float64)


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
