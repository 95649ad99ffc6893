"""``moodplayer play``: play the mood queue from the terminal (Ctrl-C stops)."""
from __future__ import annotations

import argparse
import sys
import threading

from moodplayer.commands.recommend import _unit, pick_title
from moodplayer.commands.table import artist_name, fit, width
from moodplayer.display import terminal_safe
from moodplayer.commands import add_db_argument, existing_library


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser("play", help="play the tracks for a mood",
                       description="Play the analysed tracks nearest a mood, gaplessly, on the default "
                                   "audio output. Prints a line per track; Ctrl-C stops.")
    p.add_argument("--valence", "-v", type=_unit, required=True, help="0 = negative .. 1 = positive")
    p.add_argument("--arousal", "-a", type=_unit, required=True, help="0 = calm .. 1 = energetic")
    p.add_argument("-n", type=int, default=20, help="tracks to queue (default 20)")
    p.add_argument("--volume", type=float, default=1.0, help="0..1 (default 1)")
    p.add_argument("--device", default=None, help="output device name or number (default: the system's)")
    add_db_argument(p)
    return p


def run(args: argparse.Namespace) -> int:
    from moodplayer.library.store import connect
    from moodplayer.playback.engine import AudioEngine
    from moodplayer.playback.item import QueueItem
    from moodplayer.recommend.index import MoodIndex
    from moodplayer.recommend.queue import build_queue, recently_played
    from moodplayer.recommend.regions import region_phrase

    path = existing_library(args, "play")
    if path is None:
        return 2
    conn = connect(path)
    try:
        picks = build_queue(MoodIndex.from_db(conn), args.valence, args.arousal, args.n,
                            exclude=recently_played(conn))
        items = QueueItem.many_from_db(conn, [p.track_id for p in picks])
    finally:
        conn.close()
    if not items:
        print(f"moodplayer play: no analysed tracks in {path} yet", file=sys.stderr)
        return 1
    device = int(args.device) if args.device and args.device.isdigit() else args.device
    engine = AudioEngine(device=device, db_path=path)
    done = threading.Event()

    mood = {p.track_id: region_phrase(p.valence, p.arousal) for p in picks}
    who = {it.track_id: fit(terminal_safe(artist_name(it.artist)), 28) for it in items}
    what = {it.track_id: fit(terminal_safe(pick_title(it.title, it.path)), 44) for it in items}
    col_who = max(width(x) for x in who.values())
    col_what = max(width(x) for x in what.values())
    col_n = len(f"[{len(items)}/{len(items)}]")

    def now_playing(index: int, item: QueueItem) -> None:
        tid = item.track_id
        number = f"[{index + 1}/{len(items)}]"
        artist = who.get(tid) or fit(terminal_safe(artist_name(item.artist)), 28)
        title = what.get(tid) or fit(terminal_safe(pick_title(item.title, item.path)), 44)
        line = (f"{number:<{col_n}}  {artist}{' ' * (col_who - width(artist))}  "
                f"{title}{' ' * (col_what - width(title))}  {mood.get(tid, '')}")
        print(line.rstrip(), flush=True)

    def state(new: str, message: str | None) -> None:
        if new in ("stopped", "no-device"):
            done.set()

    engine.on("track_changed", now_playing)
    engine.on("state_changed", state)
    engine.on("error", lambda item, message: print(f"skipped {terminal_safe(item.path)}: {terminal_safe(message)}",
                                                   file=sys.stderr))
    try:
        engine.volume = args.volume
        engine.set_queue(items)
        engine.play()
        while not done.wait(0.5):
            pass
        if engine.state == "no-device":
            from moodplayer.no_sound import no_sound_advice

            print(f"moodplayer play: {no_sound_advice(engine.message, device=args.device, in_window=False)}\n"
                  f"  (the sound system said: {terminal_safe(engine.message)})", file=sys.stderr)
            return 1
    finally:
        engine.close()
    return 0
