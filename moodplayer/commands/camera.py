"""``moodplayer camera``: print the live, smoothed mood from a webcam (or a video file) until stopped.

Nothing is stored: frames stay in memory and only the numbers are printed.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from moodplayer.commands.face import load_model
from moodplayer.display import terminal_safe
from moodplayer.vision import camera as cam
from moodplayer.vision.expression import ModelError
from moodplayer.vision.pipeline import FacePipeline, live_loop


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser("camera", help="print the live mood read from the webcam",
                       description="Print the smoothed valence/arousal (0..1), confidence and emotion "
                                   "from a camera or a video file until interrupted (a file: until it ends).")
    src = p.add_mutually_exclusive_group()
    src.add_argument("--device", type=int, default=0, help="camera index (default 0)")
    src.add_argument("--file", type=Path, default=None, help="read a video file as if it were a camera")
    p.add_argument("--interval", type=float, default=0.5, metavar="S", help="print every S seconds (default 0.5)")
    p.add_argument("--duration", type=float, default=None, metavar="S", help="stop after S seconds")
    p.add_argument("--fast", action="store_true", help="file: do not pace at the video's frame rate")
    p.add_argument("--wait", type=float, default=4.0, metavar="S",
                   help="device: give up when it has given no frame after S seconds (default 4)")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.add_argument("--model", type=Path, default=None, help="face_emotion.onnx (default: the shipped model)")
    return p


def _line(r, fps: float) -> str:
    if r.valence is None:
        mood = "valence    -  arousal    -"
    else:
        mood = f"valence {r.valence:.2f}  arousal {r.arousal:.2f}"
    extra = f"  ({terminal_safe(r.message)})" if r.message and r.state != "ok" else ""
    return f"{r.state:<11} {mood}  confidence {r.confidence:.2f}  {r.emotion or '-':<9} {fps:5.1f} fps{extra}"


def run(args: argparse.Namespace) -> int:
    model = load_model(args, "camera")
    if model is None:
        return 2
    pipe = FacePipeline(model)
    source = cam.CameraSource(args.file if args.file is not None else args.device,
                              realtime=False if args.fast else None)
    start = time.monotonic()
    next_print, frames, last, seen = start, 0, None, False
    live = (step.reading for step in live_loop(
        source, pipe, give_up_s=args.wait,
        stopped=lambda: args.duration is not None and time.monotonic() - start >= args.duration))
    with source:
        try:
            for r in live:
                last = r
                seen = seen or r.state in ("ok", "no_face", "dark")
                frames += r.state in ("ok", "no_face", "dark")
                now = time.monotonic()
                if now >= next_print:
                    fps = frames / max(1e-6, now - start)
                    out = json.dumps({**r.to_dict(), "faces": len(r.faces), "fps": round(fps, 2)}) if args.json \
                        else _line(r, fps)
                    print(out, flush=True)
                    next_print = now + args.interval
        except KeyboardInterrupt:
            pass
        except ModelError as exc:  # the model failed on a frame: the camera is not to blame
            print(f"moodplayer camera: {terminal_safe(exc)}", file=sys.stderr)
            return 2
    if last is not None and last.state in (cam.NO_CAMERA, cam.ERROR):
        hint = f" (no frame in {args.wait:g} s: is it connected? --device N picks another)" \
            if source.is_device and not seen and last.state == cam.NO_CAMERA else ""
        print(f"moodplayer camera: {terminal_safe(last.message or last.state)}{hint}", file=sys.stderr)
        return 1
    return 0
