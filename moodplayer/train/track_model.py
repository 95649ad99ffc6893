"""The track mood model: a CNN-LSTM over a track's windows, whose valence follows human labels.

- **CNN front end** (frozen): the per-window model shipped as ``models/music_va.onnx`` (the seed
  paper's CNN trained on 1622 Spotify spectrograms), rebuilt in torch from that file's weights. Its
  64-unit hidden layer and its own (valence, arousal) describe each window's sound; its arousal
  already agrees with people's, its valence does not (see models/music_track.md).
- **Descriptors** of the same window (mode, key clarity, tempo, timbre: ``analysis.descriptors``),
  standardised with the training set's mean and spread, which are stored in the model.
- **LSTM** (bidirectional) over the track's windows in time order, a (valence, arousal) logit per
  window, and the track's value as the sigmoid of the windows' mean logit.

Only the projection, the LSTM and the output layer are trained, on q4_val's human quadrant labels,
which is what 452 clips can support; the front end stays what the Spotify data taught it.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from torch import nn


class WindowCNN(nn.Module):
    """music_va.onnx in torch: AvgPool 2 -> 4 x (conv 3x3 + ReLU + max-pool 2) -> dense 64 -> dense 2.

    Batch norm was folded into the convolutions when that file was exported, so the convolutions
    carry biases. ``forward`` returns the hidden layer and the (valence, arousal) sigmoid.
    """

    def __init__(self, widths: tuple[int, ...] = (8, 16, 32, 32), hidden: int = 64) -> None:
        super().__init__()
        layers: list[nn.Module] = [nn.AvgPool2d(2)]
        cin = 1
        for w in widths:
            layers += [nn.Conv2d(cin, w, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2)]
            cin = w
        self.features = nn.Sequential(*layers, nn.Flatten())
        self.hidden = nn.Linear(cin * (64 >> len(widths)) * (128 >> len(widths)), hidden)
        self.out = nn.Linear(hidden, 2)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h = torch.relu(self.hidden(self.features(x)))
        return h, torch.sigmoid(self.out(h))

    @classmethod
    def from_onnx(cls, path: str | Path) -> "WindowCNN":
        """Load the shipped per-window model's weights (conv initialisers in graph order)."""
        import onnx
        from onnx import numpy_helper

        graph = onnx.load(str(path)).graph
        weights = {i.name: torch.from_numpy(numpy_helper.to_array(i).copy()) for i in graph.initializer}
        convs = [n for n in graph.node if n.op_type == "Conv"]
        gemms = [n for n in graph.node if n.op_type == "Gemm"]
        widths = tuple(int(weights[n.input[1]].shape[0]) for n in convs)
        model = cls(widths, hidden=int(weights[gemms[0].input[1]].shape[0]))
        mine = [m for m in model.features if isinstance(m, nn.Conv2d)]
        with torch.no_grad():
            for conv, node in zip(mine, convs):
                conv.weight.copy_(weights[node.input[1]])
                conv.bias.copy_(weights[node.input[2]])
            for lin, node in zip((model.hidden, model.out), gemms):
                lin.weight.copy_(weights[node.input[1]])
                lin.bias.copy_(weights[node.input[2]])
        model.eval()
        for p in model.parameters():
            p.requires_grad_(False)
        return model


class TrackHead(nn.Module):
    """Per-window features [N,K,F] in time order -> (track logits [N,2], window logits [N,K,2])."""

    def __init__(self, n_cnn: int, n_desc: int, proj: int = 32, hidden: int = 16, dropout: float = 0.5,
                 noise: float = 0.0) -> None:
        super().__init__()
        self.noise = noise  # training only: the descriptors of music unlike the training clips vary more
        self.register_buffer("desc_mean", torch.zeros(n_desc))
        self.register_buffer("desc_std", torch.ones(n_desc))
        self.proj = nn.Sequential(nn.Dropout(dropout), nn.Linear(n_cnn + 2 + n_desc, proj), nn.ReLU())
        self.lstm = nn.LSTM(proj, hidden, batch_first=True, bidirectional=True)
        self.out = nn.Sequential(nn.Dropout(dropout), nn.Linear(2 * hidden, 2))

    def set_standardisation(self, desc: np.ndarray) -> None:
        with torch.no_grad():
            self.desc_mean.copy_(torch.from_numpy(desc.mean(0)))
            self.desc_std.copy_(torch.from_numpy(desc.std(0) + 1e-6))

    def forward(self, hid: torch.Tensor, win_va: torch.Tensor, desc: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        d = (desc - self.desc_mean) / self.desc_std
        if self.training and self.noise:
            d = d + self.noise * torch.randn_like(d)
        logit_va = torch.log(win_va.clamp(1e-4, 1 - 1e-4) / (1 - win_va.clamp(1e-4, 1 - 1e-4)))
        z = self.proj(torch.cat([hid, logit_va, d], dim=-1))
        seq, _ = self.lstm(z)
        steps = self.out(seq)
        return steps.mean(dim=1), steps


class TrackModel(nn.Module):
    """The exported whole: mel windows [N,K,1,128,256] + descriptors [N,K,D] -> track and window (v, a)."""

    def __init__(self, cnn: WindowCNN, head: TrackHead) -> None:
        super().__init__()
        self.cnn, self.head = cnn, head

    def forward(self, mel: torch.Tensor, desc: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        n, k = mel.shape[0], mel.shape[1]
        hid, va = self.cnn(mel.reshape(n * k, 1, mel.shape[3], mel.shape[4]))
        track, steps = self.head(hid.reshape(n, k, -1), va.reshape(n, k, 2), desc)
        return torch.sigmoid(track), torch.sigmoid(steps)
