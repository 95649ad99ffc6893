"""The music valence/arousal ONNX model at run time (onnxruntime only; no torch in the app).

One session is created per process and reused: creating it costs far more than running a batch.
"""
from __future__ import annotations

import json
import logging
import threading
from pathlib import Path

import numpy as np

from moodplayer.analysis.spectrogram import IMAGE_SHAPE, image_to_input
from moodplayer.display import display_path
from moodplayer.onnx_session import ModelError, create_session, provider
from moodplayer.paths import models_dir

log = logging.getLogger(__name__)
MODEL_FILE = "music_va.onnx"
CARD_FILE = "music_va.json"

# ModelError is the session factory's own: one class for every model that cannot be used
__all__ = ["MODEL_FILE", "CARD_FILE", "ModelError", "read_card", "MusicModel"]


def read_card(directory: str | Path | None = None) -> dict:
    """The model card beside music_va.onnx; its ``version`` marks which analyses are current."""
    card_path = Path(directory or models_dir()) / CARD_FILE
    try:
        card = json.loads(card_path.read_text())
        card["version"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ModelError(f"{card_path}: model card unreadable ({exc})") from exc
    return card


class MusicModel:
    """An onnxruntime session over music_va.onnx: uint8 spectrogram images in, (valence, arousal) out."""

    def __init__(self, directory: str | Path | None = None, use_gpu: bool = True, threads: int = 0) -> None:
        directory = Path(directory) if directory else models_dir()
        self.path = directory / MODEL_FILE
        if not self.path.is_file():
            raise ModelError(f"{self.path}: music model not found (set MOODPLAYER_MODELS?)")
        self.card = read_card(directory)
        self.version: str = self.card["version"]
        self.session = create_session(self.path, what="music model", use_gpu=use_gpu, threads=threads)
        self.provider: str = provider(self.session)
        self._input = self.session.get_inputs()[0].name
        self._lock = threading.Lock()
        log.info("music model %s (%s) runs on %s", display_path(self.path), self.version, self.provider)

    def predict(self, images: np.ndarray, batch: int = 32) -> np.ndarray:
        """uint8 images [N,128,256] -> float32 [N,2] = (valence, arousal) in 0..1."""
        images = np.asarray(images)
        if images.ndim == 2:
            images = images[None]
        if images.shape[1:] != IMAGE_SHAPE:
            raise ValueError(f"expected images [N,{IMAGE_SHAPE[0]},{IMAGE_SHAPE[1]}], got {images.shape}")
        outs = []
        for i in range(0, len(images), batch):
            with self._lock:
                outs.append(self.session.run(None, {self._input: image_to_input(images[i:i + batch])})[0])
        return np.concatenate(outs).astype(np.float32) if outs else np.zeros((0, 2), np.float32)

