"""Run real ONNX sessions the way the app does, then stay alive past onnxruntime's telemetry delay.

tests/test_privacy.py runs this under strace with HOME in a temporary folder: the music model in
this process, the camera pipeline over a video file (cv2.VideoCapture, as for a webcam), and an
analysis worker started with spawn exactly as moodplayer.analysis.service starts them. onnxruntime
1.31 sends its first telemetry ~10 s after a session starts and keeps a device id under
~/.cache/Microsoft, unless ORT_DISABLE_TELEMETRY=1 was set before it loaded.

    python -m tests._privacy_probe VIDEO [--hold S]
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

import moodplayer  # noqa: F401 - first, as in every entry point: it switches telemetry off


def telemetry_env() -> str | None:
    """ORT_DISABLE_TELEMETRY as a worker process sees it."""
    return os.environ.get("ORT_DISABLE_TELEMETRY")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tests._privacy_probe")
    ap.add_argument("video", help="a video file read through the camera path")
    ap.add_argument("--hold", type=float, default=15.0, help="seconds to keep the sessions alive (the worker's, which starts last)")
    args = ap.parse_args(argv)

    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    import numpy as np

    from moodplayer.analysis import service
    from moodplayer.analysis.music_model import MusicModel
    from moodplayer.vision import camera as cam
    from moodplayer.vision.expression import ExpressionModel
    from moodplayer.vision.pipeline import FacePipeline, live_readings

    result: dict = {"env_main": telemetry_env()}
    start = time.monotonic()
    music = MusicModel(threads=1)
    va = music.predict(np.random.default_rng(0).integers(0, 256, (2, 128, 256), dtype=np.uint8))
    result["music_va"] = va.round(3).tolist()

    pipe = FacePipeline(ExpressionModel(threads=1))
    with cam.CameraSource(args.video, realtime=False) as source:
        readings = list(live_readings(source, pipe))
    result["camera_frames"] = sum(r.state == "ok" for r in readings)
    result["camera_last"] = readings[-1].state if readings else None

    # The worker must switch telemetry off by itself, not by inheriting this process's environment.
    os.environ.pop("ORT_DISABLE_TELEMETRY", None)
    with ProcessPoolExecutor(1, mp_context=get_context("spawn"), initializer=service._init_worker,
                             initargs=(None, 0, 1)) as pool:
        result["worker_provider"] = pool.submit(service._provider).result(timeout=120)
        worker_start = time.monotonic()
        result["env_worker"] = pool.submit(telemetry_env).result(timeout=60)
        time.sleep(max(0.0, worker_start + args.hold - time.monotonic()))
    result["seconds"] = round(time.monotonic() - start, 1)
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
