"""The camera source: device and file through one VideoCapture path, states instead of exceptions."""
from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from moodplayer.vision import camera as cam
from tests._faces import FACE_VIDEO, pyfeat_media, write_video


def test_missing_device_is_a_state_not_an_exception() -> None:
    with cam.CameraSource(57, retry_s=0.2) as src:  # no /dev/video57 here
        state, frame = src.wait_next(-1, timeout=5.0)
        assert state == cam.NO_CAMERA and frame is None
        assert "camera 57" in src.message
        time.sleep(0.5)  # it keeps retrying quietly in the background
        assert src.state == cam.NO_CAMERA
        # a caller polling a missing device waits between polls instead of spinning on the CPU
        t0 = time.monotonic()
        polls = 0
        while time.monotonic() - t0 < 0.6:
            state, _ = src.wait_next(-1, timeout=0.2)
            polls += 1
        assert state == cam.NO_CAMERA and polls <= 4, f"{polls} polls in 0.6 s"


def test_missing_file_names_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "gone.mp4"
    with cam.CameraSource(missing) as src:
        state, _ = src.wait_next(-1, timeout=5.0)
    assert state == cam.NO_CAMERA and str(missing) in src.message


def test_unreadable_file_is_no_camera(tmp_path: Path) -> None:
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"\0" * 4096)
    with cam.CameraSource(bad) as src:
        state, frame = src.wait_next(-1, timeout=5.0)
    assert state in (cam.NO_CAMERA, cam.ENDED) and frame is None


def test_file_plays_then_ends() -> None:
    video = pyfeat_media() / FACE_VIDEO  # 72 frames at 30 fps
    with cam.CameraSource(video, realtime=False) as src:
        deadline = time.monotonic() + 20
        while src.state in (cam.STARTING, cam.OK) and time.monotonic() < deadline:
            time.sleep(0.05)
        state, frame = src.latest()
    assert state == cam.ENDED
    assert frame is not None and frame.index == 71 and frame.image.shape == (360, 640, 3)


def test_slow_consumer_gets_latest_frame_not_a_queue(tmp_path: Path) -> None:
    frames = [np.full((120, 160, 3), i % 256, np.uint8) for i in range(90)]
    video = write_video(tmp_path / "ramp.mp4", frames, fps=30.0)
    with cam.CameraSource(video) as src:  # paced at 30 fps like a camera
        _, first = src.wait_next(-1, timeout=5.0)
        assert first is not None
        time.sleep(0.5)  # a consumer busy for 0.5 s ...
        _, later = src.latest()
    assert later is not None and later.index - first.index >= 8  # ... skips ahead, nothing queued


class _UnpluggedDevice(cam.CameraSource):
    """A device whose stream stops after a few frames, as when a webcam is pulled out.

    Only the opening is replaced (a short clip stands in for /dev/video0); the read loop, the
    state machine and the retry are the real ones.
    """

    def __init__(self, clip: Path) -> None:
        super().__init__(0, retry_s=5.0)
        self.clip = clip

    def _open(self):
        import cv2

        self.fps = 30.0
        return cv2.VideoCapture(str(self.clip))


def test_device_that_disappears_reports_camera_lost(tmp_path: Path) -> None:
    clip = write_video(tmp_path / "short.mp4", [np.full((60, 80, 3), 90, np.uint8)] * 5)
    with _UnpluggedDevice(clip) as src:
        deadline = time.monotonic() + 10
        while src.state != cam.CAMERA_LOST and time.monotonic() < deadline:
            time.sleep(0.02)
        state, frame = src.latest()
    assert state == cam.CAMERA_LOST and "stopped delivering" in src.message
    assert frame is not None and frame.index == 4  # the last frame stays available
