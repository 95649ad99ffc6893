"""basic-pitch as a teacher front end: tonal features (key, mode, pitch classes, polyphony).

musicnn hears timbre and texture well but says little about harmony, and harmony is what tells
sad from serene music. basic-pitch (Spotify, Apache-2.0) is a small note transcriber; its wheel
ships the network as ONNX (``basic_pitch/saved_models/icassp_2022/nmp.onnx``, 230 KB). Its note
posteriors give a pitch-class profile, and Krumhansl's key profiles turn that into key clarity and
major/minor evidence. At about 77 ms of CPU per 2-s window it is too slow for the app, so like
musicnn it only teaches (``moodplayer.train.track_teacher``).

Input: [N, 43844, 1] float32, mono 22050 Hz (2 s); outputs contour [N,172,264], note [N,172,88]
(MIDI 21..108) and onset [N,172,88] posteriors.
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np

SR, N_SAMPLES = 22050, 43844
VERSION = "0.4.0"
MEMBER = "basic_pitch/saved_models/icassp_2022/nmp.onnx"
N_TONAL = 18
# Krumhansl-Kessler probe-tone profiles, tonic first
MAJOR = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88])
MINOR = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17])


def fetch_model(cache: Path) -> Path:
    """``cache``/nmp.onnx, taken from the basic-pitch wheel (pip download, no install) the first time."""
    target = Path(cache) / "nmp.onnx"
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="basic-pitch-wheel-") as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", f"basic-pitch=={VERSION}", "--no-deps",
                        "--only-binary=:all:", "--quiet", "-d", tmp], check=True, timeout=600)
        wheel = next(Path(tmp).glob("basic_pitch-*.whl"))
        with zipfile.ZipFile(wheel) as z:
            part = target.with_suffix(".part")
            part.write_bytes(z.read(MEMBER))
            part.replace(target)
    return target


def _key_fit(pcp: np.ndarray, profile: np.ndarray) -> np.ndarray:
    """Pearson correlation of each profile [n,12] with ``profile`` rotated to each tonic -> [n,12]."""
    rolled = np.stack([np.roll(profile, t) for t in range(12)])
    rolled = (rolled - rolled.mean(1, keepdims=True)) / rolled.std(1, keepdims=True)
    x = (pcp - pcp.mean(1, keepdims=True)) / (pcp.std(1, keepdims=True) + 1e-9)
    return x @ rolled.T / 12.0


def tonal(note: np.ndarray, onset: np.ndarray) -> np.ndarray:
    """Posterior frames [T,88] of one excerpt -> 18 features: best major fit, best minor fit, their
    difference, the pitch-class profile rotated to the best key (12), mean polyphony, onset mass,
    share of onset frames."""
    pcp = np.zeros(12)
    np.add.at(pcp, (21 + np.arange(88)) % 12, note.mean(0))
    pcp = (pcp / (pcp.sum() + 1e-9))[None]
    major, minor = _key_fit(pcp, MAJOR)[0], _key_fit(pcp, MINOR)[0]
    key = int(np.argmax(np.maximum(major, minor)))
    return np.concatenate([[major.max(), minor.max(), major.max() - minor.max()], np.roll(pcp[0], -key),
                           [(note > 0.5).sum(1).mean(), onset.mean(0).sum(), (onset > 0.5).sum() / len(onset)]]
                          ).astype(np.float32)


class PitchTeacher:
    """basic-pitch's tonal description of clips and of the app's windows."""

    def __init__(self, path: str | Path, clip_windows: int = 8) -> None:
        from moodplayer.onnx_session import create_session

        self.path = Path(path)
        self.clip_windows = clip_windows   # 2-s chunks a clip; 0: every 2 s
        self.session = create_session(self.path, what="basic-pitch teacher", use_gpu=False, threads=1)
        self.input = self.session.get_inputs()[0].name
        self.outputs = [o.name for o in self.session.get_outputs()]

    def _posteriors(self, chunks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """[n, 43844] -> note and onset posteriors [n, 172, 88] (contour is not used)."""
        res = dict(zip(self.outputs, self.session.run(None, {self.input: chunks[..., None].astype(np.float32)})))
        return res["StatefulPartitionedCall:1"], res["StatefulPartitionedCall:2"]

    def of_windows(self, windows: np.ndarray, sample_rate: int = 22050) -> np.ndarray:
        """App windows [K, samples] at 22050 Hz -> [K, 18], each from its 2-s chunks (the last padded)."""
        if sample_rate != SR:
            raise ValueError(f"basic-pitch needs {SR} Hz windows, got {sample_rate}")
        per = -(-windows.shape[1] // N_SAMPLES)
        padded = np.pad(windows, ((0, 0), (0, per * N_SAMPLES - windows.shape[1])))
        note, onset = self._posteriors(padded.reshape(-1, N_SAMPLES))
        note, onset = note.reshape(len(windows), -1, 88), onset.reshape(len(windows), -1, 88)
        return np.stack([tonal(n, o) for n, o in zip(note, onset)])

    def of_clip(self, path: str | Path) -> np.ndarray:
        """A whole clip -> [18], from ``clip_windows`` 2-s chunks spread evenly across it (0: all)."""
        import librosa

        y, _ = librosa.load(str(path), sr=SR, mono=True, res_type="soxr_hq")
        y = np.pad(y, (0, max(0, N_SAMPLES - len(y))))
        starts = np.linspace(0, len(y) - N_SAMPLES, self.clip_windows or len(y) // N_SAMPLES).astype(int)
        note, onset = self._posteriors(np.stack([y[s:s + N_SAMPLES] for s in starts]))
        return tonal(note.reshape(-1, 88), onset.reshape(-1, 88))
