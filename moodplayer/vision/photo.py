"""Mood from a photo the person gives: every face in it, classified, the largest one first.

The photo is read from its file into memory (media.read_image: any file name, bounded memory),
looked at, and dropped; it is never copied or written anywhere. A photo larger than ``MAX_SIDE``
is shrunk first: faces large enough to read an expression from survive that, and MTCNN's pyramid
over a 12-megapixel photo would take seconds.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field

import cv2
import numpy as np

from moodplayer.display import display_path
from moodplayer.vision.media import MediaError, read_image
from moodplayer.vision.pipeline import FacePipeline, FaceResult

MAX_SIDE = 1280
MIN_FACE_FRAC = 0.04   # a face in a photo may be small: 4 % of the shorter side (at least 20 px)


class PhotoError(ValueError):
    """A photo that cannot be read; the message names the file and says why."""


@dataclass
class PhotoMood:
    """The faces of one photo, largest first, in the coordinates of ``image`` (the shrunk copy)."""

    name: str
    image: np.ndarray = field(repr=False)
    faces: list[FaceResult]

    @property
    def main(self) -> FaceResult | None:
        """The face that sets the mood: the largest."""
        return self.faces[0] if self.faces else None


def photo_pipeline(model_path: str | os.PathLike[str] | None = None) -> FacePipeline:
    """A pipeline for photos: MTCNN looking for smaller faces than the live camera does."""
    from moodplayer.vision.expression import ExpressionModel
    from moodplayer.vision.pipeline import default_detector

    detector, _ = default_detector(min_face_frac=MIN_FACE_FRAC)
    return FacePipeline(ExpressionModel(model_path), detector)


def shrink(image: np.ndarray, max_side: int = MAX_SIDE) -> np.ndarray:
    h, w = image.shape[:2]
    s = max_side / max(h, w)
    if s >= 1.0:
        return image
    return cv2.resize(image, (max(1, round(w * s)), max(1, round(h * s))), interpolation=cv2.INTER_AREA)


def photo_mood(path: str | os.PathLike[str], pipeline: FacePipeline) -> PhotoMood:
    """Read the photo at ``path`` and classify its faces; PhotoError names the file when it cannot."""
    try:
        image = read_image(path)
    except MediaError as exc:
        raise PhotoError(f"{display_path(path)}: {exc}") from None
    except OSError as exc:
        raise PhotoError(f"{display_path(path)}: cannot read it ({exc.strerror or exc})") from None
    if image.ndim == 3 and image.shape[2] == 4:
        image = cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    elif image.ndim == 2:
        image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    image = shrink(image)
    return PhotoMood(display_path(os.path.basename(os.fsdecode(path))), image, pipeline.faces(image))
