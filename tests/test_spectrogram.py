"""The spectrogram recipe (the contract in moodplayer/analysis/spectrogram.py's docstring): the app's image equals a direct librosa computation."""
from __future__ import annotations

from pathlib import Path

import librosa
import numpy as np
import pytest

from moodplayer.analysis import spectrogram as spec
from moodplayer.analysis.decode import decode_windows

SHARED_PNG = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "spotify_mel" / "png"


def reference_image(y: np.ndarray) -> np.ndarray:
    """The recipe written out step by step from that docstring, independently of the module under test."""
    m = librosa.feature.melspectrogram(y=y.astype(np.float32), sr=22050, n_fft=1024, hop_length=512, n_mels=128,
                                       htk=False, norm="slaney", power=2.0, window="hann", center=True)
    log = np.log(m + 1e-9)
    img = ((log - log.min()) / (log.max() - log.min()) * 255.0).astype(np.uint8)
    return 255 - np.flipud(img)


def test_real_music_window_matches_reference(media):
    windows, starts, _ = decode_windows(media.formats["flac"], n_windows=3)
    assert windows.shape == (3, spec.WINDOW) and windows.dtype == np.float32
    for w in windows:
        ours = spec.waveform_to_image(w)
        assert ours.dtype == np.uint8 and ours.shape == (128, 256)
        np.testing.assert_array_equal(ours, reference_image(w))
        # the training PNGs' signature: one pixel at 0 (the loudest bin), white 255 somewhere
        assert ours.min() == 0 and ours.max() == 255 and (ours == 0).sum() >= 1
        # low frequencies (bottom rows) carry more energy, so they are darker than the top rows
        assert ours[-16:].mean() < ours[:16].mean()


def test_noise_matches_reference():
    y = np.random.default_rng(0).standard_normal(spec.WINDOW).astype(np.float32) * 0.1
    np.testing.assert_array_equal(spec.waveform_to_image(y), reference_image(y))


def test_silence_gives_a_flat_image_without_nan():
    img = spec.waveform_to_image(np.zeros(spec.WINDOW, np.float32))
    assert img.shape == (128, 256) and np.all(img == img.flat[0])
    x = spec.image_to_input(img)
    assert x.shape == (1, 1, 128, 256) and x.dtype == np.float32 and np.isfinite(x).all()


def test_short_input_is_looped_to_a_full_window():
    rng = np.random.default_rng(1)
    clip = rng.standard_normal(22050).astype(np.float32)  # one second
    full = spec.fit_window(clip)
    assert full.shape == (spec.WINDOW,)
    np.testing.assert_array_equal(full[22050:44100], clip)
    np.testing.assert_array_equal(spec.waveform_to_image(clip), reference_image(full))
    assert spec.fit_window(np.zeros(0)).shape == (spec.WINDOW,)


@pytest.mark.skipif(not SHARED_PNG.is_dir(), reason="training data not beside the repository")
def test_training_pngs_have_the_recipe_signature():
    from PIL import Image

    for p in sorted(SHARED_PNG.glob("*.png"))[:50]:
        img = np.array(Image.open(p))
        assert img.shape == (128, 256) and img.dtype == np.uint8
        assert img.min() == 0 and img.max() == 255 and (img == 0).sum() == 1  # one maximum bin, truncated
        assert img[-16:].mean() < img[:16].mean()  # low frequencies at the bottom
