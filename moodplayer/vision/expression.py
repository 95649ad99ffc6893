"""The face expression model at run time: one onnxruntime session, crops in, 8 probabilities out.

The crop and normalisation here must match training (moodplayer/train/face_data.py): the detector
box resized to 48x48 gray with INTER_AREA, divided by 255. The graph does the rest (per-image
standardisation, mirror averaging, softmax); models/face_emotion.json documents it.
"""
from __future__ import annotations

import json
import logging
from pathlib import Path

import cv2
import numpy as np

from moodplayer import onnx_session
from moodplayer.display import display_path
from moodplayer.onnx_session import create_session, first_line
from moodplayer.paths import models_dir as _models_dir
from moodplayer.vision.circumplex import CLASSES
from moodplayer.vision.detect import Box

log = logging.getLogger(__name__)

MODEL_FILE = "face_emotion.onnx"


class ModelError(onnx_session.ModelError, ValueError):
    """The face model (or its card) cannot be loaded or failed to run; the message names the file.
    A ValueError too, so callers that treat bad input and a bad model alike catch it."""


def models_dir() -> Path:
    """models/ beside the package (or in a PyInstaller bundle), or $MOODPLAYER_MODELS."""
    return _models_dir()


def crop_face(gray: np.ndarray, box: Box | None, size: int = 48) -> np.ndarray:
    """Square crop of ``box`` (or the whole image) resized to size x size, uint8.

    The box is made square around its centre and may reach past the frame edge; the missing part
    is filled by replicating the border, as a face at the edge of a webcam frame would need.
    """
    if box is None:
        region = gray
    else:
        side = max(box.w, box.h)
        cx, cy = box.x + box.w / 2.0, box.y + box.h / 2.0
        x0, y0 = int(round(cx - side / 2.0)), int(round(cy - side / 2.0))
        H, W = gray.shape[:2]
        pad = max(0, -x0, -y0, x0 + side - W, y0 + side - H)
        if pad:
            gray = cv2.copyMakeBorder(gray, pad, pad, pad, pad, cv2.BORDER_REPLICATE)
            x0, y0 = x0 + pad, y0 + pad
        region = gray[y0:y0 + side, x0:x0 + side]
    if region.size == 0:
        raise ValueError("empty face crop")
    interp = cv2.INTER_AREA if min(region.shape[:2]) >= size else cv2.INTER_LINEAR
    return cv2.resize(region, (size, size), interpolation=interp)


class ExpressionModel:
    """One onnxruntime session for the life of the app (creating it costs ~100 ms)."""

    def __init__(self, path: str | Path | None = None, threads: int = 1, use_gpu: bool = True) -> None:
        self.path = Path(path) if path else models_dir() / MODEL_FILE
        if not self.path.is_file():
            raise FileNotFoundError(f"{self.path}: face expression model not found "
                                    "(set MOODPLAYER_MODELS or run python -m moodplayer.train.face_train)")
        card_path = self.path.with_suffix(".json")
        card = _read_card(card_path)
        classes = card.get("classes", list(CLASSES))
        if not isinstance(classes, list):
            raise ModelError(f"{card_path}: \"classes\" should be a list of {len(CLASSES)} names")
        self.classes: tuple[str, ...] = tuple(classes)
        if self.classes != CLASSES:
            raise ModelError(f"{card_path}: class order {self.classes} differs from {CLASSES}")
        self.version: str = str(card.get("version", "unknown"))
        self.session = create_session(self.path, what="face model", use_gpu=use_gpu, threads=threads,
                                      inter_threads=1, error=ModelError)
        self.providers: list[str] = self.session.get_providers()
        log.info("face model %s (%s) runs on %s", display_path(self.path), self.version, self.providers[0])
        inp = self.session.get_inputs()[0]
        self.input_name = inp.name
        self.size = int(inp.shape[-1]) if isinstance(inp.shape[-1], int) else 48
        # another model under this name (a music model, an old export) fails here, not mid-camera
        self.predict(np.zeros((1, self.size, self.size), np.uint8))

    def predict(self, crops: list[np.ndarray] | np.ndarray) -> np.ndarray:
        """[N, 8] probabilities for N gray uint8 crops of size x size (one batched run)."""
        if len(crops) == 0:
            return np.zeros((0, len(self.classes)), np.float32)
        x = np.stack([np.asarray(c) for c in crops]).astype(np.float32)[:, None] / 255.0
        try:
            out = np.asarray(self.session.run(None, {self.input_name: x})[0])
        except Exception as exc:  # noqa: BLE001 - onnxruntime's own error types (wrong shapes, bad graph)
            raise ModelError(f"{self.path}: the face model failed ({first_line(exc)})") from exc
        if out.shape != (len(x), len(self.classes)):
            raise ModelError(f"{self.path}: the face model gives {list(out.shape)} for {len(x)} face(s), "
                             f"not {len(x)} x {len(self.classes)} probabilities: is it the face expression model?")
        return out

    def predict_faces(self, gray: np.ndarray, boxes: list[Box | None]) -> np.ndarray:
        """Crop each box from a gray frame and classify them together."""
        return self.predict([crop_face(gray, b, self.size) for b in boxes])


def _read_card(path: Path) -> dict:
    """The model card beside the model ({} when there is none); ModelError names it when it is bad."""
    if not path.is_file():
        return {}
    try:
        card = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ModelError(f"{path}: cannot read the face model card ({exc})") from exc
    except json.JSONDecodeError as exc:
        raise ModelError(f"{path}: the face model card is not valid JSON ({exc})") from exc
    if not isinstance(card, dict):
        raise ModelError(f"{path}: the face model card is not a JSON object")
    return card
