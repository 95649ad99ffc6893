"""Find the music files below a folder: symlinks followed, but every folder and every file once.

Real libraries hold links: a link back to a parent folder (a loop that never ends), a second link to
the same album (every file twice), a FIFO or a device node with a music extension (``open()`` on it
blocks forever). Folders are entered once each, by (st_dev, st_ino); a file reached by several paths
(links, hard links) is listed once, under its plainest path: one reached without passing a link if
there is one, then the first by name, so the choice is the same on every run. Only regular files are
listed.
"""
from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from moodplayer.audio.formats import audio_format


@dataclass(frozen=True)
class Found:
    """One music file as the walk saw it."""

    size: int
    mtime_ns: int
    dev: int
    ino: int


def walk(root: str | Path) -> dict[str, Found]:
    """path -> Found for every regular music file below ``root``; hidden entries are skipped."""
    try:
        st = os.stat(root)
    except OSError:
        return {}
    plain: list[tuple[str, tuple[int, int]]] = [(str(root), (st.st_dev, st.st_ino))]
    linked: list[tuple[str, tuple[int, int]]] = []   # folders reached through a symlink: entered last
    entered: set[tuple[int, int]] = set()
    best: dict[tuple[int, int], tuple[tuple[bool, str], Found]] = {}
    while plain or linked:
        via_link = not plain
        top, key = (plain or linked).pop()
        if key in entered:
            continue   # a loop, or a second way into a folder already listed
        entered.add(key)
        try:
            entries = list(os.scandir(top))
        except OSError:
            continue   # unreadable folder: skip it, the rest of the library still scans
        for e in entries:
            if e.name.startswith("."):
                continue
            try:
                if e.is_dir(follow_symlinks=True):
                    dst = e.stat(follow_symlinks=True)
                    through_link = via_link or e.is_symlink()
                    (linked if through_link else plain).append((e.path, (dst.st_dev, dst.st_ino)))
                elif audio_format(e.name):
                    fst = e.stat(follow_symlinks=True)
                    if not stat.S_ISREG(fst.st_mode):
                        continue   # FIFO, device or socket named like music: reading it would block
                    rank = (via_link or e.is_symlink(), e.path)
                    ident = (fst.st_dev, fst.st_ino)
                    seen = best.get(ident)
                    if seen is None or rank < seen[0]:
                        best[ident] = (rank, Found(fst.st_size, fst.st_mtime_ns, fst.st_dev, fst.st_ino))
            except OSError:
                continue   # vanished or a dangling link
    return {rank[1]: found for rank, found in best.values()}


def regular_file(path: str) -> os.stat_result | None:
    """The file's stat if it is a regular file now (not a FIFO, device or socket), else None.

    Called right before a file is opened: a file swapped for a FIFO after the walk would otherwise
    block the reader in ``open()``.
    """
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st if stat.S_ISREG(st.st_mode) else None
