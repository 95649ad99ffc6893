"""Cheap musical descriptors of an analysis window, for the track mood model.

The per-window spectrogram model learned Spotify's labels, whose valence is not what listeners
call happy or sad (see models/music_track.md). What separates sad from serene music in people's
ears is largely harmony and pace: major or minor mode, how clear the key is, tempo and pulse,
brightness and timbre. These descriptors measure that from the STFT the spectrogram recipe has
already computed, so they cost a few matrix products per window and no extra decoding.

Each window gives ``N_DESCRIPTORS`` numbers, in the order of ``NAMES``.
"""
from __future__ import annotations

import numpy as np

from moodplayer.analysis.spectrogram import HOP, N_FFT, N_MELS, SAMPLE_RATE, TABLE_FILES, TABLES_DIR

# Krumhansl-Kessler key profiles (probe-tone ratings, Krumhansl 1990): how well each pitch class
# fits a major or a minor key. The correlation of a window's chroma with them measures mode.
_MAJOR = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88])
_MINOR = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17])
_N_MFCC = 20
_BAND_EDGES_HZ = (0, 200, 400, 800, 1600, 3200, 6400, SAMPLE_RATE / 2)  # spectral-contrast octaves
_FRAMES_PER_S = SAMPLE_RATE / HOP
_TEMPO_LAGS = (int(_FRAMES_PER_S * 60 / 260), int(_FRAMES_PER_S * 60 / 30))  # 260..30 bpm

_SCALARS = ("major_fit", "minor_fit", "major_minus_minor", "pulse_clarity", "tempo_bpm_100",
            "onset_mean", "onset_std", "centroid_khz", "centroid_std_khz", "flatness",
            "log_loudness", "loudness_variation")
NAMES: tuple[str, ...] = (
    _SCALARS
    + tuple(f"chroma_{i}" for i in range(12)) + tuple(f"chroma_std_{i}" for i in range(12))
    + tuple(f"mfcc_{i}" for i in range(_N_MFCC)) + tuple(f"mfcc_std_{i}" for i in range(_N_MFCC))
    + tuple(f"contrast_{i}" for i in range(len(_BAND_EDGES_HZ) - 1))
    + tuple(f"contrast_std_{i}" for i in range(len(_BAND_EDGES_HZ) - 1))
)
N_DESCRIPTORS = len(NAMES)

_cache: dict[str, np.ndarray] = {}


def _tables() -> dict[str, np.ndarray]:
    """Chroma filterbank (librosa's, saved at development time), key profiles, DCT, band groups."""
    if not _cache:
        def rolled(profile: np.ndarray) -> np.ndarray:
            p = np.stack([np.roll(profile, k) for k in range(12)])
            return (p - p.mean(1, keepdims=True)) / p.std(1, keepdims=True)

        mel_basis = np.load(TABLES_DIR / TABLE_FILES["mel_basis"])
        freqs = np.linspace(0, SAMPLE_RATE / 2, N_FFT // 2 + 1)
        mel_centre = (mel_basis * freqs).sum(1) / mel_basis.sum(1)  # each mel band's centre in Hz
        _cache.update(
            chroma=np.load(TABLES_DIR / TABLE_FILES["chroma"]).astype(np.float32).T.copy(),
            major=rolled(_MAJOR).T.copy(), minor=rolled(_MINOR).T.copy(),
            dct=np.cos(np.pi / N_MELS * (np.arange(N_MELS) + 0.5)[:, None]
                       * np.arange(_N_MFCC)[None, :]).astype(np.float32),
            centre_khz=(mel_centre / 1000).astype(np.float32),
            bands=[slice(int(np.searchsorted(mel_centre, a)), int(np.searchsorted(mel_centre, b)))
                   for a, b in zip(_BAND_EDGES_HZ[:-1], _BAND_EDGES_HZ[1:])],
        )
    return _cache


def _tempo(onset: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pulse clarity (autocorrelation peak, 0..1) and tempo (bpm / 100) of onset curves [K, T]."""
    centred = onset - onset.mean(1, keepdims=True)
    n = centred.shape[1]
    spec = np.fft.rfft(centred, 2 * n, axis=1)
    ac = np.fft.irfft(spec.real ** 2 + spec.imag ** 2, axis=1)[:, :n]
    ac /= ac[:, :1] + 1e-9
    lo, hi = _TEMPO_LAGS
    lag = lo + np.argmax(ac[:, lo:hi + 1], axis=1)
    return ac[np.arange(len(ac)), lag], _FRAMES_PER_S * 60 / lag / 100.0


def window_descriptors(spec: np.ndarray, mel: np.ndarray) -> np.ndarray:
    """STFT [K,T,513] (``spectrogram.stft``) and mel power [K,128,T] -> float32 [K, N_DESCRIPTORS]."""
    t = _tables()
    power = spec.real ** 2 + spec.imag ** 2                       # [K,T,513]
    mel = np.ascontiguousarray(np.swapaxes(mel, 1, 2))            # [K,T,128]
    log_mel = np.log(mel + 1e-9)

    k_, n_ = power.shape[:2]
    chroma = (power.reshape(k_ * n_, -1) @ t["chroma"]).reshape(k_, n_, 12)  # 2-D products: BLAS
    chroma /= chroma.max(axis=2, keepdims=True) + 1e-9
    mean_chroma = chroma.mean(1)
    z = (mean_chroma - mean_chroma.mean(1, keepdims=True)) / (mean_chroma.std(1, keepdims=True) + 1e-9)
    major, minor = (z @ t["major"]).max(1) / 12, (z @ t["minor"]).max(1) / 12

    onset = np.maximum(0.0, np.diff(log_mel, axis=1)).mean(2)     # spectral flux [K,T-1]
    pulse, tempo = _tempo(onset)
    mfcc = (log_mel.reshape(k_ * n_, -1) @ t["dct"]).reshape(k_, n_, -1)      # [K,T,20]
    total = mel.sum(2) + 1e-9
    centroid = (mel @ t["centre_khz"]) / total
    flatness = np.exp(log_mel.mean(2)) / (mel.mean(2) + 1e-9)
    loud = np.sqrt(total)
    contrast = []
    for band in t["bands"]:                                       # peak vs valley per octave
        b = np.sort(log_mel[:, :, band], axis=2)  # a band is a contiguous run of mel bins
        k = max(1, b.shape[2] // 5)
        contrast.append(b[:, :, -k:].mean(2) - b[:, :, :k].mean(2))
    contrast = np.stack(contrast, 2)                              # [K,T,7]
    loud_mean = loud.mean(1)
    scalars = np.stack([major, minor, major - minor, pulse, tempo, onset.mean(1), onset.std(1),
                        centroid.mean(1), centroid.std(1), flatness.mean(1), np.log(loud_mean + 1e-9),
                        loud.std(1) / (loud_mean + 1e-9)], axis=1)
    out = np.concatenate([scalars, mean_chroma, chroma.std(1), mfcc.mean(1), mfcc.std(1),
                          contrast.mean(1), contrast.std(1)], axis=1).astype(np.float32)
    return np.nan_to_num(out, nan=0.0, posinf=0.0, neginf=0.0)
