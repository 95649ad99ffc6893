"""``moodplayer recommend``: the mood queue (or a mood path) for a point on the pad, headless."""
from __future__ import annotations

import argparse
import json
import sys

from pathlib import Path

from moodplayer.commands.table import artist_name, table
from moodplayer.display import display_path, terminal_safe
from moodplayer.library.store import connect
from moodplayer.commands import add_db_argument, existing_library


def _unit(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{text} is outside 0..1")
    return value


def _point(text: str) -> tuple[float, float]:
    try:
        v, a = (float(x) for x in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected VALENCE,AROUSAL (e.g. 0.8,0.7), got {text!r}") from None
    if not (0.0 <= v <= 1.0 and 0.0 <= a <= 1.0):
        raise argparse.ArgumentTypeError(f"{text}: valence and arousal must be within 0..1")
    return v, a


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser("recommend", help="list the tracks for a mood",
                       description="List the analysed tracks nearest a mood (valence, arousal in 0..1), "
                                   "or a path of --steps tracks from that mood to --path-to.")
    p.add_argument("--valence", "-v", type=_unit, required=True, help="0 = negative .. 1 = positive")
    p.add_argument("--arousal", "-a", type=_unit, required=True, help="0 = calm .. 1 = energetic")
    p.add_argument("-n", type=int, default=20, help="queue length (default 20)")
    p.add_argument("--path-to", type=_point, metavar="V,A", help="target mood: build a mood path to it")
    p.add_argument("--steps", type=int, default=8, help="tracks on the mood path (default 8)")
    p.add_argument("--max-per-artist", type=int, default=2, help="at most this many by one artist in a row")
    p.add_argument("--jitter", type=float, default=0.0, help="random spread added to distances (e.g. 0.03)")
    p.add_argument("--seed", type=int, default=None, help="seed for --jitter (same seed, same queue)")
    p.add_argument("--include-recent", action="store_true", help="do not skip tracks played in the last 3 hours")
    add_db_argument(p)
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="a JSON list of objects (default: an aligned table)")
    out.add_argument("--tsv", action="store_true",
                     help="tab-separated rows with the full path and reason, for scripts (default: an aligned table)")
    return p


def run(args: argparse.Namespace) -> int:
    from moodplayer.recommend.index import MoodIndex
    from moodplayer.recommend.mood_path import mood_path
    from moodplayer.recommend.queue import build_queue, recently_played

    path = existing_library(args, "recommend")
    if path is None:
        return 2
    conn = connect(path, readonly=True)
    try:
        index = MoodIndex.from_db(conn)
        recent = set() if args.include_recent else recently_played(conn)
    finally:
        conn.close()
    if len(index) == 0:
        print(f"moodplayer recommend: no analysed tracks in {path} yet", file=sys.stderr)
        return 1
    if args.path_to:
        picks = mood_path(index, (args.valence, args.arousal), args.path_to, args.steps, exclude=recent)
    else:
        picks = build_queue(index, args.valence, args.arousal, args.n, max_per_artist=args.max_per_artist,
                            jitter=args.jitter, seed=args.seed, exclude=recent)
    if args.json:
        json.dump([p.to_dict() for p in picks], sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        return 0
    if args.tsv:
        print("\t".join(("distance", "valence", "arousal", "artist", "title", "path", "why")))
        for p in picks:  # tags and names are untrusted: escape sequences and newlines are shown escaped
            text = (terminal_safe(x) for x in (p.artist or "", p.title or "", p.path, p.why))
            print(f"{p.distance:.3f}\t{p.valence:.3f}\t{p.arousal:.3f}\t" + "\t".join(text))
        return 0
    for line in pick_table(picks):
        print(line)
    return 0


def pick_title(title: str | None, path: str) -> str:
    """A track's title, else its file name (an untagged file is still recognisable)."""
    return title.strip() if title and title.strip() else Path(display_path(path)).name


def pick_table(picks: list) -> list[str]:
    """The queue as an aligned table: number (or path step), distance, mood, artist, title, where."""
    from moodplayer.recommend.regions import region_phrase

    rows = []
    for i, p in enumerate(picks):
        number = f"{p.step[0]}/{p.step[1]}" if p.step else str(i + 1)
        where = region_phrase(p.valence, p.arousal) + (f" (placed by your {p.moved_by})" if p.moved_by else "")
        rows.append((number, f"{p.distance:.3f}", f"{p.valence:.2f}", f"{p.arousal:.2f}", artist_name(p.artist),
                     pick_title(p.title, p.path), where))
    return table(("#", "distance", "valence", "arousal", "artist", "title", "mood"), rows, right=(0, 1, 2, 3),
                 limits={4: 28, 5: 44})
