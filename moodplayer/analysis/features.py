"""What the music models read from a track's windows: spectrogram images and descriptors.

One STFT per window feeds both the recipe's image (the per-window model's input) and the
descriptors (the track model's second input); training imports this too, so the app and the
training data never drift apart.
"""
from __future__ import annotations

import numpy as np

from moodplayer.analysis.descriptors import window_descriptors
from moodplayer.analysis.spectrogram import WINDOW, mel_power, power_to_image, stft


def window_inputs(windows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """[K, WINDOW] waveforms (already ``fit_window``'ed) -> (uint8 images [K,128,256], float32 [K,D])."""
    batch = np.asarray(windows, dtype=np.float32).reshape(-1, WINDOW)
    spec = stft(batch)
    power = mel_power(batch, spec)
    images = np.stack([power_to_image(p) for p in power])
    return images, window_descriptors(spec, power)
