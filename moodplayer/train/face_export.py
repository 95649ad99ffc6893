"""Export the trained expression CNN to ONNX, check it against torch, measure it, write its card.

Every figure in models/face_emotion.{json,md} comes from this module, computed on the exported
graph with onnxruntime, so the card describes the file that ships.
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import time
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import torch

from moodplayer.onnx_session import create_session
from moodplayer.train.face_data import Split, load_split, resolve_data_path, to_tensor
from moodplayer.train.face_model import CLASSES, INPUT_SIZE, FaceNet, FlipAveraged

TEST_SUBSET = 1000  # the first N eligible Test items; tests/ re-check the shipped file on these
INPUT_NAME, OUTPUT_NAME = "face", "probabilities"


def cpu_session(path: Path, threads: int = 1) -> ort.InferenceSession:
    """A CPU session as the card's figures need (the app's factory, GPU off)."""
    return create_session(path, what="exported face model", use_gpu=False, threads=threads, inter_threads=1)


def run_onnx(sess: ort.InferenceSession, images: np.ndarray, batch: int = 256) -> np.ndarray:
    out = [sess.run(None, {INPUT_NAME: to_tensor(images[i:i + batch]).numpy()})[0]
           for i in range(0, len(images), batch)]
    return np.concatenate(out) if out else np.zeros((0, len(CLASSES)), np.float32)


def scores(probs: np.ndarray, split: Split) -> dict:
    """Majority-label accuracy, per-class recall and the confusion matrix (rows = true label)."""
    pred = probs.argmax(axis=1)
    k = len(CLASSES)
    conf = np.zeros((k, k), dtype=np.int64)
    np.add.at(conf, (split.labels, pred), 1)
    support = conf.sum(axis=1)
    recall = {c: (round(float(conf[i, i] / support[i]), 4) if support[i] else None) for i, c in enumerate(CLASSES)}
    # FER+ votes tie now and then; also report the lenient score that accepts any top-voted class
    top = split.targets.max(axis=1, keepdims=True)
    lenient = float(np.mean(split.targets[np.arange(len(pred)), pred] >= top[:, 0] - 1e-6)) if len(pred) else 0.0
    return {
        "items": int(len(pred)),
        "excluded_unknown_or_not_a_face": split.dropped,
        "accuracy": round(float((pred == split.labels).mean()), 4) if len(pred) else 0.0,
        "accuracy_any_tied_majority": round(lenient, 4),
        "balanced_accuracy": round(float(np.mean([v for v in recall.values() if v is not None])), 4),
        "per_class_recall": recall,
        "support": {c: int(s) for c, s in zip(CLASSES, support)},
        "confusion_matrix": conf.tolist(),
    }


def ms_per_face(path: Path, runs: int = 300) -> tuple[float, float]:
    """Median (CPU ms, wall ms) of one face (batch 1) on one core, onnxruntime CPU provider.

    With intra_op_num_threads=1 onnxruntime computes on the calling thread, so that thread's CPU
    time is the cost on one core even when other jobs share the machine; wall time is kept beside.
    """
    sess = cpu_session(path, threads=1)
    x = np.random.default_rng(0).random((1, 1, INPUT_SIZE, INPUT_SIZE), dtype=np.float32)
    for _ in range(20):
        sess.run(None, {INPUT_NAME: x})
    cpu, wall = [], []
    for _ in range(runs):
        c, t = time.thread_time(), time.perf_counter()
        sess.run(None, {INPUT_NAME: x})
        wall.append(time.perf_counter() - t)
        cpu.append(time.thread_time() - c)
    return float(np.median(cpu) * 1000.0), float(np.median(wall) * 1000.0)


def export_onnx(net: torch.nn.Module, path: Path) -> None:
    """Self-contained ONNX (weights inside), dynamic batch, softmax + flip averaging in the graph."""
    model = FlipAveraged(net).eval()
    dummy = torch.rand(2, 1, INPUT_SIZE, INPUT_SIZE)
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.onnx.export(model, (dummy,), str(path), input_names=[INPUT_NAME], output_names=[OUTPUT_NAME],
                      dynamic_axes={INPUT_NAME: {0: "batch"}, OUTPUT_NAME: {0: "batch"}},
                      opset_version=17, dynamo=False)
    proto = onnx.load(str(path))
    onnx.checker.check_model(proto)
    proto.doc_string = "moodplayer face expression: gray 48x48 in 0..1 -> 8 probabilities " + ",".join(CLASSES)
    onnx.save_model(proto, str(path), save_as_external_data=False)


def export_and_card(ckpt: dict, args: argparse.Namespace) -> dict:
    """Write face_emotion.onnx, .json and .md into args.out; return the card dict."""
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    onnx_path = out / "face_emotion.onnx"
    net = FaceNet(**ckpt["arch"])
    net.load_state_dict(ckpt["state"])
    net.eval()
    export_onnx(net, onnx_path)

    data = resolve_data_path(getattr(args, "data", None) or ckpt.get("data"))
    va, te = load_split(data, "Valid"), load_split(data, "Test")
    if args.smoke:
        va = Split(va.name, va.images[:256], va.targets[:256], va.labels[:256], va.names[:256], va.dropped)
        te = Split(te.name, te.images[:256], te.targets[:256], te.labels[:256], te.names[:256], te.dropped)
    sess = cpu_session(onnx_path, threads=torch.get_num_threads())
    # torch vs onnxruntime on real faces
    check = va.images[:64]
    with torch.inference_mode():
        ref = FlipAveraged(net)(to_tensor(check)).numpy()
    got = run_onnx(sess, check)
    max_diff = float(np.abs(ref - got).max())
    if max_diff > 1e-4:
        raise RuntimeError(f"{onnx_path}: onnxruntime differs from torch by {max_diff:.2e}")
    valid = scores(run_onnx(sess, va.images), va)
    test_probs = run_onnx(sess, te.images)
    test = scores(test_probs, te)
    n_sub = min(TEST_SUBSET, len(te.labels))
    subset_acc = float((test_probs[:n_sub].argmax(axis=1) == te.labels[:n_sub]).mean()) if n_sub else 0.0
    ms, ms_wall = ms_per_face(onnx_path, runs=30 if args.smoke else 300)
    blob = onnx_path.read_bytes()
    sha = hashlib.sha256(blob).hexdigest()
    today = dt.date.today().isoformat()
    card = {
        "name": "moodplayer face expression",
        "version": f"{today}+{sha[:10]}",
        "file": onnx_path.name,
        "sha256": sha,
        "bytes": len(blob),
        "input": {"name": INPUT_NAME, "shape": ["batch", 1, INPUT_SIZE, INPUT_SIZE], "dtype": "float32",
                  "normalisation": "grayscale uint8 / 255 (0..1); the graph standardises each image itself",
                  "crop": "the Haar detector's square face box as is (it covers ~98 % of a FER2013 image), "
                          "resized to 48x48 with INTER_AREA"},
        "output": {"name": OUTPUT_NAME, "shape": ["batch", len(CLASSES)],
                   "meaning": "probabilities (softmax in the graph), averaged over the face and its mirror image"},
        "classes": list(CLASSES),
        "architecture": {"type": "ResNet-style CNN, flip-averaged", "name": ckpt.get("arch_name", "small"),
                         **{k: list(v) if isinstance(v, tuple) else v for k, v in ckpt["arch"].items()},
                         "params": int(sum(p.numel() for p in net.parameters()))},
        "data": {"source": "FER2013 images with FER+ votes (labels MIT, Microsoft FERPlus)",
                 "file": Path(ckpt.get("data", data)).name,
                 "splits": "train=Train (FER2013 Training), select=Valid (PublicTest), report=Test (PrivateTest)",
                 "train_items": None if args.smoke else int(load_split(data, "Train").labels.size),
                 "target": "FER+ vote distribution over the 8 expressions (unknown / not-a-face votes dropped, "
                           "items whose majority is unknown or not-a-face excluded)",
                 "metric": "accuracy of argmax vs majority vote (first class on ties)"},
        "training": {"epochs": ckpt["epochs"], "best_epoch": ckpt["epoch"], "seed": ckpt["seed"],
                     "optimiser": f"SGD nesterov momentum 0.9, OneCycle max lr {ckpt['lr']}, wd {ckpt['wd']}",
                     "batch": ckpt["batch"], "bf16_autocast": ckpt["bf16"], "threads": ckpt["threads"],
                     "loss": "class-weighted soft cross-entropy vs the vote distribution, label smoothing "
                             f"{ckpt['label_smoothing']}",
                     "rare_classes": f"class weight = frequency^-{ckpt['class_power']}, mean sample weight 1",
                     "class_weights": dict(zip(CLASSES, [round(w, 3) for w in ckpt["class_weights"]])),
                     "augmentation": "flip, rotation +-12 deg, shift +-8 %, zoom 0.9-1.1, contrast 0.7-1.3, "
                                     "brightness +-0.15, gamma 0.7-1.4, 12x12 cutout on half",
                     "mixing": _mixing(ckpt),
                     "weight_ema": (f"exported weights are the EMA (decay {ckpt['ema']} per step) of the SGD weights"
                                    if ckpt.get("ema") else "off"),
                     "command": ckpt["command"].strip(), "duration_s": round(ckpt["seconds"], 1),
                     "valid_history": ckpt["history"], "smoke": bool(args.smoke)},
        "valid": valid,
        "test": test,
        "test_subset": {"first_n_eligible": n_sub, "accuracy": round(subset_acc, 4),
                        "first_name": str(te.names[0]) if n_sub else None,
                        "last_name": str(te.names[n_sub - 1]) if n_sub else None},
        "onnx_vs_torch_max_abs_diff": max_diff,
        "ms_per_face_one_core": round(ms, 3),
        "ms_per_face_wall": round(ms_wall, 3),
        "benchmark": {"runtime": f"onnxruntime {ort.__version__} CPUExecutionProvider, intra_op_num_threads=1, "
                                 "batch 1, median thread CPU time (wall time beside)", "cpu": platform.processor() or platform.machine(),
                      "load_average_1min": round(os.getloadavg()[0], 2)},
    }
    (out / "face_emotion.json").write_text(json.dumps(card, indent=2) + "\n")
    (out / "face_emotion.md").write_text(card_markdown(card))
    return card


def _mixing(ckpt: dict) -> str:
    kind = ckpt.get("mix", "none")
    if kind == "none":
        return "none"
    return (f"{kind} of face pairs and of their vote distributions, share ~ Beta({ckpt['mix_alpha']}, "
            f"{ckpt['mix_alpha']}), on {ckpt['mix_prob']:.0%} of batches")


def card_markdown(card: dict) -> str:
    """Human-readable card rendered from the JSON figures (never edited by hand)."""
    t, v, tr = card["test"], card["valid"], card["training"]
    lines = [
        f"# Model card: {card['name']} ({card['file']})", "",
        f"Version `{card['version']}`, sha256 `{card['sha256'][:16]}…`, {card['bytes']} bytes, "
        f"{card['architecture']['params']} parameters. Generated by `moodplayer/train/face_export.py`.", "",
        "## Input / output",
        f"- input `{card['input']['name']}` float32 [N,1,48,48]: {card['input']['normalisation']}",
        f"- crop: {card['input']['crop']}",
        f"- output `{card['output']['name']}` float32 [N,8]: {card['output']['meaning']}",
        f"- class order: {', '.join(card['classes'])}", "",
        "## Data",
        f"- {card['data']['source']}; {card['data']['splits']}",
        f"- target: {card['data']['target']}",
        f"- metric: {card['data']['metric']}", "",
        "## Results (onnxruntime, exported graph)",
        f"- **Test accuracy {t['accuracy']:.4f}** on {t['items']} items "
        f"({t['excluded_unknown_or_not_a_face']} excluded); any-tied-majority {t['accuracy_any_tied_majority']:.4f}; "
        f"balanced {t['balanced_accuracy']:.4f}",
        f"- Valid accuracy {v['accuracy']:.4f} on {v['items']} items (best epoch {tr['best_epoch']} of {tr['epochs']})",
        f"- Test subset (first {card['test_subset']['first_n_eligible']} eligible items): "
        f"{card['test_subset']['accuracy']:.4f}",
        f"- {card['ms_per_face_one_core']:.2f} ms/face on one core, {card['ms_per_face_wall']:.2f} ms wall "
        f"({card['benchmark']['runtime']}; machine load average {card['benchmark']['load_average_1min']})",
        f"- onnxruntime vs torch max |diff| {card['onnx_vs_torch_max_abs_diff']:.1e}", "",
        "| class | Test recall | Test support | Valid recall |", "|---|---|---|---|",
    ]
    for c in card["classes"]:
        r = t["per_class_recall"][c]
        vr = v["per_class_recall"][c]
        lines.append(f"| {c} | {'-' if r is None else f'{r:.3f}'} | {t['support'][c]} | "
                     f"{'-' if vr is None else f'{vr:.3f}'} |")
    lines += ["", "Test confusion matrix (rows = majority label, columns = prediction):", "",
              "| | " + " | ".join(c[:5] for c in card["classes"]) + " |",
              "|---" * (len(card["classes"]) + 1) + "|"]
    for c, row in zip(card["classes"], t["confusion_matrix"]):
        lines.append(f"| {c[:5]} | " + " | ".join(str(n) for n in row) + " |")
    lines += ["", "## Training",
              f"- `{tr['command']}` took {tr['duration_s'] / 60:.1f} min ({tr['threads']} thread, bf16 autocast "
              f"{tr['bf16_autocast']})",
              f"- {tr['optimiser']}, batch {tr['batch']}, seed {tr['seed']}",
              f"- loss: {tr['loss']}", f"- rare classes: {tr['rare_classes']} {tr['class_weights']}",
              f"- augmentation: {tr['augmentation']}"]
    if "mixing" in tr:
        lines += [f"- mixing: {tr['mixing']}", f"- weight EMA: {tr['weight_ema']}"]
    lines.append("")
    return "\n".join(lines)
