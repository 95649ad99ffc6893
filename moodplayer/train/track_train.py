"""Train the track mood model on q4_val's human labels: 5-fold CV, final fit, ONNX export, card.

    python -m moodplayer.train.track_train [--teacher msd_musicnn.onnx [--teacher mtt_musicnn.onnx]]
        [--pitch-teacher nmp.onnx] [--q4 DIR] [--out models] [--folds 5] [--cache DIR]
        [--unlabelled DIR] [--smoke]

``--teacher ~/.cache/moodplayer/train/msd_musicnn.onnx`` (the file that
``moodplayer/train/musicnn_export.py`` writes) distils musicnn on unlabelled Debian music; more
front ends (MTT musicnn, basic-pitch: ``moodplayer.train.track_teacher``) make teacher v2.

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


def _merged(train_w, extra_w):
    from moodplayer.train.track_fit import Windows

    if extra_w is None:
        return train_w
    return Windows(*(np.concatenate([getattr(train_w, k), getattr(extra_w, k)]) for k in ("hid", "va", "desc", "clip")))


def _fit(cfg, train_w, extra, clips: np.ndarray, labels: np.ndarray, seed: int):
    """A head fitted on q4_val's ``clips``, plus the unlabelled tracks' soft targets from a teacher
    fitted on those same clips (``extra``: a track_teacher.Distillation)."""
    from moodplayer.train.track_fit import train_head

    if extra is None:
        return train_head(cfg, train_w, clips, labels, seed=seed, log=_log)
    extra_w, n_tracks = extra.windows, extra.n_tracks
    per_window = extra.targets(labels, clips, extra.window_x)
    per_track = np.stack([per_window[extra_w.clip == len(labels) + t].mean(0) for t in range(n_tracks)])
    targets = np.concatenate([labels, per_track])
    every = np.concatenate([clips, len(labels) + np.arange(n_tracks)])
    return train_head(cfg, _merged(train_w, extra_w), every, targets, seed=seed, log=_log)


def cross_validate(data, train_w, eval_w, cfg, folds: int, extra=None) -> dict:
    """Out-of-fold predictions of the three rows, and their five figures each."""
    from moodplayer.train.track_data import stratified_folds
    from moodplayer.train.track_fit import predict_clips, q4_metrics, quadrant_of

    targets = np.stack([data.valence, data.arousal], 1)
    fold = stratified_folds(data.quadrant, folds, SEED)
    names = ("window_model", "probe", "cnn_lstm") + (("musicnn_teacher",) if extra is not None else ()) \
        + (("teacher_v2",) if extra is not None and extra.v2 else ())
    preds = {name: np.zeros((len(data.files), 2)) for name in names}
    for f in range(folds):
        tr, te = np.flatnonzero(fold != f), np.flatnonzero(fold == f)
        _log(f"  fold {f + 1}/{folds}: {len(tr)} clips to train, {len(te)} to score")
        preds["window_model"][te] = np.stack([eval_w.va[eval_w.of(int(c))].mean(0) for c in te])
        preds["probe"][te] = _probe(train_w, eval_w, tr, te, targets)
        head = _fit(cfg, train_w, extra, tr, targets, seed=SEED + f)
        preds["cnn_lstm"][te] = predict_clips(head, eval_w, te)
        if extra is not None:  # the teachers themselves, scored the same way (too slow for the app)
            for name, p in extra.rows(targets, tr, te).items():
                preds[name][te] = p
    results = {}
    for name, p in preds.items():
        # today's model was never fitted to these labels: its quadrants split at its own medians
        threshold = np.median(p, axis=0) if name == "window_model" else np.array([0.5, 0.5])
        results[name] = q4_metrics(data.quadrant, p[:, 0], p[:, 1], quadrant_of(p, threshold))
    return results


def _distillation(args, data, cnn):
    """The teacher's features and the unlabelled windows (a track_teacher.Distillation), or None."""
    if not args.teacher:
        return None
    from moodplayer.train.track_fit import front_end
    from moodplayer.train.track_teacher import Distillation, prepare

    clip_x, un, window_x = prepare(args.teacher, args.pitch_teacher, args.q4, data.files, args.cache,
                                   args.unlabelled, log=_log, every_patch=args.every_patch)
    _log(f"{len(un.files)} unlabelled tracks, {len(un.clip)} windows, {clip_x.shape[1]} teacher features")
    extra_w = front_end(cnn, un.images, un.desc, un.clip + len(data.files))
    names = [t.name for t in args.teacher] + ([args.pitch_teacher.name] if args.pitch_teacher else [])
    return Distillation(extra_w, clip_x, window_x, len(un.files), names, args.every_patch)


def main(argv: list[str] | None = None) -> int:
    from moodplayer.train.track_data import DEFAULT_CACHE, DEFAULT_Q4

    argv = sys.argv[1:] if argv is None else argv
    p = argparse.ArgumentParser(prog="python -m moodplayer.train.track_train", description=__doc__.splitlines()[0])
    p.add_argument("--q4", type=Path, default=DEFAULT_Q4, help="q4_val directory (labels.csv + clips/)")
    p.add_argument("--out", type=Path, default=Path("models"), help="where music_track.onnx and its card go")
    p.add_argument("--window-model", type=Path, default=None, help="music_va.onnx (default: --out's)")
    p.add_argument("--folds", type=int, default=5)
    p.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="window cache (outside the repository)")
    p.add_argument("--teacher", type=Path, action="append", default=None,
                   help="musicnn ONNX file (moodplayer.train.musicnn_export): distil it on unlabelled music; "
                        "repeat it (MSD first, then MTT) for teacher v2")
    p.add_argument("--pitch-teacher", type=Path, default=None,
                   help="basic-pitch's nmp.onnx (moodplayer.train.pitch_teacher.fetch_model): its tonal "
                        "features join the teacher (needs --teacher)")
    p.add_argument("--every-patch", action="store_true",
                   help="the teacher reads every 3-s musicnn patch and 2-s basic-pitch chunk of a q4_val clip, "
                        "not 4 and 8")
    p.add_argument("--unlabelled", type=Path, default=DEFAULT_CACHE / "unlabelled",
                   help="where the Debian music packages are downloaded and unpacked (with --teacher)")
    p.add_argument("--smoke", action="store_true", help="tiny CI run: 8 clips, 2 folds, 2 epochs, into a temp dir")
    args = p.parse_args(argv)
    if args.pitch_teacher and not args.teacher:
        p.error("--pitch-teacher joins a musicnn teacher: give --teacher msd_musicnn.onnx too")

    os.environ.setdefault("OMP_NUM_THREADS", "1")
    import dataclasses

    import torch

    torch.set_num_threads(1)  # the machine is shared: one core per training process
    from moodplayer.train.track_card import write_card
    from moodplayer.train.track_data import load_clips
    from moodplayer.train.track_export import export
    from moodplayer.train.track_fit import HeadConfig, front_end
    from moodplayer.train.track_model import WindowCNN

    cfg = HeadConfig()
    limit, cache = None, args.cache
    if args.smoke:
        cfg = dataclasses.replace(cfg, epochs=2)
        limit, cache, args.folds, args.teacher, args.pitch_teacher = 8, None, 2, None, None
        args.out = Path(tempfile.mkdtemp(prefix="moodplayer_track_smoke_"))
    window_model = args.window_model or (Path("models") / "music_va.onnx")
    t0 = time.time()
    _log(f"q4_val: {args.q4}")
    data = load_clips(args.q4, cache, limit, log=_log)
    cnn = WindowCNN.from_onnx(window_model)
    train_w = front_end(cnn, data.train_images, data.train_desc, data.train_clip)
    eval_w = front_end(cnn, data.eval_images, data.eval_desc, data.eval_clip)
    _log(f"{len(data.files)} clips, {len(data.train_clip)} training windows, {len(data.eval_clip)} app windows")
    extra = _distillation(args, data, cnn)
    cv = cross_validate(data, train_w, eval_w, cfg, args.folds, extra)
    for name, m in cv.items():
        _log(f"  {name:13s} " + "  ".join(f"{k} {v:.3f}" for k, v in m.items()))
    targets = np.stack([data.valence, data.arousal], 1)
    head = _fit(cfg, train_w, extra, np.arange(len(data.files)), targets, seed=SEED)
    args.out.mkdir(parents=True, exist_ok=True)
    onnx_path = args.out / "music_track.onnx"
    agreement = export(cnn, head, onnx_path, data.eval_images[:8], data.eval_desc[:8])
    command = "python -m moodplayer.train.track_train " + shlex.join(argv)
    from moodplayer.train.paper_rows import cached_result  # the paper's rows survive a retrained card
    write_card(args.out, cv=cv, cfg=cfg, n_clips=len(data.files), n_train_windows=len(data.train_clip),
               folds=args.folds, agreement=agreement, command=command.strip(), seconds=time.time() - t0,
               smoke=args.smoke, distilled=None if extra is None else extra.card(),
               paper_rows=cached_result(cache, len(data.files)))
    _log(f"wrote {onnx_path} and its card in {time.time() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
