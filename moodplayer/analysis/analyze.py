"""Analyse one audio file: windows -> spectrogram images + descriptors -> track mood model -> moods.

The result is a plain dict (JSON-ready) so the CLI, the background service and the database all
share one shape. A file that cannot be analysed gives ``{"path", "error"}`` instead of raising, so
one bad file never stops a batch.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from moodplayer.analysis.decode import DecodeError, decode_windows
from moodplayer.analysis.features import window_inputs
from moodplayer.analysis.mood_model import ModelError, MoodModel
from moodplayer.analysis.moods import mood_distribution

DEFAULT_WINDOWS = 8


def analyze_windows(windows: np.ndarray, model: MoodModel) -> tuple[np.ndarray, np.ndarray]:
    """[K,130560] waveforms in time order -> (track (valence, arousal), per-window [K,2])."""
    return model.predict(*window_inputs(windows))


def analyze_file(path: str | Path, model: MoodModel, n_windows: int = DEFAULT_WINDOWS) -> dict[str, Any]:
    """The track's valence/arousal, the per-window timeline and a mood distribution.

    A model failure raises ModelError (it concerns every file, not this one); anything wrong with
    the file itself comes back as ``{"path", "error"}``.
    """
    path = Path(path)
    try:
        windows, starts, duration = decode_windows(path, n_windows)
        track, va = analyze_windows(windows, model)
    except DecodeError as exc:
        return {"path": str(path), "error": str(exc)}
    except ModelError:
        raise
    except Exception as exc:  # noqa: BLE001 - a batch must survive any single file
        return {"path": str(path), "error": f"{path}: {type(exc).__name__}: {exc}"}
    return {
        "path": str(path),
        "valence": round(float(track[0]), 4),
        "arousal": round(float(track[1]), 4),
        "windows": [{"start": round(float(s), 2), "valence": round(float(v), 4), "arousal": round(float(a), 4)}
                    for s, (v, a) in zip(starts, va)],
        "moods": mood_distribution(va),
        "duration": round(float(duration), 2),
        "model_version": model.version,
    }
