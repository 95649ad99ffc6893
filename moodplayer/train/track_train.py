"""Train the track mood model on q4_val's human labels: 5-fold CV, final fit, ONNX export, card.

    python -m moodplayer.train.track_train [--q4 DIR] [--out models] [--folds 5] [--smoke]

Every figure is clip-level and out-of-fold: each clip is scored by a model that never saw it,
through the windows the app itself analyses. The CV compares, on the same folds, today's
per-window model (its raw outputs), a linear probe on the same inputs (no LSTM) and the CNN-LSTM;
the shipped model is the CNN-LSTM fitted on all clips.
"""
from __future__ import annotations

import argparse
import os
import shlex
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

SEED = 0


def _log(msg: str) -> None:
    print(msg, flush=True)


def _pooled(w, clips) -> np.ndarray:
    """Each clip's mean and spread of its window features (hidden layer, window v/a, descriptors)."""
    f = np.concatenate([w.hid, w.va, w.desc], axis=1)
    return np.stack([np.concatenate([f[w.of(int(c))].mean(0), f[w.of(int(c))].std(0)]) for c in clips])


def _probe(train_w, eval_w, tr, te, targets) -> np.ndarray:
    """Linear probe: logistic regressions on pooled window features (the no-LSTM ablation)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    xtr, xte = _pooled(train_w, tr), _pooled(eval_w, te)
    out = []
    for j in range(2):
        clf = make_pipeline(StandardScaler(), LogisticRegression(C=0.01, max_iter=5000))
        clf.fit(xtr, targets[tr, j] > 0.5)
        out.append(clf.predict_proba(xte)[:, 1])
    return np.stack(out, 1)


def cross_validate(data, train_w, eval_w, cfg, folds: int) -> dict:
    """Out-of-fold predictions of the three rows, and their five figures each."""
    from moodplayer.train.track_data import stratified_folds
    from moodplayer.train.track_fit import predict_clips, q4_metrics, quadrant_of, train_head

    targets = np.stack([data.valence, data.arousal], 1)
    fold = stratified_folds(data.quadrant, folds, SEED)
    preds = {name: np.zeros((len(data.files), 2)) for name in ("window_model", "probe", "cnn_lstm")}
    for f in range(folds):
        tr, te = np.flatnonzero(fold != f), np.flatnonzero(fold == f)
        _log(f"  fold {f + 1}/{folds}: {len(tr)} clips to train, {len(te)} to score")
        preds["window_model"][te] = np.stack([eval_w.va[eval_w.of(int(c))].mean(0) for c in te])
        preds["probe"][te] = _probe(train_w, eval_w, tr, te, targets)
        head = train_head(cfg, train_w, tr, targets, seed=SEED + f, log=_log)
        preds["cnn_lstm"][te] = predict_clips(head, eval_w, te)
    results = {}
    for name, p in preds.items():
        # today's model was never fitted to these labels: its quadrants split at its own medians
        threshold = np.median(p, axis=0) if name == "window_model" else np.array([0.5, 0.5])
        results[name] = q4_metrics(data.quadrant, p[:, 0], p[:, 1], quadrant_of(p, threshold))
    return results


def main(argv: list[str] | None = None) -> int:
    from moodplayer.train.track_data import DEFAULT_CACHE, DEFAULT_Q4

    argv = sys.argv[1:] if argv is None else argv
    p = argparse.ArgumentParser(prog="python -m moodplayer.train.track_train", description=__doc__.splitlines()[0])
    p.add_argument("--q4", type=Path, default=DEFAULT_Q4, help="q4_val directory (labels.csv + clips/)")
    p.add_argument("--out", type=Path, default=Path("models"), help="where music_track.onnx and its card go")
    p.add_argument("--window-model", type=Path, default=None, help="music_va.onnx (default: --out's)")
    p.add_argument("--folds", type=int, default=5)
    p.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="window cache (outside the repository)")
    p.add_argument("--smoke", action="store_true", help="tiny CI run: 8 clips, 2 folds, 2 epochs, into a temp dir")
    args = p.parse_args(argv)

    os.environ.setdefault("OMP_NUM_THREADS", "1")
    import dataclasses

    import torch

    torch.set_num_threads(1)  # the machine is shared: one core per training process
    from moodplayer.train.track_card import write_card
    from moodplayer.train.track_data import load_clips
    from moodplayer.train.track_export import export
    from moodplayer.train.track_fit import HeadConfig, front_end, train_head
    from moodplayer.train.track_model import WindowCNN

    cfg = HeadConfig()
    limit, cache = None, args.cache
    if args.smoke:
        cfg = dataclasses.replace(cfg, epochs=2)
        limit, cache, args.folds = 8, None, 2
        args.out = Path(tempfile.mkdtemp(prefix="moodplayer_track_smoke_"))
    window_model = args.window_model or (Path("models") / "music_va.onnx")
    t0 = time.time()
    _log(f"q4_val: {args.q4}")
    data = load_clips(args.q4, cache, limit, log=_log)
    cnn = WindowCNN.from_onnx(window_model)
    train_w = front_end(cnn, data.train_images, data.train_desc, data.train_clip)
    eval_w = front_end(cnn, data.eval_images, data.eval_desc, data.eval_clip)
    _log(f"{len(data.files)} clips, {len(data.train_clip)} training windows, {len(data.eval_clip)} app windows")
    cv = cross_validate(data, train_w, eval_w, cfg, args.folds)
    for name, m in cv.items():
        _log(f"  {name:13s} " + "  ".join(f"{k} {v:.3f}" for k, v in m.items()))
    targets = np.stack([data.valence, data.arousal], 1)
    head = train_head(cfg, train_w, np.arange(len(data.files)), targets, seed=SEED, log=_log)
    args.out.mkdir(parents=True, exist_ok=True)
    onnx_path = args.out / "music_track.onnx"
    agreement = export(cnn, head, onnx_path, data.eval_images[:8], data.eval_desc[:8])
    command = "python -m moodplayer.train.track_train " + shlex.join(argv)
    write_card(args.out, cv=cv, cfg=cfg, n_clips=len(data.files), n_train_windows=len(data.train_clip),
               folds=args.folds, agreement=agreement, command=command.strip(), seconds=time.time() - t0,
               smoke=args.smoke)
    _log(f"wrote {onnx_path} and its card in {time.time() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
