"""FER+ loading, vote-distribution targets and batch augmentation for the face expression model.

FER+ gives every face ten votes over ten labels; the last two (unknown, not-a-face) are not
expressions. We train on the normalised distribution over the eight expressions (Barsoum et al.
2016 found that beats majority-vote training) and score with the majority label.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from moodplayer.train.face_model import CLASSES

VOTE_ORDER: tuple[str, ...] = CLASSES + ("unknown", "not_a_face")
DEFAULT_DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "ferplus" / "ferplus.npz"


@dataclass
class Split:
    """One FER+ split restricted to faces whose majority vote is an expression."""

    name: str
    images: np.ndarray  # [N, 48, 48] uint8
    targets: np.ndarray  # [N, 8] float32, rows sum to 1
    labels: np.ndarray  # [N] int64 majority label (first index on ties)
    names: np.ndarray  # [N] original FER+ file names
    dropped: int  # items removed because their majority was unknown / not-a-face


def resolve_data_path(path: str | Path | None) -> Path:
    """The ferplus.npz to read: an explicit file or folder, else ../shared/data beside the repo."""
    p = Path(path) if path else DEFAULT_DATA
    if p.is_dir():
        p = p / "ferplus.npz" if (p / "ferplus.npz").exists() else p / "ferplus" / "ferplus.npz"
    p = p.resolve()
    if not p.is_file():
        raise FileNotFoundError(f"{p}: FER+ archive not found (pass --data PATH to ferplus.npz)")
    return p


def load_split(path: Path, name: str) -> Split:
    """Read one split (Train / Valid / Test) and derive targets and majority labels."""
    with np.load(path) as d:
        x, votes, names = d[f"{name}_X"], d[f"{name}_votes"].astype(np.float32), d[f"{name}_names"]
    majority10 = votes.argmax(axis=1)
    expr = votes[:, : len(CLASSES)]
    keep = (majority10 < len(CLASSES)) & (expr.sum(axis=1) > 0)
    expr = expr[keep]
    return Split(
        name=name,
        images=np.ascontiguousarray(x[keep]),
        targets=(expr / expr.sum(axis=1, keepdims=True)).astype(np.float32),
        labels=expr.argmax(axis=1).astype(np.int64),
        names=names[keep],
        dropped=int((~keep).sum()),
    )


def class_weights(split: Split, power: float = 0.5) -> np.ndarray:
    """Inverse-frequency weights to the given power, scaled so the average sample weight is 1.

    power=0.5 is a compromise: full inverse frequency (power 1) lets 190 disgust faces pull
    against 10 000 neutral ones and costs overall accuracy; 0.5 still lifts the rare classes.
    """
    freq = split.targets.sum(axis=0) / len(split.targets)
    w = np.power(np.maximum(freq, 1e-6), -power)
    return (w / float((freq * w).sum())).astype(np.float32)


def to_tensor(images: np.ndarray) -> torch.Tensor:
    """uint8 [N,48,48] -> float32 [N,1,48,48] in 0..1, the model's input contract."""
    return torch.from_numpy(images).float().div_(255.0).unsqueeze(1)


def augment(x: torch.Tensor, gen: torch.Generator, max_rot_deg: float = 12.0,
            max_shift: float = 0.08, scale: tuple[float, float] = (0.9, 1.1)) -> torch.Tensor:
    """Random flip, rotation, shift, zoom, brightness/contrast/gamma and a small cutout.

    Webcam crops arrive off-centre, tilted and badly lit; the detector box also varies by a few
    pixels from frame to frame. The model standardises each image, so linear brightness/contrast
    mostly matters through clipping; gamma adds the non-linear part.
    """
    n = x.shape[0]
    u = lambda lo, hi: torch.rand(n, generator=gen) * (hi - lo) + lo  # noqa: E731
    ang = u(-max_rot_deg, max_rot_deg) * (math.pi / 180.0)
    s = u(*scale)
    flip = torch.where(torch.rand(n, generator=gen) < 0.5, -1.0, 1.0)
    cos, sin = torch.cos(ang) / s, torch.sin(ang) / s
    theta = torch.stack([
        torch.stack([cos * flip, -sin, u(-max_shift, max_shift) * 2], dim=1),
        torch.stack([sin * flip, cos, u(-max_shift, max_shift) * 2], dim=1),
    ], dim=1)
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    x = F.grid_sample(x, grid, mode="bilinear", padding_mode="border", align_corners=False)
    contrast = u(0.7, 1.3).view(n, 1, 1, 1)
    bright = u(-0.15, 0.15).view(n, 1, 1, 1)
    x = ((x - 0.5) * contrast + 0.5 + bright).clamp_(0.0, 1.0)
    x = x.pow(u(0.7, 1.4).view(n, 1, 1, 1))
    # cutout: one 12x12 grey square on half the images (occlusion by hands, glasses, hair)
    size = x.shape[-1]
    cy = torch.randint(0, size, (n,), generator=gen)
    cx = torch.randint(0, size, (n,), generator=gen)
    rows = torch.arange(size).view(1, size, 1)
    cols = torch.arange(size).view(1, 1, size)
    box = ((rows - cy.view(n, 1, 1)).abs() <= 6) & ((cols - cx.view(n, 1, 1)).abs() <= 6)
    box &= (torch.rand(n, generator=gen) < 0.5).view(n, 1, 1)
    return x.masked_fill(box.unsqueeze(1), 0.5)
