"""A face crop framed as the expression model saw faces in training, levelled by the eyes, and a
number saying how far to trust it.

Framing: FER2013 images (what the expression model learnt from) show the face as a square about
1.07 times the geometric mean of MTCNN's box sides, centred on that box's centre (measured: MTCNN
on 543 of the first 600 FER+ Valid faces, upscaled x4 and padded; median frame side / sqrt(w*h)
1.070, centre offset under 1 % of the side). The crop keeps that framing and only turns it so
that the eyes are level. A Haar box is the FER framing as is (expression.crop_face).

Quality: a face turned away (the nose off the line between the eyes' midpoint and the mouth's),
half out of the frame, or scored low by the detector gives a lower weight, which the smoother
and the pad take as lower confidence instead of a confident guess.
"""
from __future__ import annotations

import math

import cv2
import numpy as np

from moodplayer.vision.detect import Box, Face

FRAME_SCALE = 1.07   # FER frame side / sqrt(MTCNN box w * h), median over FER+ Valid (see above)
MAX_ROLL = 45.0      # degrees; an eye line steeper than this is a landmark error, not a tilted head


def eye_angle(landmarks: np.ndarray) -> float:
    """Roll of the eye line in degrees (positive: the image-right eye is lower)."""
    (lx, ly), (rx, ry) = landmarks[0], landmarks[1]
    return math.degrees(math.atan2(ry - ly, rx - lx))


def framing(face: Face) -> tuple[float, float, float, float]:
    """(centre x, centre y, side, roll in degrees) of the training framing of a face."""
    b = face.box
    cx, cy = b.x + b.w / 2.0, b.y + b.h / 2.0
    if face.landmarks is None:
        return cx, cy, float(max(b.w, b.h)), 0.0
    angle = eye_angle(face.landmarks)
    if abs(angle) > MAX_ROLL:
        angle = 0.0
    return cx, cy, FRAME_SCALE * math.sqrt(b.w * b.h), angle


def aligned_crop(gray: np.ndarray, face: Face, size: int = 48) -> np.ndarray:
    """size x size uint8 crop of the face, eyes level, in the training framing.

    A large face is first shrunk with INTER_AREA (as training crops were) so the rotation only
    resamples a small image; the part of the square outside the frame replicates the border, as
    the detector-box crop does.
    """
    cx, cy, side, angle = framing(face)
    half = side * 0.75 + 2  # room for any rotation of the square (its half-diagonal is 0.71 side)
    x0, y0 = int(math.floor(cx - half)), int(math.floor(cy - half))
    x1, y1 = int(math.ceil(cx + half)), int(math.ceil(cy + half))
    H, W = gray.shape[:2]
    pad = max(0, -x0, -y0, x1 - W, y1 - H)
    if pad:
        gray = cv2.copyMakeBorder(gray, pad, pad, pad, pad, cv2.BORDER_REPLICATE)
    roi = gray[y0 + pad:y1 + pad, x0 + pad:x1 + pad]
    if roi.size == 0:
        raise ValueError("empty face crop")
    scale = size / side
    ccx, ccy = cx - x0, cy - y0
    if scale < 0.5:
        # shrink to twice the output resolution first; the warp below does the rest
        f = 2.0 * scale
        roi = cv2.resize(roi, (max(1, round(roi.shape[1] * f)), max(1, round(roi.shape[0] * f))),
                         interpolation=cv2.INTER_AREA)
        fx, fy = roi.shape[1] / (x1 - x0), roi.shape[0] / (y1 - y0)
        ccx, ccy, scale = ccx * fx, ccy * fy, scale / fx
    m = cv2.getRotationMatrix2D((ccx, ccy), angle, scale)
    m[0, 2] += size / 2.0 - ccx
    m[1, 2] += size / 2.0 - ccy
    return cv2.warpAffine(roi, m, (size, size), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def inside_fraction(box: Box, shape: tuple[int, ...]) -> float:
    """Share of a box's area that lies inside an image of ``shape`` (h, w, ...)."""
    H, W = shape[:2]
    w = max(0, min(W, box.x + box.w) - max(0, box.x))
    h = max(0, min(H, box.y + box.h) - max(0, box.y))
    return (w * h) / box.area if box.area else 0.0


def turn(landmarks: np.ndarray) -> float:
    """How far the face is turned sideways: the nose's offset from the midline between the eyes'
    and the mouth's midpoints, in inter-eye distances, measured along the eye line (0 = frontal;
    about 0.5 and more in profile, where MTCNN's points crowd together)."""
    lm = np.asarray(landmarks, np.float64)
    d = lm[1] - lm[0]
    iod = float(np.hypot(*d))
    if iod < 1e-6:
        return 1.0
    u = d / iod
    mid = (lm[0] + lm[1] + lm[3] + lm[4]) / 4.0
    return abs(float(np.dot(lm[2] - mid, u))) / iod


def quality(face: Face, shape: tuple[int, ...]) -> float:
    """0..1: how much a face's expression reading is worth (see the module notes)."""
    cx, cy, side, _ = framing(face)
    frame_box = Box(int(round(cx - side / 2)), int(round(cy - side / 2)), max(1, int(side)), max(1, int(side)))
    inside = min(1.0, max(0.0, (inside_fraction(frame_box, shape) - 0.6) / 0.35))
    if face.landmarks is None:
        return round(inside, 4)
    frontal = min(1.0, max(0.0, 1.0 - (turn(face.landmarks) - 0.12) / 0.3))
    score = min(1.0, max(0.0, (face.score - 0.8) / 0.15))
    return round(inside * frontal * score, 4)
