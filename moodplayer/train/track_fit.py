"""Fitting and scoring the track head on q4_val: the training loop, predictions and the five metrics."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from moodplayer.train.track_model import TrackHead, WindowCNN


@dataclass(frozen=True)
class HeadConfig:
    # Small and strongly regularised: 452 clips, and music unlike them (game soundtracks) must not
    # push the outputs to 0 or 1 (a 48/32 head at weight decay 1e-3 did, on the test media)
    proj: int = 32
    hidden: int = 16
    dropout: float = 0.5
    epochs: int = 40
    batch: int = 32
    lr: float = 3e-3
    weight_decay: float = 0.05
    windows: tuple[int, int] = (2, 6)   # windows sampled per clip per step (the app reads up to 8)
    step_loss: float = 0.5              # weight of the per-window loss beside the track loss
    label_smoothing: float = 0.1        # targets 0.1/0.9: a label is a clip's majority, not a certainty
    input_noise: float = 0.3            # Gaussian noise on the standardised inputs while training


@dataclass
class Windows:
    """Frozen front-end outputs of a set of windows, grouped by clip in time order."""

    hid: np.ndarray    # [W,64]
    va: np.ndarray     # [W,2]
    desc: np.ndarray   # [W,D]
    clip: np.ndarray   # [W]

    def of(self, i: int) -> slice:
        idx = np.flatnonzero(self.clip == i)
        return slice(int(idx[0]), int(idx[-1]) + 1)


def front_end(cnn: WindowCNN, images: np.ndarray, desc: np.ndarray, clip: np.ndarray, batch: int = 256) -> Windows:
    hids, vas = [], []
    with torch.no_grad():
        for i in range(0, len(images), batch):
            x = torch.from_numpy(images[i:i + batch].astype(np.float32) / 255.0)[:, None]
            h, va = cnn(x)
            hids.append(h.numpy())
            vas.append(va.numpy())
    return Windows(np.concatenate(hids), np.concatenate(vas), desc.astype(np.float32), clip)


def _batch(w: Windows, clips: np.ndarray, k: int, rng: np.random.Generator) -> tuple[torch.Tensor, ...]:
    rows = []
    for c in clips:
        s = w.of(int(c))
        n = s.stop - s.start
        pick = np.sort(rng.choice(n, size=min(k, n), replace=False)) if n >= k else np.sort(rng.choice(n, size=k))
        rows.append(s.start + pick)
    idx = np.stack(rows)
    return (torch.from_numpy(w.hid[idx]), torch.from_numpy(w.va[idx]), torch.from_numpy(w.desc[idx]))


def train_head(cfg: HeadConfig, w: Windows, clips: np.ndarray, targets: np.ndarray, seed: int,
               log=None) -> TrackHead:
    """Train a head on ``clips`` (indices into w's clip ids) with targets [n_clips_total, 2] in 0..1."""
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    head = TrackHead(w.hid.shape[1], w.desc.shape[1], cfg.proj, cfg.hidden, cfg.dropout, cfg.input_noise)
    head.set_standardisation(w.desc[np.isin(w.clip, clips)])
    opt = torch.optim.AdamW(head.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=cfg.lr, total_steps=cfg.epochs * int(np.ceil(len(clips) / cfg.batch)))
    bce = nn.BCEWithLogitsLoss()
    y_all = torch.from_numpy(targets.astype(np.float32)) * (1 - 2 * cfg.label_smoothing) + cfg.label_smoothing
    for epoch in range(cfg.epochs):
        head.train()
        order = rng.permutation(clips)
        total = 0.0
        for i in range(0, len(order), cfg.batch):
            chunk = order[i:i + cfg.batch]
            k = int(rng.integers(cfg.windows[0], cfg.windows[1] + 1))
            hid, va, desc = _batch(w, chunk, k, rng)
            y = y_all[chunk]
            track, steps = head(hid, va, desc)
            loss = bce(track, y) + cfg.step_loss * bce(steps, y[:, None, :].expand_as(steps))
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item() * len(chunk)
        if log and (epoch + 1) % 20 == 0:
            log(f"    epoch {epoch + 1}/{cfg.epochs} loss {total / len(clips):.4f}")
    head.eval()
    return head


def predict_clips(head: TrackHead, w: Windows, clips: np.ndarray) -> np.ndarray:
    """Track (valence, arousal) in 0..1 for each clip, from all of its windows."""
    out = []
    with torch.no_grad():
        for c in clips:
            s = w.of(int(c))
            track, _ = head(*(torch.from_numpy(a[s])[None] for a in (w.hid, w.va, w.desc)))
            out.append(torch.sigmoid(track)[0].numpy())
    return np.array(out)


def quadrant_of(va: np.ndarray, threshold: float | np.ndarray = 0.5) -> np.ndarray:
    """0..3 = Q1 excited, Q2 tense, Q3 sad, Q4 serene, from (valence, arousal) and a split point."""
    above = va >= threshold
    pos, high = above[:, 0], above[:, 1]
    return np.where(high, np.where(pos, 0, 1), np.where(pos, 3, 2))


def q4_metrics(quadrant: np.ndarray, valence: np.ndarray, arousal: np.ndarray, predicted: np.ndarray) -> dict[str, float]:
    """The five figures: valence AUC (Q1+Q4 vs Q2+Q3), calm valence (Q4 vs Q3), energetic valence
    (Q1 vs Q2), arousal AUC (Q1+Q2 vs Q3+Q4), 4-quadrant accuracy."""
    from sklearn.metrics import roc_auc_score

    pos = np.isin(quadrant, (0, 3))
    high = np.isin(quadrant, (0, 1))
    return {
        "valence_auc": float(roc_auc_score(pos, valence)),
        "calm_valence_auc": float(roc_auc_score(pos[~high], valence[~high])),
        "energetic_valence_auc": float(roc_auc_score(pos[high], valence[high])),
        "arousal_auc": float(roc_auc_score(high, arousal)),
        "quadrant_accuracy": float(np.mean(predicted == quadrant)),
    }
