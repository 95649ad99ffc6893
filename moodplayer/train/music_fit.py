"""One training run of a valence/arousal regressor, its evaluation, and the experiment configs.

Every run is seeded and uses a fixed number of epochs (no early stopping on the validation fold,
which would leak it into the estimate).
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from moodplayer.analysis.spectrogram import image_to_input
from moodplayer.train.music_data import Augment
from moodplayer.train.music_models import ARCHITECTURES

DIMS = ("valence", "arousal")


@dataclass(frozen=True)
class Config:
    """An experiment: an architecture, its size, augmentation and schedule."""

    name: str
    arch: str
    kwargs: dict = field(default_factory=dict)
    augment: Augment | None = None
    epochs: int = 20
    lr: float = 2e-3
    weight_decay: float = 1e-4
    batch: int = 32
    note: str = ""

    def build(self) -> nn.Module:
        return ARCHITECTURES[self.arch](**self.kwargs)


PAPER_WIDTHS = (8, 16, 32, 32)
CONFIGS: dict[str, Config] = {c.name: c for c in (
    Config("cnn", "cnn", {"widths": PAPER_WIDTHS}, note="paper baseline: CNN + dense"),
    Config("lstm", "lstm", {}, note="paper baseline: LSTM over spectrogram frames"),
    Config("cnn_lstm", "cnn_lstm", {"widths": PAPER_WIDTHS}, note="paper CNN-LSTM hybrid"),
    Config("crnn_bigru_aug", "crnn_bigru", {"widths": (12, 24, 48, 64)}, Augment(), epochs=30,
           note="ours: CRNN, bidirectional GRU, mean+max time pooling, SpecAugment/roll/noise"),
)}


def metrics(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, dict[str, float]]:
    """Per-dimension MSE, RMSE, MAE and R² (coefficient of determination), plus their mean."""
    out: dict[str, dict[str, float]] = {}
    for j, dim in enumerate(DIMS):
        err = y_pred[:, j].astype(np.float64) - y_true[:, j]
        mse = float(np.mean(err ** 2))
        var = float(np.var(y_true[:, j]))
        out[dim] = {"mse": mse, "rmse": math.sqrt(mse), "mae": float(np.mean(np.abs(err))),
                    "r2": 1.0 - mse / var if var > 0 else float("nan")}
    out["mean"] = {k: float(np.mean([out[d][k] for d in DIMS])) for k in out[DIMS[0]]}
    return out


def predict(model: nn.Module, images: np.ndarray, batch: int = 128) -> np.ndarray:
    """Model outputs for uint8 images [N,128,256] (eval mode, no gradients)."""
    model.eval()
    outs = []
    with torch.no_grad():
        for i in range(0, len(images), batch):
            outs.append(model(torch.from_numpy(image_to_input(images[i:i + batch]))).numpy())
    return np.concatenate(outs) if outs else np.zeros((0, 2), np.float32)


def train(cfg: Config, images: np.ndarray, labels: np.ndarray, seed: int,
          max_batches: int | None = None, log=print) -> nn.Module:
    """Train one model from scratch: AdamW, one-cycle cosine schedule, MSE loss."""
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    model = cfg.build()
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    steps_per_epoch = math.ceil(len(images) / cfg.batch)
    if max_batches is not None:
        steps_per_epoch = min(steps_per_epoch, max_batches)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=cfg.lr, total_steps=cfg.epochs * steps_per_epoch,
                                                pct_start=0.15)
    y_all = torch.from_numpy(labels)
    loss_fn = nn.MSELoss()
    for epoch in range(cfg.epochs):
        model.train()
        t0, total, seen = time.time(), 0.0, 0
        order = torch.randperm(len(images), generator=gen).numpy()
        for step in range(steps_per_epoch):
            idx = np.sort(order[step * cfg.batch:(step + 1) * cfg.batch])
            if len(idx) < 2:  # BatchNorm needs more than one item
                continue
            x = torch.from_numpy(image_to_input(images[idx]))
            if cfg.augment is not None:
                x = cfg.augment(x, gen)
            loss = loss_fn(model(x), y_all[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item() * len(idx)
            seen += len(idx)
        log(f"  epoch {epoch + 1}/{cfg.epochs} loss {total / max(seen, 1):.4f} ({time.time() - t0:.1f}s)")
    model.eval()
    return model
