"""Valence/arousal regressors on 128x256 mel images: the seed paper's three and our CRNN.

All take the contract input float32 [N,1,128,256] (image/255) and return [N,2] sigmoid outputs.
The paper's models are scaled down (a 2x2 average pool on the input, narrow convs) so that five-fold
cross-validation of every architecture fits on one shared CPU core; the structure is the paper's:
conv/BN/max-pool stack, then either dense layers (CNN), or the time axis cut into steps fed to an
LSTM (CNN-LSTM); the LSTM baseline reads the spectrogram frames directly.
"""
from __future__ import annotations

import torch
from torch import nn


def _block(cin: int, cout: int, pool: tuple[int, int]) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, padding=1, bias=False),
        nn.BatchNorm2d(cout),
        nn.ReLU(inplace=True),
        nn.MaxPool2d(pool),
    )


def _paper_stack(widths: tuple[int, ...]) -> tuple[nn.Sequential, int]:
    """The paper's conv/BN/max-pool stack behind a 2x2 input average pool; returns it and its width."""
    layers: list[nn.Module] = [nn.AvgPool2d(2)]
    cin = 1
    for w in widths:
        layers.append(_block(cin, w, (2, 2)))
        cin = w
    return nn.Sequential(*layers), cin


class PaperCNN(nn.Module):
    """Baseline: conv/BN/max-pool stack, flatten, dense, sigmoid (paper Table 3 'CNN')."""

    def __init__(self, widths: tuple[int, ...] = (16, 32, 64, 64), hidden: int = 64, dropout: float = 0.3) -> None:
        super().__init__()
        self.features, cin = _paper_stack(widths)  # [B,64,4,8]
        flat = cin * (64 >> len(widths)) * (128 >> len(widths))
        self.head = nn.Sequential(nn.Flatten(), nn.Dropout(dropout), nn.Linear(flat, hidden), nn.ReLU(inplace=True),
                                  nn.Dropout(dropout), nn.Linear(hidden, 2))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self.head(self.features(x)))


class PaperCNNLSTM(nn.Module):
    """The paper's hybrid: conv/BN/max-pool stack, time axis split into steps, LSTM, dense, sigmoid."""

    def __init__(self, widths: tuple[int, ...] = (16, 32, 64, 64), hidden: int = 64, dropout: float = 0.3) -> None:
        super().__init__()
        self.features, cin = _paper_stack(widths)
        freq = 64 >> len(widths)
        self.lstm = nn.LSTM(cin * freq, hidden, batch_first=True)
        self.head = nn.Sequential(nn.Dropout(dropout), nn.Linear(hidden, 2))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        f = self.features(x)  # [B,C,F,T]
        b, c, fr, t = f.shape
        seq = f.permute(0, 3, 1, 2).reshape(b, t, c * fr)  # one step per time column
        out, _ = self.lstm(seq)
        return torch.sigmoid(self.head(out[:, -1]))


class PaperLSTM(nn.Module):
    """Baseline: an LSTM over the spectrogram frames (128 mel values per step), last state, dense."""

    def __init__(self, hidden: int = 64, time_pool: int = 2, dropout: float = 0.3) -> None:
        super().__init__()
        self.pool = nn.AvgPool2d((1, time_pool)) if time_pool > 1 else nn.Identity()
        self.lstm = nn.LSTM(128, hidden, batch_first=True)
        self.head = nn.Sequential(nn.Dropout(dropout), nn.Linear(hidden, 2))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        seq = self.pool(x)[:, 0].transpose(1, 2)  # [B,T,128]
        out, _ = self.lstm(seq)
        return torch.sigmoid(self.head(out[:, -1]))


class CRNN(nn.Module):
    """Ours: conv stack that keeps time resolution, bidirectional GRU, mean+max pooling over time.

    Pooling over all time steps (instead of the LSTM's last state) lets every part of the window
    vote, which suits whole-track labels; the GRU still sees rhythm and change over time.
    """

    def __init__(self, widths: tuple[int, ...] = (24, 48, 64, 96), hidden: int = 64, proj: int = 96,
                 dropout: float = 0.3) -> None:
        super().__init__()
        pools = ((2, 2), (2, 2), (2, 1), (2, 1))  # 64x128 -> 4x32: 32 time steps of ~0.19 s
        layers: list[nn.Module] = [nn.AvgPool2d(2)]
        cin = 1
        for w, p in zip(widths, pools):
            layers.append(_block(cin, w, p))
            cin = w
        self.features = nn.Sequential(*layers)
        self.proj = nn.Sequential(nn.Linear(cin * 4, proj), nn.ReLU(inplace=True), nn.Dropout(dropout))
        self.gru = nn.GRU(proj, hidden, batch_first=True, bidirectional=True)
        self.head = nn.Sequential(nn.Dropout(dropout), nn.Linear(4 * hidden, 2))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        f = self.features(x)
        b, c, fr, t = f.shape
        seq = self.proj(f.permute(0, 3, 1, 2).reshape(b, t, c * fr))
        out, _ = self.gru(seq)
        pooled = torch.cat([out.mean(dim=1), out.amax(dim=1)], dim=1)
        return torch.sigmoid(self.head(pooled))


ARCHITECTURES: dict[str, type[nn.Module]] = {
    "cnn": PaperCNN,
    "cnn_lstm": PaperCNNLSTM,
    "lstm": PaperLSTM,
    "crnn_bigru": CRNN,
}


def build(arch: str) -> nn.Module:
    return ARCHITECTURES[arch]()


def n_params(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
