"""Train the music valence/arousal model: cross-validate the architectures, fit the best, export.

    python -m moodplayer.train.music_train [--data DIR] [--out models] [--folds 5] [--smoke]
        [--stage all|cv|final] [--configs a,b] [--work DIR]

``--stage cv`` writes one result file per config into --work, so configs can run in parallel
processes; ``--stage final`` reads them all, picks the best mean R², trains it on every item,
exports ``music_va.onnx`` (checked against onnxruntime) and writes the model card.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import shlex
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

VERSION = "music_va-1"
SEED = 0
GOAL = {"r2": 0.50, "rmse": 0.16}
DEFAULT_WORK = Path(tempfile.gettempdir()) / "moodplayer_music_train"


def _torch():
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    import torch

    torch.set_num_threads(1)  # the machine is shared: one core per training process
    return torch


def _configs(args) -> dict:
    from moodplayer.train.music_fit import CONFIGS

    names = list(CONFIGS) if not args.configs else args.configs.split(",")
    unknown = [n for n in names if n not in CONFIGS]
    if unknown:
        raise SystemExit(f"unknown config(s) {unknown}; known: {list(CONFIGS)}")
    cfgs = {n: CONFIGS[n] for n in names}
    if args.smoke:
        cfgs = {n: dataclasses.replace(c, epochs=1) for n, c in cfgs.items()}
    return cfgs


def _log(msg: str) -> None:
    print(msg, flush=True)


def run_cv(args, data) -> None:
    """Cross-validate each selected config; one JSON per config in the work dir."""
    _torch()
    from moodplayer.train.music_data import kfold_indices
    from moodplayer.train.music_fit import metrics, predict, train
    from moodplayer.train.music_models import n_params

    splits = kfold_indices(len(data.ids), args.folds, SEED)
    for name, cfg in _configs(args).items():
        t0 = time.time()
        folds = []
        for k, (tr, va) in enumerate(splits):
            _log(f"[cv] {name} fold {k + 1}/{args.folds}: train {len(tr)} val {len(va)}")
            tf = time.time()
            model = train(cfg, data.images[tr], data.labels[tr], seed=SEED + k,
                          max_batches=2 if args.smoke else None, log=_log)
            m = metrics(data.labels[va], predict(model, data.images[va]))
            folds.append({"fold": k, "n_train": len(tr), "n_val": len(va), "metrics": m,
                          "wall_s": time.time() - tf})
            _log(f"[cv] {name} fold {k + 1}: R² val {m['valence']['r2']:.3f} ar {m['arousal']['r2']:.3f} "
                 f"mean {m['mean']['r2']:.3f} RMSE {m['mean']['rmse']:.3f}")
        res = {"config": name, "arch": cfg.arch, "kwargs": cfg.kwargs, "note": cfg.note,
               "augment": dataclasses.asdict(cfg.augment) if cfg.augment else None,
               "epochs": cfg.epochs, "lr": cfg.lr, "batch": cfg.batch, "params": n_params(cfg.build()),
               "folds": folds, "n_folds": args.folds, "seed": SEED, "n_items": len(data.ids),
               "wall_s": time.time() - t0}
        args.work.mkdir(parents=True, exist_ok=True)
        (args.work / f"cv_{name}.json").write_text(json.dumps(res, indent=1))
        _log(f"[cv] {name} done in {res['wall_s']:.0f}s")


def run_final(args, data, argv: list[str]) -> None:
    """Pick the best cross-validated config, fit it on everything, export and write the card."""
    torch = _torch()
    import onnx
    import onnxruntime

    from moodplayer.analysis.spectrogram import image_to_input
    from moodplayer.train.music_card import summarize, write_card
    from moodplayer.train.music_data import kfold_indices, near_duplicates
    from moodplayer.train.music_export import INPUT_NAME, OUTPUT_NAME, export_onnx, onnx_predict, verify_onnx
    from moodplayer.train.music_fit import metrics, train
    from moodplayer.train.music_models import n_params

    cfgs = _configs(args)
    results = {}
    for name in cfgs:
        f = args.work / f"cv_{name}.json"
        if not f.exists():
            raise SystemExit(f"missing cross-validation result {f}; run --stage cv first")
        res = json.loads(f.read_text())
        if res["n_items"] != len(data.ids) or res["n_folds"] != args.folds:
            raise SystemExit(f"{f} was made with other data/folds; rerun --stage cv")
        res["summary"] = summarize(res["folds"])
        results[name] = res
    best = max(results, key=lambda n: results[n]["summary"]["mean"]["r2"]["mean"])
    cfg = cfgs[best]
    _log(f"[final] chosen {best}; training on all {len(data.ids)} items")
    t0 = time.time()
    model = train(cfg, data.images, data.labels, seed=SEED, max_batches=2 if args.smoke else None, log=_log)
    fit_s = time.time() - t0

    args.out.mkdir(parents=True, exist_ok=True)
    onnx_path = args.out / "music_va.onnx"
    exporter = export_onnx(model, onnx_path)
    probe = image_to_input(data.images[:16])
    diff = verify_onnx(model, onnx_path, probe)
    _log(f"[final] exported {onnx_path} with {exporter}; onnxruntime vs torch max abs diff {diff:.3e}")
    assert diff < 1e-4, f"onnxruntime disagrees with torch by {diff}"

    splits = kfold_indices(len(data.ids), args.folds, SEED)
    fold_of = np.empty(len(data.ids), int)
    for k, (_, va) in enumerate(splits):
        fold_of[va] = k
    dups = near_duplicates(data.images)
    _, last_val = splits[-1]
    ref_pred = onnx_predict(onnx_path, data.images[last_val])
    ref_metrics = metrics(data.labels[last_val], ref_pred)
    cv_summary = results[best]["summary"]["mean"]
    total = sum(r["wall_s"] for r in results.values()) + fit_s
    card = {
        "version": VERSION,
        "file": onnx_path.name,
        "input": {"name": INPUT_NAME, "shape": ["N", 1, 128, 256], "dtype": "float32",
                  "preprocessing": "moodplayer.analysis.spectrogram image / 255 (dark = energy, low bins at bottom)"},
        "output": {"name": OUTPUT_NAME, "shape": ["N", 2], "dtype": "float32",
                   "meaning": "(valence, arousal) in 0..1, sigmoid"},
        "data": {"source": "shared/data/spotify_mel (png + labels.csv: valence, energy)", "items": len(data.ids),
                 "labels": ["valence", "energy (= arousal)"],
                 "near_duplicate_pairs": len(dups),
                 "near_duplicate_pairs_across_folds": int(sum(fold_of[a] != fold_of[b] for a, b in dups))},
        "cross_validation": {"folds": args.folds, "seed": SEED, "configs": results},
        "paper_table3": __import__("moodplayer.train.music_card", fromlist=["PAPER_TABLE3"]).PAPER_TABLE3,
        "goal": {**GOAL, "met": bool(cv_summary["r2"]["mean"] >= GOAL["r2"] and cv_summary["rmse"]["mean"] <= GOAL["rmse"])},
        "final": {"config": best, "arch": cfg.arch, "kwargs": cfg.kwargs, "note": cfg.note,
                  "params": n_params(model), "epochs": cfg.epochs, "seed": SEED, "wall_s": fit_s,
                  "exporter": exporter, "onnx_max_abs_diff": diff},
        "reference_subset": {"description": "last cross-validation fold's validation items; the shipped model was "
                                            "trained on them too, so this checks reproduction, not generalisation",
                             "ids": [data.ids[i] for i in last_val], "metrics": ref_metrics,
                             "predictions_first16": ref_pred[:16].round(6).tolist()},
        "command": "python -m moodplayer.train.music_train" + (" --smoke" if args.smoke else "" if args.out == Path("models")
                                                                else f" --out {shlex.quote(str(args.out))}"),
        "this_run_argv": argv,
        "wall_s_total": total,
        "environment": {"torch": torch.__version__, "onnx": onnx.__version__, "onnxruntime": onnxruntime.__version__,
                        "python": platform.python_version(),
                        "hardware": f"CPU ({platform.machine()}), torch.set_num_threads(1)"},
        "smoke": bool(args.smoke),
    }
    jpath, mpath = write_card(args.out, card)
    _log(f"[final] wrote {jpath} and {mpath}; CV mean R² {cv_summary['r2']['mean']:.3f} "
         f"RMSE {cv_summary['rmse']['mean']:.3f}; goal met: {card['goal']['met']}")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    from moodplayer.train.music_data import DEFAULT_DATA, load_dataset

    p = argparse.ArgumentParser(prog="python -m moodplayer.train.music_train", description=__doc__.split("\n")[0])
    p.add_argument("--data", type=Path, default=DEFAULT_DATA, help="spotify_mel directory (png/ + labels.csv)")
    p.add_argument("--out", type=Path, default=Path("models"), help="where music_va.onnx and its card go")
    p.add_argument("--folds", type=int, default=5)
    p.add_argument("--stage", choices=("all", "cv", "final"), default="all")
    p.add_argument("--configs", default="", help="comma-separated config names (default: all)")
    p.add_argument("--work", type=Path, default=DEFAULT_WORK, help="cross-validation results between stages")
    p.add_argument("--smoke", action="store_true", help="tiny CI run into a temp dir: 2 batches, 40 items")
    args = p.parse_args(argv)
    if args.smoke:
        tmp = Path(tempfile.mkdtemp(prefix="music_smoke_"))
        args.out, args.work, args.folds = tmp / "models", tmp / "work", 2
    data = load_dataset(args.data, limit=40 if args.smoke else None)
    _log(f"data: {len(data.ids)} items from {args.data}")
    if args.stage in ("all", "cv"):
        run_cv(args, data)
    if args.stage in ("all", "final"):
        run_final(args, data, argv)
    if args.smoke:
        print(f"smoke output in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
