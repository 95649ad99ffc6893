"""``moodplayer map``: a PNG of the whole library on the mood plane, coloured by mood cluster.

Runs without a display: Qt draws into an image on its offscreen platform.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from moodplayer.commands import add_db_argument, existing_library
from moodplayer.display import display_path


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(x) for x in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT (e.g. 1600x1100), got {text!r}") from None
    if not (320 <= w <= 10000 and 240 <= h <= 10000):
        raise argparse.ArgumentTypeError(f"{text}: the picture must be 320x240 to 10000x10000 pixels")
    return w, h


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser("map", help="draw the library's mood map as a PNG",
                       description="Draw every analysed track on the valence-arousal plane, coloured by "
                                   "its mood cluster (K-means, K chosen by silhouette), with axes, the "
                                   "corner moods and a legend; writes a PNG.")
    p.add_argument("--out", "-o", required=True, metavar="FILE", help="where to write the PNG")
    p.add_argument("--size", type=_size, default=(1600, 1100), metavar="WxH",
                   help="picture size in pixels (default 1600x1100)")
    add_db_argument(p)
    return p


def run(args: argparse.Namespace) -> int:
    from moodplayer.library.store import connect
    from moodplayer.recommend.clusters import cluster_moods
    from moodplayer.recommend.index import MoodIndex

    path = existing_library(args, "map")
    if path is None:
        return 2
    out = Path(args.out)
    if not out.parent.is_dir():
        print(f"moodplayer map: cannot write {display_path(out)}: the folder does not exist", file=sys.stderr)
        return 2
    conn = connect(path, readonly=True)
    try:
        index = MoodIndex.from_db(conn)
    finally:
        conn.close()
    if len(index) == 0:
        print(f"moodplayer map: no analysed tracks in {display_path(path)} yet "
              "(run `moodplayer index DIR` first)", file=sys.stderr)
        return 1
    try:
        clusters = cluster_moods(index.position)
    except ValueError:
        clusters = None   # too few tracks, or all at one point: the map shows them uncoloured by cluster
    image = _render(index.position, clusters, args.size)
    if not image.save(str(out), "PNG"):
        print(f"moodplayer map: cannot write {display_path(out)} (no permission, or the disk is full?)",
              file=sys.stderr)
        return 1
    k = f"{clusters.k} mood clusters" if clusters is not None else "no clusters (too few tracks)"
    print(f"{display_path(out)}: {len(index):,} tracks, {k}, {args.size[0]}x{args.size[1]} pixels")
    return 0


def _render(points, clusters, size: tuple[int, int]):
    """Qt on its offscreen platform: a picture, never a window, so no display is needed."""
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication(["moodplayer", "-platform", "offscreen"])
    from moodplayer.ui.mood_map import render_mood_map

    image = render_mood_map(points, clusters, size)
    del app
    return image
