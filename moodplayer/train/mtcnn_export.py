"""Export MTCNN's three nets (P, R, O) from the facenet-pytorch 2.6.0 weights to ONNX, with a card.

The app runs the cascade in numpy (moodplayer/vision/mtcnn.py) over these three graphs, so it needs
neither torch nor facenet-pytorch. The nets are defined here from the published architecture
(Zhang et al. 2016, "Joint Face Detection and Alignment using Multi-task Cascaded Convolutional
Networks"); only the weights come from the wheel, which is read as a zip and never installed.

    python -m moodplayer.train.mtcnn_export [--wheel facenet_pytorch-2.6.0-py3-none-any.whl] [--out models]

Without --wheel it runs ``pip download facenet-pytorch==2.6.0 --no-deps`` into a cache folder.
"""
from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import onnx
import torch
from torch import nn

from moodplayer.onnx_session import create_session

WHEEL_VERSION = "2.6.0"
WHEEL_LICENCE = "MIT License, Copyright (c) 2019 Timothy Esler"
NETS = ("pnet", "rnet", "onet")
INPUT_SIZE = {"rnet": 24, "onet": 48}   # P-net is fully convolutional: any size >= 12
NORMALISATION = "RGB, (pixel - 127.5) / 128, NCHW"


def _conv_prelu(cin: int, cout: int, k: int) -> list[nn.Module]:
    return [nn.Conv2d(cin, cout, k), nn.PReLU(cout)]


class PNet(nn.Module):
    """Proposal net: 12x12 windows at stride 2 -> face probability and box offsets per window."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1, self.prelu1 = _conv_prelu(3, 10, 3)
        self.pool1 = nn.MaxPool2d(2, 2, ceil_mode=True)
        self.conv2, self.prelu2 = _conv_prelu(10, 16, 3)
        self.conv3, self.prelu3 = _conv_prelu(16, 32, 3)
        self.conv4_1 = nn.Conv2d(32, 2, 1)
        self.conv4_2 = nn.Conv2d(32, 4, 1)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        x = self.pool1(self.prelu1(self.conv1(x)))
        x = self.prelu3(self.conv3(self.prelu2(self.conv2(x))))
        return torch.softmax(self.conv4_1(x), dim=1)[:, 1], self.conv4_2(x)


class RNet(nn.Module):
    """Refine net: a 24x24 crop -> face probability and box offsets."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1, self.prelu1 = _conv_prelu(3, 28, 3)
        self.pool1 = nn.MaxPool2d(3, 2, ceil_mode=True)
        self.conv2, self.prelu2 = _conv_prelu(28, 48, 3)
        self.pool2 = nn.MaxPool2d(3, 2, ceil_mode=True)
        self.conv3, self.prelu3 = _conv_prelu(48, 64, 2)
        self.dense4, self.prelu4 = nn.Linear(576, 128), nn.PReLU(128)
        self.dense5_1 = nn.Linear(128, 2)
        self.dense5_2 = nn.Linear(128, 4)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        x = self.pool1(self.prelu1(self.conv1(x)))
        x = self.pool2(self.prelu2(self.conv2(x)))
        x = self.prelu3(self.conv3(x))
        # the weights were converted from a column-major framework: flatten as (W, H, C)
        x = self.prelu4(self.dense4(x.permute(0, 3, 2, 1).flatten(1)))
        return torch.softmax(self.dense5_1(x), dim=1)[:, 1], self.dense5_2(x)


class ONet(nn.Module):
    """Output net: a 48x48 crop -> face probability, box offsets and five landmarks."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1, self.prelu1 = _conv_prelu(3, 32, 3)
        self.pool1 = nn.MaxPool2d(3, 2, ceil_mode=True)
        self.conv2, self.prelu2 = _conv_prelu(32, 64, 3)
        self.pool2 = nn.MaxPool2d(3, 2, ceil_mode=True)
        self.conv3, self.prelu3 = _conv_prelu(64, 64, 3)
        self.pool3 = nn.MaxPool2d(2, 2, ceil_mode=True)
        self.conv4, self.prelu4 = _conv_prelu(64, 128, 2)
        self.dense5, self.prelu5 = nn.Linear(1152, 256), nn.PReLU(256)
        self.dense6_1 = nn.Linear(256, 2)
        self.dense6_2 = nn.Linear(256, 4)
        self.dense6_3 = nn.Linear(256, 10)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        x = self.pool1(self.prelu1(self.conv1(x)))
        x = self.pool2(self.prelu2(self.conv2(x)))
        x = self.pool3(self.prelu3(self.conv3(x)))
        x = self.prelu4(self.conv4(x))
        x = self.prelu5(self.dense5(x.permute(0, 3, 2, 1).flatten(1)))
        return torch.softmax(self.dense6_1(x), dim=1)[:, 1], self.dense6_2(x), self.dense6_3(x)


CLASSES = {"pnet": PNet, "rnet": RNet, "onet": ONet}
OUTPUTS = {"pnet": ["face", "box"], "rnet": ["face", "box"], "onet": ["face", "box", "landmarks"]}


def fetch_wheel(cache: Path | None = None) -> Path:
    """The facenet-pytorch wheel, downloaded once with pip (no install, no dependencies)."""
    cache = cache or Path.home() / ".cache" / "moodplayer" / "facenet"
    found = sorted(cache.glob(f"facenet_pytorch-{WHEEL_VERSION}-*.whl"))
    if found:
        return found[0]
    cache.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "pip", "download", f"facenet-pytorch=={WHEEL_VERSION}", "--no-deps",
                    "--only-binary=:all:", "--quiet", "-d", str(cache)], check=True, timeout=600)
    return sorted(cache.glob(f"facenet_pytorch-{WHEEL_VERSION}-*.whl"))[0]


def load_nets(wheel: Path) -> dict[str, nn.Module]:
    """The three nets with the wheel's weights (state dicts read straight from the zip)."""
    nets: dict[str, nn.Module] = {}
    with zipfile.ZipFile(wheel) as z:
        for name in NETS:
            blob = z.read(f"facenet_pytorch/data/{name}.pt")
            state = torch.load(io.BytesIO(blob), map_location="cpu", weights_only=True)
            net = CLASSES[name]()
            net.load_state_dict(state)
            nets[name] = net.eval()
    return nets


def example_input(name: str, n: int = 3, seed: int = 0) -> torch.Tensor:
    """Normalised random input of the net's size (P-net: an odd size, to check the dynamic axes)."""
    g = torch.Generator().manual_seed(seed)
    h, w = (37, 53) if name == "pnet" else (INPUT_SIZE[name],) * 2
    return (torch.randint(0, 256, (n, 3, h, w), generator=g).float() - 127.5) / 128.0


def export(net: nn.Module, name: str, path: Path) -> None:
    """One self-contained ONNX graph with a dynamic batch (and, for P-net, dynamic height/width)."""
    axes = {0: "batch", 2: "height", 3: "width"} if name == "pnet" else {0: "batch"}
    dyn = {"image": axes}
    for out in OUTPUTS[name]:
        dyn[out] = {0: "batch", 1: "rows", 2: "cols"} if name == "pnet" and out == "face" else \
            {0: "batch", 2: "rows", 3: "cols"} if name == "pnet" else {0: "batch"}
    torch.onnx.export(net, (example_input(name),), str(path), input_names=["image"], output_names=OUTPUTS[name],
                      dynamic_axes=dyn, opset_version=17, dynamo=False)
    proto = onnx.load(str(path))
    onnx.checker.check_model(proto)
    proto.doc_string = f"MTCNN {name} (facenet-pytorch {WHEEL_VERSION} weights, {WHEEL_LICENCE}); input {NORMALISATION}"
    onnx.save_model(proto, str(path), save_as_external_data=False)


def agreement(net: nn.Module, name: str, path: Path) -> float:
    """Largest absolute difference between torch and onnxruntime over every output."""
    sess = create_session(path, what=f"MTCNN {name}", use_gpu=False, threads=1, inter_threads=1)
    x = example_input(name, n=5, seed=1)
    with torch.inference_mode():
        ref = [t.numpy() for t in net(x)]
    got = sess.run(None, {"image": x.numpy()})
    return max(float(np.abs(r - g).max()) for r, g in zip(ref, got))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--wheel", type=Path, help="facenet_pytorch-2.6.0 wheel (default: pip download into a cache)")
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[2] / "models")
    args = ap.parse_args(argv)
    wheel = args.wheel or fetch_wheel()
    nets = load_nets(wheel)
    args.out.mkdir(parents=True, exist_ok=True)
    files = {}
    for name, net in nets.items():
        path = args.out / f"mtcnn_{name}.onnx"
        tmp_path = path.with_suffix(".tmp.onnx")
        export(net, name, tmp_path)
        diff = agreement(net, name, tmp_path)
        if diff > 1e-4:
            tmp_path.unlink()
            raise RuntimeError(f"{path}: onnxruntime differs from torch by {diff:.2e}")
        os.replace(tmp_path, path)
        blob = path.read_bytes()
        files[name] = {"file": path.name, "sha256": hashlib.sha256(blob).hexdigest(), "bytes": len(blob),
                       "params": int(sum(p.numel() for p in net.parameters())),
                       "input": "[N,3,H,W] any H,W >= 12" if name == "pnet" else
                                f"[N,3,{INPUT_SIZE[name]},{INPUT_SIZE[name]}]",
                       "outputs": OUTPUTS[name], "onnx_vs_torch_max_abs_diff": diff}
    with zipfile.ZipFile(wheel) as z:
        wheel_licence = next((z.read(n).decode("utf-8", "replace") for n in z.namelist()
                              if n.endswith("LICENSE.md")), "")
    card = {
        "name": "MTCNN face detector (P-, R-, O-net)",
        "source": f"facenet-pytorch {WHEEL_VERSION} wheel on PyPI, facenet_pytorch/data/{{pnet,rnet,onet}}.pt "
                  "(weights of the original MTCNN, converted by facenet-pytorch)",
        "wheel": wheel.name,
        "wheel_sha256": hashlib.sha256(wheel.read_bytes()).hexdigest(),
        "licence": WHEEL_LICENCE,
        "licence_text": wheel_licence.strip(),
        "paper": "Zhang, Zhang, Li, Qiao: Joint Face Detection and Alignment using Multi-task Cascaded "
                 "Convolutional Networks, IEEE SPL 2016",
        "command": "python -m moodplayer.train.mtcnn_export",
        "normalisation": NORMALISATION,
        "outputs": {"face": "face probability (softmax in the graph)",
                    "box": "box offsets (x1, y1, x2, y2) as fractions of the window side",
                    "landmarks": "x of left eye, right eye, nose, left and right mouth corner, then the five y, "
                                 "as fractions of the window (O-net only)"},
        "nets": files,
        "runtime": "moodplayer/vision/mtcnn.py (numpy cascade: pyramid, NMS, box regression)",
    }
    (args.out / "mtcnn.json").write_text(json.dumps(card, indent=2) + "\n")
    (args.out / "mtcnn.md").write_text(card_markdown(card))
    print(json.dumps({k: v["onnx_vs_torch_max_abs_diff"] for k, v in files.items()}))
    return 0


def card_markdown(card: dict) -> str:
    """The human-readable card, rendered from the JSON."""
    rows = [f"| {n} | `{f['file']}` | {f['input']} | {', '.join(f['outputs'])} | {f['params']} | "
            f"{f['bytes']} | {f['onnx_vs_torch_max_abs_diff']:.1e} |" for n, f in card["nets"].items()]
    return "\n".join([
        f"# Model card: {card['name']}", "",
        f"- Source: {card['source']} (`{card['wheel']}`, sha256 `{card['wheel_sha256'][:16]}…`).",
        f"- Licence: {card['licence']} (full text below).",
        f"- Paper: {card['paper']}.",
        f"- Made with: `{card['command']}` (torch only at export time; the app runs the graphs with onnxruntime).",
        f"- Input normalisation: {card['normalisation']}.",
        f"- Run time: {card['runtime']}.", "",
        "| net | file | input | outputs | parameters | bytes | ONNX vs torch, max abs diff |",
        "|---|---|---|---|---|---|---|", *rows, "",
        "Outputs: " + "; ".join(f"`{k}`: {v}" for k, v in card["outputs"].items()) + ".", "",
        "## Licence of the weights", "", "```", card["licence_text"], "```", ""])


if __name__ == "__main__":
    sys.exit(main())
