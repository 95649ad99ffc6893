"""A camera (or video file) on its own thread that always hands out the newest frame.

Device and file go through the same ``cv2.VideoCapture`` path, so tests drive it with video files.
Only the latest frame is kept: a slow consumer skips frames instead of falling behind. Failures are
states (no camera, camera lost, ended, error), never exceptions in the caller's thread. Frames live
in memory only; nothing here writes an image anywhere.
"""
from __future__ import annotations

import contextlib
import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import cv2
import numpy as np

from moodplayer.display import display_path
from moodplayer.vision.media import MediaError, open_video

log = logging.getLogger(__name__)

STARTING = "starting"
OK = "ok"
NO_CAMERA = "no_camera"  # could not open the device / file (keeps retrying a device)
CAMERA_LOST = "camera_lost"  # a device that delivered frames stopped (unplugged); retrying
ENDED = "ended"  # a video file reached its end
ERROR = "error"  # anything unexpected; the message says what


@dataclass(frozen=True)
class Frame:
    """One captured frame: BGR pixels, running index, capture time (time.monotonic)."""

    image: np.ndarray
    index: int
    t: float


@contextlib.contextmanager
def quiet_opencv() -> Iterator[None]:
    """Silences OpenCV: it prints WARN lines for a missing /dev/videoN; the state says it better."""
    try:
        old = cv2.utils.logging.getLogLevel()
        cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)
    except AttributeError:  # pragma: no cover - older builds without the logging module
        yield
        return
    try:
        yield
    finally:
        cv2.utils.logging.setLogLevel(old)


def open_capture(source: int | str | Path, width: int | None = None,
                 height: int | None = None) -> tuple[cv2.VideoCapture | None, str]:
    """A device index or a video file opened quietly: (capture, "") or (None, a message naming it).

    The one way in for the live loop and the self-test; the caller releases the capture.
    """
    is_device = isinstance(source, int)
    what = f"camera {source}" if is_device else display_path(str(source))   # as CameraSource.name
    if not is_device and not Path(str(source)).is_file():
        return None, f"{what}: cannot be opened (no such file)"
    with quiet_opencv():
        try:
            # a file goes through open_video: OpenCV crashes on a name that is not UTF-8
            cap = cv2.VideoCapture(source) if is_device else open_video(str(source))
        except (MediaError, OSError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            return None, f"{what}: cannot be opened ({reason})"
    if not cap.isOpened():
        cap.release()
        return None, f"{what}: cannot be opened"
    if width:
        cap.set(cv2.CAP_PROP_FRAME_WIDTH, width)
    if height:
        cap.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
    return cap, ""


class CameraSource:
    """Reads device N or a video file on a daemon thread; ``latest()`` never blocks for long.

    A file is paced at its own frame rate when ``realtime`` is true (the default for files), so it
    behaves like a camera; with ``realtime=False`` it is read as fast as decoding allows.
    """

    def __init__(self, source: int | str | Path, realtime: bool | None = None, retry_s: float = 2.0,
                 width: int | None = None, height: int | None = None) -> None:
        self.source = source
        self.is_device = isinstance(source, int)
        self.name = f"camera {source}" if self.is_device else display_path(str(source))   # for people and logs
        self.realtime = (not self.is_device) if realtime is None else realtime
        self.retry_s = retry_s
        self.size = (width, height)
        self._lock = threading.Condition()
        self._frame: Frame | None = None
        self._state = STARTING
        self._message = ""
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.fps: float = 0.0

    # -- public ---------------------------------------------------------------------------------
    def start(self) -> "CameraSource":
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
            self._thread.start()
        return self

    def stop(self, timeout: float = 2.0) -> None:
        self._stop.set()
        with self._lock:
            self._lock.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)

    def __enter__(self) -> "CameraSource":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def state(self) -> str:
        return self._state

    @property
    def message(self) -> str:
        return self._message

    def latest(self) -> tuple[str, Frame | None]:
        """The current state and the newest frame (None before the first one)."""
        with self._lock:
            return self._state, self._frame

    def wait_next(self, after_index: int, timeout: float = 1.0) -> tuple[str, Frame | None]:
        """Block until a frame newer than ``after_index`` arrives, the state changes, or timeout.

        A device that keeps failing (no camera, lost) waits out the timeout between retries, so a
        caller looping on this polls at that pace instead of spinning; a finished file returns at once.
        """
        deadline = time.monotonic() + timeout
        with self._lock:
            entry_state = self._state
            while not self._stop.is_set():
                f = self._frame
                if f is not None and f.index > after_index:
                    break
                if self._state != entry_state and self._state != OK:
                    break
                if self._state in (ENDED, ERROR) or (self._state == NO_CAMERA and not self.is_device):
                    break
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._lock.wait(left)
            return self._state, self._frame

    # -- thread ---------------------------------------------------------------------------------
    def _set(self, state: str, message: str = "", frame: Frame | None = None) -> None:
        with self._lock:
            if state != self._state:
                log.info("%s: %s %s", self.name, state, message)
            self._state, self._message = state, message
            if frame is not None:
                self._frame = frame
            self._lock.notify_all()

    def _open(self) -> cv2.VideoCapture | None:
        cap, why = open_capture(self.source, *self.size)
        if cap is None:
            self._set(NO_CAMERA, why)
            return None
        fps = cap.get(cv2.CAP_PROP_FPS)
        self.fps = float(fps) if fps and fps > 0 and fps < 1000 else 30.0
        return cap

    def _run(self) -> None:
        try:
            self._loop()
        except Exception as exc:  # never let the thread die silently: report it as a state
            log.exception("%s failed", self.name)
            self._set(ERROR, f"{type(exc).__name__}: {exc}")

    def _loop(self) -> None:
        index = 0
        while not self._stop.is_set():
            cap = self._open()
            if cap is None:
                if not self.is_device:
                    return  # a missing file will not appear by waiting
                self._stop.wait(self.retry_s)
                continue
            t0, n, delivered = time.monotonic(), 0, False
            try:
                while not self._stop.is_set():
                    ok, image = cap.read()
                    if not ok or image is None:
                        break
                    n += 1
                    if self.realtime and not self.is_device:
                        wait = t0 + n / self.fps - time.monotonic()
                        if wait > 0 and self._stop.wait(wait):
                            break
                    self._set(OK, "", Frame(image, index, time.monotonic()))
                    index += 1
                    delivered = True
            finally:
                cap.release()
            if self._stop.is_set():
                return
            if not self.is_device:
                self._set(ENDED, f"{self.name}: end of video after {n} frames")
                return
            self._set(CAMERA_LOST if delivered else NO_CAMERA,
                      f"{self.name}: " + ("stopped delivering frames" if delivered else "gives no frames"))
            self._stop.wait(self.retry_s)
