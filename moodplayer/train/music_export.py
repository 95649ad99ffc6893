"""ONNX export of the music valence/arousal model and the onnxruntime-vs-torch check.

Contract with the app (moodplayer.analysis.music_model): one input float32 [N,1,128,256], one output float32 [N,2], dynamic batch,
one self-contained file (no external .data next to it).
"""
from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import torch
from torch import nn

INPUT_NAME = "mel"
OUTPUT_NAME = "valence_arousal"
OPSET = 17


def export_onnx(model: nn.Module, path: Path) -> str:
    """Write the model to ``path``; returns which exporter wrote it.

    The legacy TorchScript exporter is tried first (mature support for LSTM/GRU and dynamic axes);
    the dynamo exporter is the fallback for torch versions without it.
    """
    model.eval()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    dummy = torch.rand(2, 1, 128, 256)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(model, (dummy,), str(path), dynamo=False, opset_version=OPSET,
                              input_names=[INPUT_NAME], output_names=[OUTPUT_NAME],
                              dynamic_axes={INPUT_NAME: {0: "batch"}, OUTPUT_NAME: {0: "batch"}})
        exporter = f"torchscript (dynamo=False), opset {OPSET}"
    except Exception as exc:  # noqa: BLE001 - any failure of the legacy path means: use dynamo
        batch = torch.export.Dim("batch", min=1)
        prog = torch.onnx.export(model, (dummy,), dynamo=True, input_names=[INPUT_NAME],
                                 output_names=[OUTPUT_NAME], dynamic_shapes=({0: batch},))
        prog.save(str(path), external_data=False)
        exporter = f"dynamo (legacy failed: {type(exc).__name__})"
    import onnx

    proto = onnx.load(str(path))
    onnx.checker.check_model(proto)
    stray = [p for p in path.parent.glob(path.name + "*.data")]
    if stray:
        raise RuntimeError(f"{path}: export wrote external data {stray}; the model must be one file")
    return exporter


def ort_session(path: Path):
    """A CPU session over the exported file (the app's factory, GPU off: the check compares to torch on CPU)."""
    from moodplayer.onnx_session import create_session

    return create_session(path, what="exported music model", use_gpu=False)


def verify_onnx(model: nn.Module, path: Path, x: np.ndarray) -> float:
    """Max abs difference between torch and onnxruntime on ``x`` (also at batch sizes 1 and N)."""
    sess = ort_session(path)
    (inp,) = sess.get_inputs()
    (out,) = sess.get_outputs()
    assert inp.shape[1:] == [1, 128, 256] and isinstance(inp.shape[0], str), inp.shape
    assert out.shape[1:] == [2], out.shape
    model.eval()
    with torch.no_grad():
        ref = model(torch.from_numpy(x)).numpy()
    got = sess.run(None, {inp.name: x})[0]
    one = sess.run(None, {inp.name: x[:1]})[0]
    assert got.shape == ref.shape == (len(x), 2) and one.shape == (1, 2)
    return float(max(np.abs(got - ref).max(), np.abs(one - ref[:1]).max()))


def onnx_predict(path: Path, images_uint8: np.ndarray, batch: int = 64) -> np.ndarray:
    """Predictions of the exported file, as the app computes them (image/255)."""
    from moodplayer.analysis.spectrogram import image_to_input

    sess = ort_session(path)
    name = sess.get_inputs()[0].name
    outs = [sess.run(None, {name: image_to_input(images_uint8[i:i + batch])})[0]
            for i in range(0, len(images_uint8), batch)]
    return np.concatenate(outs)
