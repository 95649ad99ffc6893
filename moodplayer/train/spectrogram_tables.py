"""Write moodplayer/analysis/data/spectrogram_{window,mel,chroma}.npy: the recipe's Hann window and
Slaney mel filterbank, and the chroma filterbank of the track descriptors.

    python -m moodplayer.train.spectrogram_tables [--out DIR]

The app computes the recipe with numpy alone (no librosa/numba at run time: faster start, a bundle
~170 MB smaller). These tables are exactly what librosa's melspectrogram uses (scipy's periodic Hann
window, ``librosa.filters.mel`` for sr 22050, n_fft 1024, 128 mels), taken from those libraries
here, at development time, and a test checks the app's images equal librosa's bit for bit.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from moodplayer.analysis.spectrogram import N_FFT, N_MELS, SAMPLE_RATE, TABLE_FILES, TABLES_DIR


def reference_tables() -> dict[str, np.ndarray]:
    import librosa
    import scipy.signal

    return {
        "window": scipy.signal.get_window("hann", N_FFT, fftbins=True).astype(np.float64),
        "mel_basis": librosa.filters.mel(sr=SAMPLE_RATE, n_fft=N_FFT, n_mels=N_MELS).astype(np.float32),
        "chroma": librosa.filters.chroma(sr=SAMPLE_RATE, n_fft=N_FFT).astype(np.float32),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=TABLES_DIR)
    args = ap.parse_args()
    for name, table in reference_tables().items():
        path = args.out / TABLE_FILES[name]
        np.save(path, table)
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
