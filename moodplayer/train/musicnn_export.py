"""Convert musicnn's MSD checkpoint to ONNX: the teacher of the track model (training only).

musicnn 0.1.0 (PyPI, ISC licence) ships TensorFlow 1 checkpoints and needs TensorFlow to read them,
which neither the app nor the [train] extra installs. Run this once in a throwaway venv:

    python3.11 -m venv /tmp/tfvenv
    /tmp/tfvenv/bin/pip install tensorflow-cpu==2.15.* tf2onnx "onnx==1.16.2" onnxruntime librosa soxr
    /tmp/tfvenv/bin/pip install --no-deps musicnn==0.1.0
    /tmp/tfvenv/bin/python moodplayer/train/musicnn_export.py ~/.cache/moodplayer/train/msd_musicnn.onnx

(onnx 1.16 because newer releases need an ml_dtypes that TensorFlow 2.15 refuses.) The graph is
musicnn's own model code in inference mode (batch norm on its moving averages, no dropout);
input ``logmel`` float32 [N,187,96] (``moodplayer.train.musicnn_teacher.log_mel`` patches), outputs
``taggram`` [N,50] (sigmoid) and ``penultimate`` [N,200]. The script checks onnxruntime against
TensorFlow on a real q4_val clip before it keeps the file.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np


def main(argv: list[str]) -> int:
    import musicnn
    import onnx
    import onnxruntime as ort
    import tensorflow as tf
    import tf2onnx
    from musicnn import models

    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from moodplayer.train.musicnn_teacher import PATCH, log_mel

    out = Path(argv[0]) if argv else Path("msd_musicnn.onnx")
    tf.compat.v1.disable_eager_execution()
    checkpoint = os.path.join(os.path.dirname(musicnn.__file__), "MSD_musicnn") + "/"
    graph = tf.Graph()
    with graph.as_default():
        x = tf.compat.v1.placeholder(tf.float32, [None, PATCH, 96], name="logmel")
        logits, *_, penultimate = models.define_model(x, False, "MSD_musicnn", 50)
        outputs = [tf.identity(tf.nn.sigmoid(logits), "taggram"), tf.identity(penultimate, "penultimate")]
        session = tf.compat.v1.Session(graph=graph)
        tf.compat.v1.train.Saver().restore(session, checkpoint)
        frozen = tf.compat.v1.graph_util.convert_variables_to_constants(
            session, graph.as_graph_def(), ["taggram", "penultimate"])
    proto, _ = tf2onnx.convert.from_graph_def(frozen, input_names=["logmel:0"],
                                              output_names=["taggram:0", "penultimate:0"], opset=17)
    rename = {"logmel:0": "logmel", "taggram:0": "taggram", "penultimate:0": "penultimate"}
    for node in proto.graph.node:
        node.input[:] = [rename.get(i, i) for i in node.input]
        node.output[:] = [rename.get(o, o) for o in node.output]
    for value in [*proto.graph.input, *proto.graph.output]:
        value.name = rename.get(value.name, value.name)
    onnx.checker.check_model(proto)

    import librosa

    clip = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "q4_val" / "clips" / "MT0000040632.mp3"
    rep = log_mel(librosa.load(str(clip), sr=16000, mono=True)[0])
    patches = np.stack([rep[i * PATCH:(i + 1) * PATCH] for i in range(len(rep) // PATCH)])
    want = session.run(outputs, {x: patches})
    tmp = out.with_suffix(".tmp.onnx")
    onnx.save(proto, str(tmp))
    got = ort.InferenceSession(str(tmp), providers=["CPUExecutionProvider"]).run(["taggram", "penultimate"],
                                                                                 {"logmel": patches})
    worst = max(float(np.abs(a - b).max()) for a, b in zip(want, got))
    if worst > 1e-4:
        tmp.unlink()
        print(f"onnxruntime and TensorFlow disagree by {worst:.2e}", file=sys.stderr)
        return 1
    tmp.replace(out)
    print(f"wrote {out} ({out.stat().st_size // 1024} KiB); onnxruntime vs TensorFlow max |diff| {worst:.1e}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
