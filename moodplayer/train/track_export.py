"""Export the track mood model to ONNX and check onnxruntime agrees with torch on real windows."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from moodplayer.train.track_model import TrackHead, TrackModel, WindowCNN

INPUTS = ("mel", "desc")
OUTPUTS = ("valence_arousal", "window_valence_arousal")


def export(cnn: WindowCNN, head: TrackHead, path: Path, images: np.ndarray, desc: np.ndarray) -> float:
    """Write ``path``; return the largest |onnxruntime - torch| over a real track's windows."""
    from moodplayer.onnx_session import create_session

    model = TrackModel(cnn, head).eval()
    mel = torch.from_numpy(images.astype(np.float32) / 255.0)[None, :, None]   # [1,K,1,128,256]
    d = torch.from_numpy(desc.astype(np.float32))[None]                         # [1,K,D]
    dynamic = {"mel": {0: "N", 1: "K"}, "desc": {0: "N", 1: "K"},
               "valence_arousal": {0: "N"}, "window_valence_arousal": {0: "N", 1: "K"}}
    tmp = path.with_suffix(".tmp.onnx")
    torch.onnx.export(model, (mel, d), str(tmp), input_names=list(INPUTS), output_names=list(OUTPUTS),
                      dynamic_axes=dynamic, opset_version=17, dynamo=False)
    with torch.no_grad():
        want = [t.numpy() for t in model(mel, d)]
    session = create_session(tmp, what="track mood model", use_gpu=False, threads=1)
    got = session.run(None, {"mel": mel.numpy(), "desc": d.numpy()})
    worst = max(float(np.abs(a - b).max()) for a, b in zip(want, got))
    if worst > 1e-4:
        tmp.unlink()
        raise RuntimeError(f"onnxruntime and torch disagree by {worst:.2e} on {path.name}")
    tmp.replace(path)
    return worst
