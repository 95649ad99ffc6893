"""Face detection with OpenCV's Haar cascade, and a tracked box that neither jumps nor blinks.

MTCNN (moodplayer/vision/mtcnn.py) is the default detector; this cascade is its fallback (when the
MTCNN nets cannot be loaded) and the baseline it is compared with. Both give ``Face`` objects.

The cascade XML files ship inside the opencv-python(-headless) 4.x wheels (``cv2.data``); OpenCV 5
removed them, hence the <5 pin. A Haar box around a frontal face covers almost exactly what a FER2013
image shows (median box = 98 % of the image side on 471 upscaled Valid faces), so the expression
model gets the detector box as is.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

log = logging.getLogger(__name__)

CASCADES = ("haarcascade_frontalface_default.xml", "haarcascade_frontalface_alt2.xml")


@dataclass(frozen=True)
class Box:
    """A face box in frame pixels (x, y = top-left corner)."""

    x: int
    y: int
    w: int
    h: int

    @property
    def area(self) -> int:
        return self.w * self.h

    def as_list(self) -> list[int]:
        return [self.x, self.y, self.w, self.h]


@dataclass
class Face:
    """One detected face: a box in frame pixels, the detector's score and, from MTCNN, 5 landmarks
    (x, y rows: left eye, right eye, nose, left and right mouth corner; "left" = the image's left)."""

    box: Box
    score: float = 1.0
    landmarks: np.ndarray | None = field(default=None, repr=False)


def iou(a: Box, b: Box) -> float:
    ix = max(0, min(a.x + a.w, b.x + b.w) - max(a.x, b.x))
    iy = max(0, min(a.y + a.h, b.y + b.h) - max(a.y, b.y))
    inter = ix * iy
    union = a.area + b.area - inter
    return inter / union if union else 0.0


def to_gray(frame: np.ndarray) -> np.ndarray:
    """BGR, BGRA or gray frame -> gray uint8."""
    if frame.ndim == 2:
        return frame
    if frame.shape[2] == 4:
        return cv2.cvtColor(frame, cv2.COLOR_BGRA2GRAY)
    return cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)


class FaceDetector:
    """Haar-cascade frontal face detector working on a downscaled copy of the frame for speed.

    Boxes backed by few overlapping raw detections ("neighbours") are mostly background texture:
    a box is kept only when it has at least ``keep_ratio`` of the best box's neighbours.
    """

    def __init__(self, cascade: str = CASCADES[0], max_side: int = 320, min_face_frac: float = 0.1,
                 min_neighbors: int = 4, scale_factor: float = 1.15, keep_ratio: float = 0.4) -> None:
        path = Path(cv2.data.haarcascades) / cascade
        self._cc = cv2.CascadeClassifier(str(path))
        if self._cc.empty():
            raise RuntimeError(f"{path}: cannot load the Haar cascade (is opencv-python-headless <5 installed?)")
        self.max_side = max_side
        self.min_face_frac = min_face_frac
        self.min_neighbors = min_neighbors
        self.scale_factor = scale_factor
        self.keep_ratio = keep_ratio

    def _run(self, gray: np.ndarray, max_side: int, min_side_px: float, max_side_px: float | None = None,
             ox: int = 0, oy: int = 0) -> list[tuple[Box, int]]:
        h, w = gray.shape[:2]
        scale = min(1.0, max_side / max(h, w))
        small = cv2.resize(gray, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA) \
            if scale < 1.0 else gray
        small = cv2.equalizeHist(small)
        lo = max(20, int(min_side_px * scale))
        hi = (int(max_side_px * scale),) * 2 if max_side_px else (0, 0)
        found, neighbours = self._cc.detectMultiScale2(small, scaleFactor=self.scale_factor,
                                                       minNeighbors=self.min_neighbors, minSize=(lo, lo),
                                                       maxSize=hi)
        return [(Box(ox + int(x / scale), oy + int(y / scale), int(bw / scale), int(bh / scale)), int(n))
                for (x, y, bw, bh), n in zip(found, neighbours)]

    def _keep(self, scored: list[tuple[Box, int]]) -> list[Box]:
        if not scored:
            return []
        best = max(n for _, n in scored)
        kept = [b for b, n in scored if n >= self.keep_ratio * best]
        return sorted(kept, key=lambda b: b.area, reverse=True)

    def detect(self, gray: np.ndarray) -> list[Box]:
        """All faces in a gray frame, largest first, in the frame's own pixel coordinates."""
        return self._keep(self._run(gray, self.max_side, self.min_face_frac * min(gray.shape[:2])))

    def detect_near(self, gray: np.ndarray, prev: Box) -> list[Box]:
        """Faces in a window around a previous box: ~5x cheaper than a full-frame search."""
        H, W = gray.shape[:2]
        m = prev.w // 2
        x0, y0 = max(0, prev.x - m), max(0, prev.y - m)
        x1, y1 = min(W, prev.x + prev.w + m), min(H, prev.y + prev.h + m)
        if x1 - x0 < 24 or y1 - y0 < 24:
            return []
        roi = gray[y0:y1, x0:x1]
        return self._keep(self._run(roi, 160, prev.w * 0.6, prev.w * 1.6, x0, y0))


    def find(self, image: np.ndarray) -> list[Face]:
        """``detect`` on any BGR/gray frame, as Face objects (no landmarks): the detectors' common call."""
        return [Face(b) for b in self.detect(to_gray(image))]

    def find_near(self, image: np.ndarray, prev: Box) -> list[Face]:
        return [Face(b) for b in self.detect_near(to_gray(image), prev)]


class BoxTracker:
    """Follows one face: smooths its box and keeps it through short detection drop-outs.

    Haar boxes wobble by several pixels between frames and vanish for a frame now and then (blinks,
    motion blur); feeding that straight to the classifier makes the mood flicker.
    """

    def __init__(self, alpha: float = 0.5, hold_frames: int = 5, min_iou: float = 0.2) -> None:
        self.alpha = alpha
        self.hold_frames = hold_frames
        self.min_iou = min_iou
        self.box: Box | None = None
        self._missed = 0
        self._f: np.ndarray | None = None

    def reset(self) -> None:
        self.box, self._f, self._missed = None, None, 0

    def update(self, boxes: list[Box]) -> Box | None:
        """Feed this frame's detections (largest first); return the tracked box or None."""
        if not boxes:
            self._missed += 1
            if self._missed > self.hold_frames:
                self.reset()
            return self.box
        self._missed = 0
        target = boxes[0]
        if self.box is not None:
            # stay on the face we follow if it is still there, even if another one is larger now
            best = max(boxes, key=lambda b: iou(b, self.box))  # type: ignore[arg-type]
            if iou(best, self.box) >= self.min_iou:
                target = best
        new = np.array(target.as_list(), dtype=np.float64)
        if self._f is None or self.box is None or iou(target, self.box) < self.min_iou:
            self._f = new
        else:
            self._f = self._f + self.alpha * (new - self._f)
        self.box = Box(*(int(round(v)) for v in self._f))
        return self.box
