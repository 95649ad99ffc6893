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
from moodplayer.paths import models_dir

log = logging.getLogger(__name__)
MODEL_FILE = "music_va.onnx"
CARD_FILE = "music_va.json"


class ModelError(Exception):
    """The model file is missing or unusable; names the file."""


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
        import onnxruntime as ort

        directory = Path(directory) if directory else models_dir()
        self.path = directory / MODEL_FILE
        if not self.path.is_file():
            raise ModelError(f"{self.path}: music model not found (set MOODPLAYER_MODELS?)")
        self.card = read_card(directory)
        self.version: str = self.card["version"]
        wanted = ["CPUExecutionProvider"]
        if use_gpu and "CUDAExecutionProvider" in ort.get_available_providers():
            wanted.insert(0, "CUDAExecutionProvider")
        opts = ort.SessionOptions()
        if threads:
            opts.intra_op_num_threads = threads
        ort.set_default_logger_severity(4)  # the GPU wheel logs errors (severity 3) when no GPU is present
        try:
            self.session = ort.InferenceSession(str(self.path), sess_options=opts, providers=wanted)
        except Exception as exc:  # noqa: BLE001 - onnxruntime raises its own exception types
            raise ModelError(f"{self.path}: cannot load ({exc})") from exc
        finally:
            ort.set_default_logger_severity(2)  # back to onnxruntime's default (warnings)
        self.provider: str = self.session.get_providers()[0]
        self._input = self.session.get_inputs()[0].name
        self._lock = threading.Lock()
        log.info("music model %s (%s) runs on %s", self.path, self.version, self.provider)

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

