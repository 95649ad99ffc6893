"""``moodplayer face PATH...``: read the expressions in photos and videos, headless.

For a photo: every face with its box, 8 probabilities, top emotion, valence and arousal. For a video:
the same for frames sampled every ``--every`` seconds, plus the time-smoothed mood trajectory that
the live camera path would have produced.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import cv2

from moodplayer.display import display_path, terminal_safe
from moodplayer.vision.expression import ExpressionModel, ModelError
from moodplayer.vision.media import MediaError, open_video, read_image
from moodplayer.vision.pipeline import FacePipeline, default_detector

VIDEO_SUFFIXES = {".mp4", ".mov", ".avi", ".mkv", ".webm", ".m4v", ".mpg", ".mpeg", ".wmv", ".ogv"}


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser("face", help="read facial expressions in images or videos",
                       description="Detect faces and report expression probabilities, top emotion, "
                                   "valence and arousal (0..1). Videos also get the smoothed trajectory.")
    p.add_argument("paths", nargs="+", metavar="PATH", help="image or video files")
    p.add_argument("--json", action="store_true", help="print a JSON list of {path, faces, ...}")
    p.add_argument("--crop", action="store_true", help="images are aligned face crops: skip detection")
    p.add_argument("--every", type=float, default=0.2, metavar="S",
                   help="video: analyse one frame every S seconds (default 0.2)")
    p.add_argument("--model", type=Path, default=None, help="face_emotion.onnx (default: the shipped model)")
    return p


def _image(pipe: FacePipeline, path: Path, crop: bool) -> dict:
    img = read_image(path)  # any file name, bounded memory, truncated files refused
    faces = pipe.faces(img, crop=crop)
    return {"path": str(path), "kind": "image", "width": img.shape[1], "height": img.shape[0],
            "faces": [f.to_dict() for f in faces]}


def _video(pipe: FacePipeline, path: Path, every: float) -> dict:
    cap = open_video(path)
    try:
        if not cap.isOpened():
            raise ValueError("not a video OpenCV can open")
        fps = cap.get(cv2.CAP_PROP_FPS)
        fps = fps if fps and 0 < fps < 1000 else 30.0
        step = max(1, round(every * fps))
        pipe.reset()
        faces, trajectory, index, sampled = [], [], 0, 0
        while True:
            if index % step:
                if not cap.grab():
                    break
                index += 1
                continue
            ok, frame = cap.read()
            if not ok:
                break
            t = round(index / fps, 3)
            r = pipe.process(frame, t)
            sampled += 1
            faces += [{"frame": index, "t": t, **f.to_dict()} for f in r.faces]
            trajectory.append({"frame": index, "t": t, "state": r.state, "valence": r.valence,
                               "arousal": r.arousal, "confidence": r.confidence, "emotion": r.emotion})
            index += 1
        if sampled == 0:
            raise ValueError("no frame could be decoded")
        return {"path": str(path), "kind": "video", "fps": round(fps, 3), "frames": index,
                "sampled_frames": sampled, "faces": faces, "trajectory": trajectory}
    finally:
        cap.release()


def _fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:.2f}"


def _print_text(item: dict) -> None:
    name = terminal_safe(display_path(item["path"]))
    if "error" in item:
        print(f"{name}: error: {terminal_safe(item['error'])}")
        return
    if item["kind"] == "image":
        print(f"{name}: {len(item['faces'])} face(s)")
        for f in item["faces"]:
            top = sorted(f["probabilities"].items(), key=lambda kv: -kv[1])[:3]
            print(f"  box {f['box']}  {f['emotion']:<9} valence {f['valence']:.2f} arousal {f['arousal']:.2f}  "
                  + " ".join(f"{k} {v:.2f}" for k, v in top))
        return
    seen = sum(1 for p in item["trajectory"] if p["state"] == "ok")
    print(f"{name}: video, {item['sampled_frames']} frames sampled, a face in {seen}")
    for p in item["trajectory"]:
        print(f"  t {p['t']:7.2f}s  {p['state']:<8} valence {_fmt(p['valence'])} arousal {_fmt(p['arousal'])} "
              f"confidence {p['confidence']:.2f}  {p['emotion'] or '-'}")


def load_model(args: argparse.Namespace, command: str) -> ExpressionModel | None:
    """The face model for ``moodplayer <command>``, or None after saying on stderr why it cannot load."""
    try:
        return ExpressionModel(args.model)
    except (FileNotFoundError, ValueError) as exc:   # missing, or a ModelError naming the file
        print(f"moodplayer {command}: {terminal_safe(exc)}", file=sys.stderr)
        return None


def run(args: argparse.Namespace) -> int:
    model = load_model(args, "face")
    if model is None:
        return 2
    # photos may hold several small faces: search at a higher resolution than the live path does
    detector, note = default_detector(min_face_frac=0.05)   # MTCNN; Haar if its nets are unusable
    if note:
        print(f"moodplayer face: {terminal_safe(note)}", file=sys.stderr)
    pipe = FacePipeline(model, detector, all_faces=True)
    results, failed = [], 0
    for raw in args.paths:
        path = Path(raw)
        try:
            if path.is_dir():
                raise ValueError("a folder, not an image or video file")
            if not path.is_file():
                raise ValueError("no such file")
            is_video = path.suffix.lower() in VIDEO_SUFFIXES
            item = _video(pipe, path, args.every) if is_video else _image(pipe, path, args.crop)
        except ModelError as exc:  # the model, not this file: every other file would fail the same way
            print(f"moodplayer face: {terminal_safe(exc)}", file=sys.stderr)
            return 2
        except (MediaError, ValueError, OSError, cv2.error) as exc:
            failed += 1
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            item = {"path": str(path), "error": reason, "faces": []}
            print(f"moodplayer face: {terminal_safe(display_path(path))}: {terminal_safe(reason)}", file=sys.stderr)
        results.append(item)
        if not args.json:
            _print_text(item)
    if args.json:
        json.dump(results, sys.stdout, indent=1)
        sys.stdout.write("\n")
    return 1 if failed else 0
