"""Long-schedule helpers for the face model: mixup / cutmix on vote distributions and a weight EMA.

FER+ targets are already distributions, so mixing two faces mixes their vote distributions in
the same proportion; that regularises a long CPU schedule without changing the loss. The EMA of
the weights is what gets evaluated and exported when it is on: it smooths the last epochs of a
noisy SGD run and usually scores better on Valid than the raw weights. Both draw only from random
streams the resumable checkpoint saves (the torch generator and numpy's global state), and the
EMA's own tensors go into the checkpoint, so a resumed run continues bit-for-bit.
"""
from __future__ import annotations

import numpy as np
import torch

MIX_KINDS = ("none", "mixup", "cutmix")


def mix_batch(x: torch.Tensor, y: torch.Tensor, gen: torch.Generator, kind: str, alpha: float,
              prob: float = 1.0) -> tuple[torch.Tensor, torch.Tensor]:
    """Mix each face with another of the batch; targets are mixed by the same share.

    mixup blends whole images with lam ~ Beta(alpha, alpha); cutmix pastes a box of the partner
    face covering 1 - lam of the image (lam corrected to the box actually pasted). With
    probability 1 - prob the batch is left as it is.
    """
    if kind == "none" or alpha <= 0 or len(x) < 2:
        return x, y
    if kind not in MIX_KINDS:
        raise ValueError(f"unknown mixing {kind!r} (choose from {', '.join(MIX_KINDS)})")
    apply = float(torch.rand(1, generator=gen)) < prob
    perm = torch.randperm(len(x), generator=gen)
    lam = float(np.random.beta(alpha, alpha))
    if not apply:
        return x, y
    if kind == "mixup":
        return x * lam + x[perm] * (1.0 - lam), y * lam + y[perm] * (1.0 - lam)
    h, w = x.shape[-2:]
    cut = (1.0 - lam) ** 0.5
    bh, bw = int(round(h * cut)), int(round(w * cut))
    cy = int(torch.randint(0, h, (1,), generator=gen))
    cx = int(torch.randint(0, w, (1,), generator=gen))
    y0, y1 = max(cy - bh // 2, 0), min(cy + bh - bh // 2, h)
    x0, x1 = max(cx - bw // 2, 0), min(cx + bw - bw // 2, w)
    out = x.clone()
    out[..., y0:y1, x0:x1] = x[perm][..., y0:y1, x0:x1]
    lam = 1.0 - (y1 - y0) * (x1 - x0) / float(h * w)
    return out, y * lam + y[perm] * (1.0 - lam)


class WeightEma:
    """Exponential moving average of a model's parameters and buffers, updated every step.

    The decay ramps up as (1 + n) / (10 + n) towards `decay`, so early averages are not dragged
    back to the random initialisation. Integer buffers (BatchNorm's batch counter) are copied.
    """

    def __init__(self, net: torch.nn.Module, decay: float) -> None:
        self.decay = decay
        self.updates = 0
        self.state = {k: v.detach().clone() for k, v in net.state_dict().items()}

    @torch.no_grad()
    def update(self, net: torch.nn.Module) -> None:
        self.updates += 1
        d = min(self.decay, (1.0 + self.updates) / (10.0 + self.updates))
        for k, v in net.state_dict().items():
            mine = self.state[k]
            if mine.dtype.is_floating_point:
                mine.mul_(d).add_(v.detach(), alpha=1.0 - d)
            else:
                mine.copy_(v)

    def state_dict(self) -> dict:
        return {"decay": self.decay, "updates": self.updates, "state": self.state}

    def load_state_dict(self, saved: dict) -> None:
        self.decay, self.updates = saved["decay"], saved["updates"]
        self.state = {k: v.clone() for k, v in saved["state"].items()}

    def copy_to(self, net: torch.nn.Module) -> torch.nn.Module:
        """Load the averaged weights into `net` (same architecture) and return it."""
        net.load_state_dict(self.state)
        return net
