"""The compact expression CNN trained on FER+ (torch only; the app runs its ONNX export)."""
from __future__ import annotations

import torch
from torch import nn
import torch.nn.functional as F

CLASSES: tuple[str, ...] = (
    "neutral", "happiness", "surprise", "sadness", "anger", "disgust", "fear", "contempt",
)
INPUT_SIZE = 48

# Named architectures for --arch. "small" is the shipped 18-epoch model (1.6 M parameters);
# "w40" widens every stage by 1.25x (2.5 M parameters, ~1.55x the compute) for the long schedule.
# One thread on an AVX2 core (fp32) trains "small" in ~6 min CPU per FER+ epoch, "w40" in ~10.
ARCHS: dict[str, dict] = {
    "small": dict(widths=(32, 64, 128, 256), blocks=(1, 2, 2, 1), strides=(2, 2, 2, 2), dropout=0.3),
    "w40": dict(widths=(40, 80, 160, 320), blocks=(1, 2, 2, 1), strides=(2, 2, 2, 2), dropout=0.3),
    "w48": dict(widths=(48, 96, 192, 384), blocks=(1, 2, 2, 1), strides=(2, 2, 2, 2), dropout=0.3),
}


def _conv_bn(cin: int, cout: int, stride: int = 1) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False),
        nn.BatchNorm2d(cout),
        nn.ReLU(inplace=True),
    )


class ResBlock(nn.Module):
    """Two 3x3 convs with an identity (or 1x1 projection) shortcut: trains fast in few epochs."""

    def __init__(self, cin: int, cout: int, stride: int) -> None:
        super().__init__()
        self.c1 = _conv_bn(cin, cout, stride)
        self.c2 = nn.Sequential(nn.Conv2d(cout, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout))
        self.short = (
            nn.Identity()
            if stride == 1 and cin == cout
            else nn.Sequential(nn.Conv2d(cin, cout, 1, stride=stride, bias=False), nn.BatchNorm2d(cout))
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.relu(self.c2(self.c1(x)) + self.short(x))


class FaceNet(nn.Module):
    """Small ResNet for 48x48 gray faces; standardises each image itself, so the input is gray/255.

    Per-image standardisation inside the graph makes the model indifferent to webcam exposure and
    keeps the app's preprocessing to one division.
    """

    def __init__(self, widths: tuple[int, ...] = (32, 64, 128, 256), blocks: tuple[int, ...] = (1, 1, 1, 1),
                 strides: tuple[int, ...] = (1, 2, 2, 2), dropout: float = 0.3) -> None:
        super().__init__()
        self.stem = _conv_bn(1, widths[0])
        layers: list[nn.Module] = []
        cin = widths[0]
        for w, n, s in zip(widths, blocks, strides):
            for j in range(n):
                layers.append(ResBlock(cin, w, s if j == 0 else 1))
                cin = w
        self.body = nn.Sequential(*layers)
        self.drop = nn.Dropout(dropout)
        self.head = nn.Linear(cin, len(CLASSES))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Return logits [N, 8] for gray faces in 0..1, shape [N, 1, 48, 48]."""
        mean = x.mean(dim=(2, 3), keepdim=True)
        std = x.std(dim=(2, 3), keepdim=True)
        x = (x - mean) / (std + 1e-3)
        x = self.body(self.stem(x))
        x = torch.flatten(F.adaptive_avg_pool2d(x, 1), 1)
        return self.head(self.drop(x))


class FlipAveraged(nn.Module):
    """Export wrapper: softmax of the face and of its mirror image, averaged (test-time flip)."""

    def __init__(self, net: nn.Module) -> None:
        super().__init__()
        self.net = net

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        p = torch.softmax(self.net(x), dim=1)
        q = torch.softmax(self.net(torch.flip(x, dims=[3])), dim=1)
        return (p + q) * 0.5
