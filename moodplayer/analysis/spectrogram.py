"""The spectrogram recipe, a contract with the training data: waveform -> uint8 image 128x256.

1. decode, mono, resample to 22050 Hz;
2. take a window of WINDOW = 130560 samples (255 x 512, about 5.92 s);
3. Slaney mel power spectrogram: n_fft 1024, hop 512, 128 mels, power 2, Hann, centred: 256 frames;
4. ``log(M + 1e-9)``, per-image min-max to 0..255, ``astype(uint8)`` (truncating, not rounding);
5. flip vertically (low frequencies in the bottom row), then invert (``255 - img``: dark = energy).

The model's input is that image / 255 as float32, shape [N, 1, 128, 256].

Training images in ``../shared/data/spotify_mel`` were made this way; the app must feed the model
exactly the same kind of image, so this is the only implementation and training imports it too.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

SAMPLE_RATE = 22050
N_FFT = 1024
HOP = 512
N_MELS = 128
N_FRAMES = 256
WINDOW = HOP * (N_FRAMES - 1)  # 130560 samples, ~5.92 s
IMAGE_SHAPE = (N_MELS, N_FRAMES)


TABLES_DIR = Path(__file__).resolve().parent / "data"
TABLE_FILES = {"window": "spectrogram_window.npy", "mel_basis": "spectrogram_mel.npy",
               "chroma": "spectrogram_chroma.npy"}
_tables: tuple[np.ndarray, np.ndarray] | None = None


def _load_tables() -> tuple[np.ndarray, np.ndarray]:
    """The Hann window (float64) and Slaney mel filterbank (float32 [128, 513]) of the recipe.

    They are librosa's own tables, saved by ``moodplayer.train.spectrogram_tables``: the app does
    the arithmetic with numpy in librosa's order and dtypes, so it needs neither librosa nor numba.
    """
    global _tables
    if _tables is None:
        d = TABLES_DIR
        _tables = (np.load(d / TABLE_FILES["window"]), np.load(d / TABLE_FILES["mel_basis"]))
    return _tables


def stft(y: np.ndarray) -> np.ndarray:
    """complex64 STFT [K, frames, 513] of windows [K, samples] (Hann 1024, hop 512, centred, zero padded).

    Shared by the mel image and the track descriptors (``moodplayer.analysis.descriptors``), so the
    costliest step of the analysis runs once per window.
    """
    window, _ = _load_tables()
    y = np.asarray(y, dtype=np.float32)
    batch = y.reshape(-1, y.shape[-1])
    padded = np.pad(batch, ((0, 0), (N_FFT // 2, N_FFT // 2)))
    frames = np.lib.stride_tricks.sliding_window_view(padded, N_FFT, axis=-1)[:, ::HOP, :]
    # float64 windowed frames -> complex128 FFT -> stored as complex64, as librosa.stft does
    return np.fft.rfft(frames * window, axis=-1).astype(np.complex64)


def mel_power(y: np.ndarray, spec: np.ndarray | None = None) -> np.ndarray:
    """Slaney mel power spectrogram (n_fft 1024, hop 512, 128 mels, Hann, centred, zero padded)
    of one window or a batch [K, WINDOW]: float32 [128, 256] or [K, 128, 256]. ``spec`` is the
    windows' ``stft`` when the caller has it already.

    Same operations, dtypes and memory layout as ``librosa.feature.melspectrogram``, so the
    result is bit-identical (tests/test_spectrogram.py proves it against librosa).
    """
    _, mel_basis = _load_tables()
    y = np.asarray(y, dtype=np.float32)
    spec = stft(y) if spec is None else spec
    out = np.empty((len(spec), N_MELS, spec.shape[1]), dtype=np.float32)
    for k in range(len(spec)):
        power = np.abs(spec[k].T) ** 2.0  # [513, frames], Fortran order like librosa's STFT matrix
        out[k] = np.einsum("...ft,mf->...mt", power, mel_basis, optimize=True)
    return out if y.ndim > 1 else out[0]


def fit_window(y: np.ndarray) -> np.ndarray:
    """Return exactly WINDOW samples: longer input is cut, shorter input is looped then cut.

    Looping (rather than zero padding) keeps a short clip's spectral character over the whole
    image instead of adding a block of silence the model never saw in training.
    """
    y = np.asarray(y, dtype=np.float32).reshape(-1)
    if y.size >= WINDOW:
        return y[:WINDOW]
    if y.size == 0:
        return np.zeros(WINDOW, dtype=np.float32)
    reps = int(np.ceil(WINDOW / y.size))
    return np.tile(y, reps)[:WINDOW]


def power_to_image(m: np.ndarray) -> np.ndarray:
    """Steps 4-5 of the recipe: log, per-image min-max to 0..255 (truncating), flip, invert."""
    log = np.log(m + 1e-9)
    lo, hi = float(log.min()), float(log.max())
    if not np.isfinite(lo) or not np.isfinite(hi) or hi - lo <= 0.0:
        scaled = np.zeros_like(log)  # silence: a flat image rather than a division by zero
    else:
        scaled = (log - lo) / (hi - lo) * 255.0
    img = scaled.astype(np.uint8)
    return 255 - img[::-1, :]


def waveform_to_image(y: np.ndarray) -> np.ndarray:
    """Mono 22050 Hz waveform window -> uint8 image [128, 256] (dark = energy, low bins at bottom)."""
    img = power_to_image(mel_power(fit_window(y)))
    assert img.shape == IMAGE_SHAPE, img.shape
    return np.ascontiguousarray(img)


def waveforms_to_images(windows: np.ndarray) -> np.ndarray:
    """[K, WINDOW] waveforms (already fit_window'ed) -> uint8 images [K, 128, 256], one FFT batch."""
    power = mel_power(np.asarray(windows, dtype=np.float32).reshape(-1, WINDOW))
    return np.stack([power_to_image(p) for p in power])


def image_to_input(images: np.ndarray) -> np.ndarray:
    """uint8 images [N,128,256] -> model input float32 [N,1,128,256] scaled to 0..1."""
    images = np.asarray(images)
    if images.ndim == 2:
        images = images[None]
    return (images.astype(np.float32) / 255.0)[:, None, :, :]
