"""musicnn as a teacher for the track model: its features of clips and of the app's windows.

musicnn (Pons & Serra, ISC licence; MSD_musicnn, trained on the Million Song Dataset's tags) is a
strong frozen description of music, but at about 0.1 s of CPU per 3-s patch it is too slow for the
app. Here it only teaches: a logistic regression on its features, fitted on q4_val's training
clips, labels unlabelled music (``moodplayer.train.unlabelled``) with soft targets that the fast
track model learns from beside the human labels.

The ONNX file comes from ``moodplayer.train.musicnn_export`` (run once, in a throwaway venv).
Its front end: 16 kHz mono, 512-point periodic Hann STFT, hop 256, centred, power 2, 96 Slaney
mel bands, log10(10000 x + 1) in float32, 187-frame (3 s) patches.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

SR, N_FFT, HOP, N_MELS, PATCH = 16000, 512, 256, 96, 187


@lru_cache(maxsize=1)
def _tables() -> tuple[np.ndarray, np.ndarray]:
    import librosa

    window = (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(N_FFT) / N_FFT)).astype(np.float32)
    return window, librosa.filters.mel(sr=SR, n_fft=N_FFT, n_mels=N_MELS).astype(np.float32)


def log_mel(y16: np.ndarray) -> np.ndarray:
    """16 kHz waveform -> [T, 96] musicnn input frames."""
    window, mel = _tables()
    y = np.pad(np.asarray(y16, np.float32), N_FFT // 2)
    frames = np.lib.stride_tricks.sliding_window_view(y, N_FFT)[::HOP]
    spec = np.fft.rfft(frames * window, axis=1)
    power = (spec.real ** 2 + spec.imag ** 2).astype(np.float32)
    return np.log10(10000.0 * (power @ mel.T) + 1.0).astype(np.float32)


class Teacher:
    """musicnn's penultimate layer (200) and tags (50) per patch, averaged as the caller asks."""

    def __init__(self, path: str | Path, clip_patches: int = 4) -> None:
        from moodplayer.onnx_session import create_session

        self.path = Path(path)
        self.clip_patches = clip_patches   # of_clip's default; 0: every 3 s of the clip
        self.session = create_session(self.path, what="musicnn teacher", use_gpu=False, threads=1)

    def _run(self, patches: np.ndarray) -> np.ndarray:
        tags, pen = self.session.run(["taggram", "penultimate"], {"logmel": patches})
        return np.concatenate([pen, tags], axis=1)

    def of_windows(self, windows: np.ndarray, sample_rate: int = 22050) -> np.ndarray:
        """App windows [K, samples] -> [K, 250]: musicnn on the middle 3 s of each window."""
        import soxr

        patches = []
        for w in windows:
            rep = log_mel(soxr.resample(w, sample_rate, SR))
            mid = max(0, (len(rep) - PATCH) // 2)
            patches.append(rep[mid:mid + PATCH])
        return self._run(np.stack(patches))

    def of_clip(self, path: str | Path, patches: int | None = None) -> np.ndarray:
        """A whole clip -> [250]: the mean over ``patches`` 3-s patches spread evenly across it
        (default: the teacher's ``clip_patches``; 0: every 3 s, not overlapping)."""
        import librosa

        y, _ = librosa.load(str(path), sr=SR, mono=True, res_type="soxr_hq")
        rep = log_mel(y)
        rep = np.pad(rep, ((0, max(0, PATCH - len(rep))), (0, 0)))
        patches = self.clip_patches if patches is None else patches
        patches = patches or len(rep) // PATCH
        starts = np.linspace(0, len(rep) - PATCH, patches).astype(int)
        return self._run(np.stack([rep[s:s + PATCH] for s in starts])).mean(axis=0)


def soft_targets(teacher_x: np.ndarray, labels: np.ndarray, train: np.ndarray, unlabelled_x: np.ndarray) -> np.ndarray:
    """P(positive valence), P(energetic) for unlabelled items from logistic regressions on the
    teacher's features of the training clips only (so a CV fold's test clips teach nothing)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    out = []
    for j in range(labels.shape[1]):
        clf = make_pipeline(StandardScaler(), LogisticRegression(C=0.003, max_iter=5000))
        clf.fit(teacher_x[train], labels[train, j] > 0.5)
        out.append(clf.predict_proba(unlabelled_x)[:, 1])
    return np.stack(out, axis=1).astype(np.float32)
