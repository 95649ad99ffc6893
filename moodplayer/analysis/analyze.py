"""Analyse one audio file: windows -> spectrogram images -> model -> valence/arousal and moods.

The result is a plain dict (JSON-ready) so the CLI, the background service and the database all
share one shape. A file that cannot be analysed gives ``{"path", "error"}`` instead of raising, so
one bad file never stops a batch.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from moodplayer.analysis.decode import DecodeError, decode_windows
from moodplayer.analysis.moods import mood_distribution
from moodplayer.analysis.music_model import MusicModel
from moodplayer.analysis.spectrogram import waveforms_to_images

DEFAULT_WINDOWS = 8


def analyze_windows(windows: np.ndarray, model: MusicModel) -> np.ndarray:
    """[K,130560] waveforms -> [K,2] (valence, arousal)."""
    return model.predict(waveforms_to_images(windows))


def analyze_file(path: str | Path, model: MusicModel, n_windows: int = DEFAULT_WINDOWS) -> dict[str, Any]:
    """Valence/arousal (mean over windows), the per-window timeline and a mood distribution."""
    path = Path(path)
    try:
        windows, starts, duration = decode_windows(path, n_windows)
        va = analyze_windows(windows, model)
    except DecodeError as exc:
        return {"path": str(path), "error": str(exc)}
    except Exception as exc:  # noqa: BLE001 - a batch must survive any single file
        return {"path": str(path), "error": f"{path}: {type(exc).__name__}: {exc}"}
    mean = va.mean(axis=0)
    return {
        "path": str(path),
        "valence": round(float(mean[0]), 4),
        "arousal": round(float(mean[1]), 4),
        "windows": [{"start": round(float(s), 2), "valence": round(float(v), 4), "arousal": round(float(a), 4)}
                    for s, (v, a) in zip(starts, va)],
        "moods": mood_distribution(va),
        "duration": round(float(duration), 2),
        "model_version": model.version,
    }
