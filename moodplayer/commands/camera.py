"""``moodplayer camera``: print the live, smoothed mood from a webcam (or a video file) until stopped.

Nothing is stored: frames stay in memory and only the numbers are printed.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from moodplayer.vision import camera as cam
from moodplayer.vision.expression import ExpressionModel
from moodplayer.vision.pipeline import FacePipeline, live_readings


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
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.add_argument("--model", type=Path, default=None, help="face_emotion.onnx (default: the shipped model)")
    return p


def _line(r, fps: float) -> str:
    if r.valence is None:
        mood = "valence    -  arousal    -"
    else:
        mood = f"valence {r.valence:.2f}  arousal {r.arousal:.2f}"
    extra = f"  ({r.message})" if r.message and r.state != "ok" else ""
    return f"{r.state:<11} {mood}  confidence {r.confidence:.2f}  {r.emotion or '-':<9} {fps:5.1f} fps{extra}"


def run(args: argparse.Namespace) -> int:
    try:
        model = ExpressionModel(args.model)
    except (FileNotFoundError, ValueError) as exc:
        print(f"moodplayer camera: {exc}", file=sys.stderr)
        return 2
    pipe = FacePipeline(model)
    source = cam.CameraSource(args.file if args.file is not None else args.device,
                              realtime=False if args.fast else None)
    start = time.monotonic()
    next_print, frames, last = start, 0, None
    with source:
        try:
            for r in live_readings(source, pipe):
                last = r
                frames += r.state in ("ok", "no_face", "dark")
                now = time.monotonic()
                if now >= next_print:
                    fps = frames / max(1e-6, now - start)
                    out = json.dumps({**r.to_dict(), "faces": len(r.faces), "fps": round(fps, 2)}) if args.json \
                        else _line(r, fps)
                    print(out, flush=True)
                    next_print = now + args.interval
                if args.duration is not None and now - start >= args.duration:
                    break
        except KeyboardInterrupt:
            pass
    if last is not None and last.state in (cam.NO_CAMERA, cam.ERROR):
        print(f"moodplayer camera: {last.message or last.state}", file=sys.stderr)
        return 1
    return 0
