"""The Spotify mel-spectrogram data set: loading (with a /tmp cache), folds and augmentation.

The PNGs are decoded once into a uint8 array cached outside the repository, because decoding 1622
images on every cross-validation run would waste the little CPU the machine has.
"""
from __future__ import annotations

import csv
import hashlib
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from moodplayer.analysis.spectrogram import IMAGE_SHAPE

DEFAULT_DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "spotify_mel"


@dataclass
class MelDataset:
    ids: list[str]
    images: np.ndarray  # uint8 [N,128,256]
    labels: np.ndarray  # float32 [N,2] = (valence, arousal=energy)


def _read_labels(data_dir: Path) -> tuple[list[str], np.ndarray]:
    with open(data_dir / "labels.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    ids = [r["id"] for r in rows]
    labels = np.array([[float(r["valence"]), float(r["energy"])] for r in rows], dtype=np.float32)
    return ids, labels


def _read_png(path: Path) -> np.ndarray:
    from PIL import Image  # the [train] extra; the app never reads PNGs

    with Image.open(path) as im:
        arr = np.array(im.convert("L"))
    if arr.shape != IMAGE_SHAPE:
        raise ValueError(f"{path}: image is {arr.shape}, expected {IMAGE_SHAPE}")
    return arr


def load_dataset(data_dir: Path = DEFAULT_DATA, limit: int | None = None,
                 cache_dir: Path | None = None) -> MelDataset:
    """All labelled images in labels.csv order; cached as .npy under the temp dir (never the repo)."""
    data_dir = Path(data_dir).resolve()
    ids, labels = _read_labels(data_dir)
    if limit is not None:
        ids, labels = ids[:limit], labels[:limit]
    key = hashlib.sha1(("\n".join(ids) + str(data_dir)).encode()).hexdigest()[:12]
    cache = Path(cache_dir or tempfile.gettempdir()) / f"moodplayer_mel_{key}.npy"
    if cache.exists():
        images = np.load(cache)
        if images.shape == (len(ids), *IMAGE_SHAPE):
            return MelDataset(ids, images, labels)
    images = np.stack([_read_png(data_dir / "png" / f"{i}.png") for i in ids])
    tmp = cache.with_suffix(".tmp.npy")
    np.save(tmp, images)
    tmp.replace(cache)
    return MelDataset(ids, images, labels)


def kfold_indices(n: int, folds: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Seeded shuffled K-fold (scikit-learn's KFold), so every architecture sees the same splits."""
    from sklearn.model_selection import KFold

    return [(tr, va) for tr, va in KFold(folds, shuffle=True, random_state=seed).split(np.arange(n))]


@dataclass
class Augment:
    """SpecAugment-style masking, random circular time roll, contrast jitter and noise.

    Works on a float batch [B,1,128,256] in 0..1. Rolling in time stands in for picking another
    5.9 s window of the same song (the label is a whole-track label); masks are filled with each
    image's mean so they add no artificial edges of pure white or black.
    """

    time_masks: int = 2
    time_width: int = 32
    freq_masks: int = 2
    freq_width: int = 16
    roll: bool = True
    noise: float = 0.02
    contrast: float = 0.1

    def __call__(self, x: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
        b, _, f, t = x.shape
        x = x.clone()
        if self.roll:
            shifts = torch.randint(0, t, (b,), generator=gen)
            idx = (torch.arange(t)[None, :] + shifts[:, None]) % t
            x = torch.gather(x, 3, idx[:, None, None, :].expand(b, 1, f, t))
        mean = x.mean(dim=(1, 2, 3), keepdim=True)
        if self.contrast > 0:
            scale = 1.0 + (torch.rand(b, 1, 1, 1, generator=gen) * 2 - 1) * self.contrast
            x = (x - mean) * scale + mean
        for axis, n, width, size in ((3, self.time_masks, self.time_width, t), (2, self.freq_masks, self.freq_width, f)):
            for _ in range(n):
                w = torch.randint(0, width + 1, (b,), generator=gen)
                s = (torch.rand(b, generator=gen) * (size - w)).long()
                pos = torch.arange(size)[None, :]
                m = (pos >= s[:, None]) & (pos < (s + w)[:, None])  # [B,size]
                m = m[:, None, :, None] if axis == 2 else m[:, None, None, :]
                x = torch.where(m, mean.expand_as(x), x)
        if self.noise > 0:
            x = x + torch.randn(x.shape, generator=gen) * self.noise
        return x.clamp_(0.0, 1.0)


def near_duplicates(images: np.ndarray, threshold: float = 0.99) -> list[tuple[int, int]]:
    """Pairs of items whose images correlate above ``threshold`` (on 4x4-pooled copies).

    The same recording can appear under two Spotify ids; such pairs split across folds would
    flatter the cross-validation a little, so the card reports how many there are.
    """
    n = len(images)
    small = images.reshape(n, 32, 4, 64, 4).mean(axis=(2, 4)).reshape(n, -1)
    small = small - small.mean(axis=1, keepdims=True)
    small /= np.linalg.norm(small, axis=1, keepdims=True) + 1e-9
    corr = small @ small.T
    i, j = np.nonzero(np.triu(corr, 1) > threshold)
    return list(zip(i.tolist(), j.tolist()))

