"""q4_val as training data for the track mood model: windows, descriptors and folds, cached.

q4_val (``../shared/data/q4_val``) holds 452 real 30-s clips, each labelled by people with a
quadrant of Russell's circumplex (Q1 excited, Q2 tense, Q3 sad, Q4 serene). For every clip this
module computes, once, what the app computes for a track:

- *train* windows: a dense grid (every ~1.5 s) of recipe windows, for augmentation;
- *eval* windows: exactly the windows the app analyses, through the app's own decoder;

each as its spectrogram image (uint8) and its descriptors. The cache lives outside the
repository (``--cache``) and is keyed by a hash of the recipe's code, so a change re-computes it.
"""
from __future__ import annotations

import csv
import hashlib
import inspect
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

QUADRANTS = ("Q1", "Q2", "Q3", "Q4")  # excited, tense, sad, serene
DEFAULT_Q4 = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "q4_val"
DEFAULT_CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "moodplayer" / "train"
TRAIN_HOP_S = 2.96  # half a window: overlapping windows give many different window sets per clip


@dataclass
class ClipSet:
    """Per-clip window features; ``*_clip`` maps each window row to its clip index."""

    files: list[str]
    quadrant: np.ndarray          # int [n] 0..3 (Q1..Q4)
    train_images: np.ndarray      # uint8 [W,128,256]
    train_desc: np.ndarray        # float32 [W,D]
    train_clip: np.ndarray        # int [W]
    eval_images: np.ndarray
    eval_desc: np.ndarray
    eval_clip: np.ndarray

    @property
    def valence(self) -> np.ndarray:
        """1 for the positive quadrants (Q1 excited, Q4 serene)."""
        return np.isin(self.quadrant, (0, 3)).astype(np.float32)

    @property
    def arousal(self) -> np.ndarray:
        """1 for the energetic quadrants (Q1 excited, Q2 tense)."""
        return np.isin(self.quadrant, (0, 1)).astype(np.float32)


def read_labels(root: Path = DEFAULT_Q4, limit: int | None = None) -> tuple[list[str], np.ndarray]:
    """(clip paths relative to root, quadrant index) in labels.csv order."""
    with open(root / "labels.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    if limit:  # a smoke run: a few clips of every quadrant
        per = max(1, limit // 4)
        rows = [r for q in QUADRANTS for r in [r for r in rows if r["quadrant"] == q][:per]]
    return [r["file"] for r in rows], np.array([QUADRANTS.index(r["quadrant"]) for r in rows])


def stratified_folds(quadrant: np.ndarray, folds: int = 5, seed: int = 0) -> np.ndarray:
    """Fold id per clip, stratified on quadrant (scikit-learn's StratifiedKFold, shuffled, seeded)."""
    from sklearn.model_selection import StratifiedKFold

    out = np.zeros(len(quadrant), dtype=int)
    split = StratifiedKFold(folds, shuffle=True, random_state=seed).split(np.zeros(len(quadrant)), quadrant)
    for i, (_, test) in enumerate(split):
        out[test] = i
    return out


def _dense_windows(path: Path) -> np.ndarray:
    """Every TRAIN_HOP_S a recipe window over the whole clip (decoded whole at 22050 Hz mono, soxr HQ
    resampling as in the app)."""
    import librosa

    from moodplayer.analysis.spectrogram import SAMPLE_RATE, WINDOW, fit_window

    y, _ = librosa.load(str(path), sr=SAMPLE_RATE, mono=True, res_type="soxr_hq")
    if len(y) <= WINDOW:
        return fit_window(y)[None]
    hop = int(TRAIN_HOP_S * SAMPLE_RATE)
    return np.stack([y[a:a + WINDOW] for a in range(0, len(y) - WINDOW + 1, hop)])


def _recipe_hash() -> str:
    from moodplayer.analysis import descriptors, features, spectrogram

    h = hashlib.sha1()
    for mod in (descriptors, features, spectrogram):
        h.update(inspect.getsource(mod).encode())
    h.update(f"{TRAIN_HOP_S}".encode())
    return h.hexdigest()[:12]


def load_clips(root: Path = DEFAULT_Q4, cache: Path | None = DEFAULT_CACHE, limit: int | None = None,
               log=print) -> ClipSet:
    """Compute (or load from the cache) every clip's train and eval windows."""
    from moodplayer.analysis.decode import decode_windows
    from moodplayer.analysis.features import window_inputs

    files, quadrant = read_labels(root, limit)
    key = hashlib.sha1(("\n".join(files) + _recipe_hash()).encode()).hexdigest()[:16]
    cached = cache / f"q4_windows_{key}.npz" if cache else None
    if cached and cached.is_file():
        z = np.load(cached)
        return ClipSet(files, quadrant, **{k: z[k] for k in z.files})
    parts: dict[str, list[np.ndarray]] = {k: [] for k in ("train_images", "train_desc", "train_clip",
                                                          "eval_images", "eval_desc", "eval_clip")}
    for i, f in enumerate(files):
        for kind, windows in (("train", _dense_windows(root / f)), ("eval", decode_windows(root / f)[0])):
            images, desc = window_inputs(windows)
            parts[f"{kind}_images"].append(images)
            parts[f"{kind}_desc"].append(desc)
            parts[f"{kind}_clip"].append(np.full(len(images), i))
        if i % 50 == 0:
            log(f"  windows of clip {i + 1}/{len(files)}")
    arrays = {k: np.concatenate(v) for k, v in parts.items()}
    if cached:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(".tmp.npz")
        np.savez(tmp, **arrays)
        tmp.replace(cached)
    return ClipSet(files, quadrant, **arrays)
