"""The camera loop on its own QThread: frames -> face pipeline -> readings and a small preview image.

The face model is loaded here, not at start-up. The preview is a QImage built in this thread (QImage,
unlike QPixmap, may be made off the GUI thread), scaled down, with the face box drawn on it. Frames
live in memory only; nothing is written anywhere. Analysis is throttled to ``fps`` frames a second:
a webcam delivers 30, the mood needs far fewer, and the CPU is shared with the audio.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QRectF, QThread, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPen

PREVIEW_WIDTH = 360


class CameraWorker(QThread):
    reading = Signal(object, object)     # MoodReading (None without a face model), QImage preview or None
    # "no_model" (not installed) | "model_error" (it failed: the message names the file and why) |
    # "error" (the loop itself); camera states arrive as readings
    status = Signal(str, str)

    def __init__(self, source: int | str | Path, fps: float = 8.0, mirror: bool | None = None,
                 model_path: str | Path | None = None, realtime: bool | None = None) -> None:
        super().__init__()
        self.source = source
        self.fps = max(1.0, float(fps))
        self.mirror = isinstance(source, int) if mirror is None else mirror   # a webcam reads like a mirror
        self.model_path = model_path
        self.realtime = realtime
        self._stop = False

    def stop(self, wait_ms: int = 3000) -> None:
        self._stop = True
        self.wait(wait_ms)

    def run(self) -> None:
        try:
            self._run()
        except Exception as exc:  # noqa: BLE001 - shown in the panel; the app carries on by hand
            self.status.emit("error", f"{type(exc).__name__}: {exc}")

    def _run(self) -> None:
        from moodplayer.vision import camera as cam
        from moodplayer.vision.expression import ExpressionModel
        from moodplayer.vision.pipeline import FacePipeline, live_loop

        # the camera first: "no camera" must be said even when the face model is missing too
        source = cam.CameraSource(self.source, realtime=self.realtime).start()
        pipeline = None
        try:
            try:
                pipeline = FacePipeline(ExpressionModel(self.model_path))
            except FileNotFoundError as exc:
                self.status.emit("no_model", str(exc))
            except Exception as exc:  # noqa: BLE001 - corrupt model or card: the camera still shows
                self.status.emit("model_error", str(exc))
            # the model failing on a frame is the model's fault, not the camera's: keep showing the picture
            for step in live_loop(source, pipeline, fps=self.fps, stopped=lambda: self._stop,
                                  on_model_error=lambda exc: self.status.emit("model_error", str(exc))):
                r, frame = step.reading, step.frame
                self.reading.emit(r, None if frame is None else self._preview(frame.image, r.box if r else None))
        finally:
            source.stop()

    def _preview(self, bgr: Any, box: list[int] | None) -> QImage:
        import cv2

        h, w = bgr.shape[:2]
        scale = min(1.0, PREVIEW_WIDTH / float(w))
        small = cv2.resize(bgr, (max(1, int(w * scale)), max(1, int(h * scale))), interpolation=cv2.INTER_AREA) \
            if scale < 1.0 else bgr
        rgb = cv2.cvtColor(small, cv2.COLOR_BGR2RGB)
        if self.mirror:
            rgb = cv2.flip(rgb, 1)
        rgb = rgb.copy()   # contiguous, and owned by the image below
        sh, sw = rgb.shape[:2]
        img = QImage(rgb.data, sw, sh, 3 * sw, QImage.Format.Format_RGB888).copy()
        if box is not None:
            x, y, bw, bh = (v * scale for v in box)
            if self.mirror:
                x = sw - x - bw
            p = QPainter(img)
            p.setRenderHint(QPainter.RenderHint.Antialiasing)
            p.setPen(QPen(QColor("#f4f1e8"), 2))
            p.drawRoundedRect(QRectF(x, y, bw, bh), 6, 6)
            p.end()
        return img
