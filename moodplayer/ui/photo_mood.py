"""Mood from a photo in the window: which dropped files are photos, the background job that reads
one, and the preview with the face boxes. The camera panel shows the result; the pad only takes
the drop. The photo stays in memory (vision/photo.py) and is never copied or stored.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QMimeData, QRectF
from PySide6.QtGui import QColor, QImage, QPainter, QPen

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".jpe", ".png", ".webp", ".bmp", ".dib", ".gif", ".tif", ".tiff",
                  ".pnm", ".pbm", ".pgm", ".ppm")
FILE_FILTER = "Photos (" + " ".join(f"*{s}" for s in IMAGE_SUFFIXES) + ");;All files (*)"
PREVIEW_WIDTH = 480
PHOTO_MIN_CONFIDENCE = 0.25   # a face less sure than this (turned away, cut off) does not set the mood


def dropped_photo(mime: QMimeData) -> Path | None:
    """The first local image file among dropped URLs (by its suffix), or None."""
    for url in mime.urls():
        if url.isLocalFile():
            path = Path(url.toLocalFile())
            if path.suffix.lower() in IMAGE_SUFFIXES and not path.is_dir():
                return path
    return None


class PhotoReader:
    """Loads the face models on first use and keeps them: reading a second photo costs only detection."""

    def __init__(self) -> None:
        self._pipeline: Any = None

    def job(self, path: Path) -> Callable[[Any], Any]:
        def run(task: Any) -> Any:
            """The PhotoMood, or the PhotoError that says why not (a plain answer, not a failure to log)."""
            from moodplayer.vision.photo import PhotoError, photo_mood, photo_pipeline

            if self._pipeline is None:
                self._pipeline = photo_pipeline()
            try:
                return photo_mood(path, self._pipeline)
            except PhotoError as exc:
                return exc
        return run


def photo_preview(bgr: Any, faces: list[Any], width: int = PREVIEW_WIDTH) -> QImage:
    """The photo at preview size with a box on every face (the main one brighter)."""
    import cv2

    h, w = bgr.shape[:2]
    scale = min(1.0, width / float(w))
    small = cv2.resize(bgr, (max(1, int(w * scale)), max(1, int(h * scale))), interpolation=cv2.INTER_AREA) \
        if scale < 1.0 else bgr
    rgb = cv2.cvtColor(small, cv2.COLOR_BGR2RGB).copy()
    sh, sw = rgb.shape[:2]
    img = QImage(rgb.data, sw, sh, 3 * sw, QImage.Format.Format_RGB888).copy()
    p = QPainter(img)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    for i, face in enumerate(faces):
        if face.box is None:
            continue
        x, y, bw, bh = (v * scale for v in face.box)
        p.setPen(QPen(QColor("#f4f1e8" if i == 0 else "#8a8f9c"), 2 if i == 0 else 1))
        p.drawRoundedRect(QRectF(x, y, bw, bh), 6, 6)
    p.end()
    return img


def wire_photo_mood(window: Any) -> None:
    """The main window's one hook: "Set mood from a photo…" in the File menu, photos dropped on the
    pad read by the camera panel, and the target moved to the main face's mood."""
    action = window.add_action("File", "photo_mood", "Set mood from a &photo…", window.camera.choose_photo)
    before = window.actions_.get("settings")
    if before is not None:
        window.menus["File"].insertAction(before, action)   # with the other "open" actions, not after Quit
    window.pad.photoDropped.connect(window.camera.show_photo)

    def to_photo_mood(face: Any) -> None:
        window.camera.follow.setChecked(False)   # a photo's mood is a choice: the live face stops steering
        window.pad.set_target(face.valence, face.arousal, emit=True)
        window.session.commit()

    window.camera.photoMood.connect(to_photo_mood)
