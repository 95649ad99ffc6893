"""The app's numpy spectrogram path equals librosa's recipe bit for bit, on real music."""
from __future__ import annotations

import librosa
import numpy as np

from moodplayer.analysis import spectrogram as S
from moodplayer.analysis.decode import decode_windows
from moodplayer.train.spectrogram_tables import reference_tables


def test_shipped_tables_are_librosas():
    window, mel = S._load_tables()
    ref = reference_tables()
    assert np.array_equal(window, ref["window"]) and window.dtype == np.float64
    assert np.array_equal(mel, ref["mel_basis"]) and mel.dtype == np.float32


def test_numpy_recipe_is_bit_identical_to_librosa(media):
    windows = np.concatenate([decode_windows(t["path"], 3)[0] for t in media.tracks[::5]])
    windows = np.concatenate([windows, np.zeros((1, S.WINDOW), np.float32)])  # and silence
    ref_power = np.stack([librosa.feature.melspectrogram(y=w, sr=S.SAMPLE_RATE, n_fft=S.N_FFT,
                                                         hop_length=S.HOP, n_mels=S.N_MELS) for w in windows])
    assert np.array_equal(S.mel_power(windows), ref_power)
    ref_images = np.stack([S.power_to_image(p) for p in ref_power])
    assert np.array_equal(S.waveforms_to_images(windows), ref_images)
    assert np.array_equal(S.waveform_to_image(windows[0]), ref_images[0])
    assert ref_images[-1].min() == ref_images[-1].max()  # silence: a flat image, no crash
