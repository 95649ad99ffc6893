"""Aligned text tables for the terminal (``recommend``, ``play``): columns padded to their widest
cell, long text cut with "…", numbers right-aligned. Cells are made terminal-safe first (tags are
untrusted text), so a title with escape sequences or a newline can never break a row.
"""
from __future__ import annotations

import unicodedata
from typing import Sequence

from moodplayer.display import terminal_safe

UNKNOWN_ARTIST = "Unknown artist"


def artist_name(artist: str | None) -> str:
    """A track's artist as people read it: "Unknown artist" for a missing or blank tag."""
    return artist.strip() if artist and artist.strip() else UNKNOWN_ARTIST


def width(text: str) -> int:
    """Terminal columns: wide (CJK) characters take two, combining marks none."""
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1
               for c in text)


def fit(text: str, cols: int) -> str:
    """``text`` cut to at most ``cols`` terminal columns, ending in "…" when cut."""
    if width(text) <= cols:
        return text
    out, used = [], 0
    for c in text:
        w = width(c)
        if used + w > cols - 1:
            break
        out.append(c)
        used += w
    return "".join(out) + "…"


def table(header: Sequence[str], rows: Sequence[Sequence[object]], *, right: Sequence[int] = (),
          limits: dict[int, int] | None = None) -> list[str]:
    """Lines of an aligned table. ``right``: column numbers aligned right (numbers); ``limits``:
    the most columns a column may take (longer cells are cut)."""
    limits = limits or {}
    cells = [[terminal_safe(x) for x in row] for row in rows]
    cells = [[fit(c, limits[i]) if i in limits else c for i, c in enumerate(row)] for row in cells]
    widths = [max([width(h)] + [width(r[i]) for r in cells]) for i, h in enumerate(header)]

    def line(row: Sequence[str]) -> str:
        parts = []
        for i, (c, w) in enumerate(zip(row, widths)):
            pad = " " * (w - width(c))
            last = i == len(widths) - 1
            parts.append(pad + c if i in right else c if last else c + pad)
        return "  ".join(parts).rstrip()

    return [line(list(header))] + [line(r) for r in cells]
