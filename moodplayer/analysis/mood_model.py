"""The app's music mood model at run time: ``music_track.onnx`` over a track's windows.

The track model (see models/music_track.md) carries the per-window CNN inside it, so the app runs
one session per process for both the track's (valence, arousal) and its per-window timeline.
``music_va.onnx`` stays beside it as the seed task's per-window model and is the frozen front end
the track model was built from.

The model version that marks which analyses are current is a hash of both files: a retrained
model re-analyses the library by itself, with no constant to edit.
"""
from __future__ import annotations

import hashlib
import logging
import threading
from pathlib import Path

import numpy as np

from moodplayer.analysis.descriptors import N_DESCRIPTORS
from moodplayer.analysis.spectrogram import IMAGE_SHAPE
from moodplayer.onnx_session import ModelError, create_session, first_line, provider
from moodplayer.paths import models_dir

log = logging.getLogger(__name__)
TRACK_FILE = "music_track.onnx"
WINDOW_FILE = "music_va.onnx"
VERSION_FILES = (TRACK_FILE, WINDOW_FILE)

__all__ = ["TRACK_FILE", "ModelError", "MoodModel", "model_version"]


def model_version(directory: str | Path | None = None) -> str:
    """``mood-<hash>`` of the model files' bytes; raises ModelError naming a missing file."""
    directory = Path(directory) if directory else models_dir()
    h = hashlib.sha256()
    for name in VERSION_FILES:
        path = directory / name
        try:
            h.update(path.read_bytes())
        except OSError as exc:
            reason = "not found (set MOODPLAYER_MODELS?)" if not path.exists() else exc.strerror or str(exc)
            raise ModelError(f"{path}: music model {reason}") from exc
    return "mood-" + h.hexdigest()[:12]


class MoodModel:
    """One onnxruntime session over music_track.onnx: windows in, track and per-window mood out."""

    def __init__(self, directory: str | Path | None = None, use_gpu: bool = True, threads: int = 0) -> None:
        directory = Path(directory) if directory else models_dir()
        self.path = directory / TRACK_FILE
        self.version = model_version(directory)
        self.session = create_session(self.path, what="music mood model", use_gpu=use_gpu, threads=threads)
        self.provider: str = provider(self.session)
        self._lock = threading.Lock()
        self.check()
        log.info("music mood model %s (%s) runs on %s", self.path, self.version, self.provider)

    def predict(self, images: np.ndarray, desc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """uint8 images [K,128,256] and descriptors [K,D] of one track's windows in time order ->
        (track (valence, arousal) [2], per-window [K,2]), all in 0..1."""
        images = np.asarray(images)
        if images.ndim != 3 or images.shape[1:] != IMAGE_SHAPE or len(images) == 0:
            raise ValueError(f"expected images [K,{IMAGE_SHAPE[0]},{IMAGE_SHAPE[1]}], got {images.shape}")
        mel = (images.astype(np.float32) / 255.0)[None, :, None]
        feed = {"mel": mel, "desc": np.asarray(desc, dtype=np.float32)[None]}
        try:
            with self._lock:
                track, windows = self.session.run(None, feed)
        except Exception as exc:  # noqa: BLE001 - onnxruntime's own exception types
            raise ModelError(f"{self.path}: the music mood model failed ({first_line(exc)})") from exc
        return track[0], windows[0]

    def check(self) -> None:
        """Run once on a silent window: a file that loads but is not this model fails here, once."""
        try:
            track, windows = self.predict(np.full((1, *IMAGE_SHAPE), 255, np.uint8), np.zeros((1, N_DESCRIPTORS)))
        except (ModelError, ValueError) as exc:
            reason = first_line(exc.__cause__ or exc)
            raise ModelError(f"{self.path}: not the music mood model ({reason})") from exc
        if track.shape != (2,) or windows.shape != (1, 2) or not np.isfinite(track).all():
            raise ModelError(f"{self.path}: not the music mood model (gives {list(track.shape)} "
                             "instead of one valence and one arousal)")
