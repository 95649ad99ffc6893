"""The seed paper's LSTM and CNN-LSTM (and our CRNN) as rows of the track model card, on q4_val.

    python -m moodplayer.train.paper_rows [--configs lstm,cnn_lstm,crnn_bigru_aug] [--card models]
        [--data DIR] [--q4 DIR] [--cache DIR] [--smoke]

Each architecture is fitted on the Spotify images exactly as ``music_train``'s final fit fits the
shipped ``cnn`` (all items, seed 0, its config's epochs). It then reads q4_val through the windows
the app analyses (the same cached windows as ``track_train``). Its raw outputs are averaged over
each clip's windows and scored with the card's five figures, the same way as the card's
``window_model`` row (``music_va.onnx``), so the rows compare like with like. Neither kind of model
is fitted to q4_val, so there are no folds and no leakage.

Trained weights and the result JSON stay in ``--cache``, outside the repository; a rerun only
scores. The result goes into ``music_track.json``/``.md`` in ``--card`` without touching
``music_track.onnx``, and ``track_train`` carries it over when it rewrites the card.
"""
from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

SEED = 0  # music_train.SEED: the shipped model's final fit
DEFAULT_CONFIGS = ("lstm", "cnn_lstm", "crnn_bigru_aug")
RESULT_NAME = "paper_rows.json"
NOTES = {
    "cnn": "the paper's CNN refitted by this command: a check of the fit against music_va.onnx (window_model)",
    "lstm": "the paper's LSTM over the spectrogram frames",
    "cnn_lstm": "the paper's CNN-LSTM hybrid",
    "crnn_bigru_aug": "our CRNN from music_va.md (bidirectional GRU, mean+max over time, augmentation)",
}


def _log(msg: str) -> None:
    print(msg, flush=True)


def _key(cfg, data, max_batches: int | None) -> str:
    """Names the trained weights by everything that decides them."""
    import torch

    h = hashlib.sha1(repr(cfg).encode())
    h.update("\n".join(data.ids).encode())
    h.update(data.labels.tobytes())
    h.update(f"{SEED} {max_batches} {torch.__version__}".encode())
    return h.hexdigest()[:12]


def fitted(cfg, data, cache: Path | None, max_batches: int | None = None):
    """The config's model fitted on every item (music_train's final fit), from the cache if there."""
    import torch

    from moodplayer.train.music_fit import train

    path = cache / f"paper_{cfg.name}_{_key(cfg, data, max_batches)}.pt" if cache else None
    model = cfg.build()
    if path and path.is_file():
        model.load_state_dict(torch.load(path, map_location="cpu", weights_only=True))
        model.eval()
        return model, None
    t0 = time.time()
    model = train(cfg, data.images, data.labels, seed=SEED, max_batches=max_batches, log=_log)
    seconds = time.time() - t0
    if path:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        torch.save(model.state_dict(), tmp)
        tmp.replace(path)
    return model, seconds


def score(model, clips) -> tuple[dict, float]:
    """The five figures of a model's raw per-window outputs averaged over each clip's app windows,
    with quadrants split at the outputs' own medians as for the window_model row; plus the
    4-quadrant accuracy when split at 0.5 instead."""
    from moodplayer.train.music_fit import predict
    from moodplayer.train.track_fit import q4_metrics, quadrant_of

    per_window = predict(model, clips.eval_images)
    p = np.stack([per_window[clips.eval_clip == c].mean(0) for c in range(len(clips.files))])
    m = q4_metrics(clips.quadrant, p[:, 0], p[:, 1], quadrant_of(p, np.median(p, axis=0)))
    return m, float(np.mean(quadrant_of(p, 0.5) == clips.quadrant))


def cached_result(cache: Path | None, q4_clips: int) -> dict | None:
    """The last full run's result on the same q4_val clips (for track_train's card), or None."""
    path = cache / RESULT_NAME if cache else None
    result = json.loads(path.read_text()) if path and path.is_file() else None
    return result if result and result["q4_clips"] == q4_clips else None


def run(args) -> dict:
    """Fit (or load) each config, score it on q4_val, and return the rows with how they were made."""
    from moodplayer.train.music_data import load_dataset
    from moodplayer.train.music_fit import CONFIGS
    from moodplayer.train.music_models import n_params
    from moodplayer.train.track_data import load_clips

    names = args.configs.split(",")
    unknown = [n for n in names if n not in CONFIGS]
    if unknown:
        raise SystemExit(f"unknown config(s) {unknown}; known: {list(CONFIGS)}")
    t0 = time.time()
    data = load_dataset(args.data, limit=40 if args.smoke else None)
    _log(f"spotify_mel: {len(data.ids)} items from {args.data}")
    clips = load_clips(args.q4, None if args.smoke else args.cache, 8 if args.smoke else None, log=_log)
    _log(f"q4_val: {len(clips.files)} clips, {len(clips.eval_clip)} app windows")
    rows = {}
    for name in names:
        cfg = CONFIGS[name]
        if args.smoke:
            cfg = dataclasses.replace(cfg, epochs=1)
        _log(f"[{name}] {cfg.note}: {cfg.epochs} epochs on {len(data.ids)} items")
        model, fit_s = fitted(cfg, data, None if args.smoke else args.cache, 2 if args.smoke else None)
        metrics, acc_half = score(model, clips)
        _log(f"[{name}] " + "  ".join(f"{k} {v:.3f}" for k, v in metrics.items())
             + f"  (4Q at 0.5: {acc_half:.3f})")
        rows[name] = {"metrics": metrics, "quadrant_accuracy_at_0.5": acc_half, "note": NOTES.get(name, cfg.note),
                      "arch": cfg.arch, "kwargs": cfg.kwargs, "epochs": cfg.epochs, "params": n_params(model),
                      "fit_seconds": None if fit_s is None else round(fit_s, 1)}
    return {"rows": rows, "spotify_items": len(data.ids), "q4_clips": len(clips.files),
            "app_windows": len(clips.eval_clip), "seed": SEED,
            "fit": "music_train's final fit: every Spotify item, seed 0, the config's epochs (moodplayer.train.music_fit)",
            "scoring": "raw outputs (valence = output 0, arousal = output 1) averaged over each clip's app windows; "
                       "quadrants split at the outputs' medians, as the window_model row",
            "command": "python -m moodplayer.train.paper_rows"
                       + ("" if names == list(DEFAULT_CONFIGS) else f" --configs {args.configs}")
                       + (" --smoke" if args.smoke else ""),
            "seconds": round(time.time() - t0, 1), "smoke": bool(args.smoke)}


def main(argv: list[str] | None = None) -> int:
    from moodplayer.train.music_data import DEFAULT_DATA
    from moodplayer.train.track_data import DEFAULT_CACHE, DEFAULT_Q4

    argv = sys.argv[1:] if argv is None else argv
    p = argparse.ArgumentParser(prog="python -m moodplayer.train.paper_rows", description=__doc__.splitlines()[0])
    p.add_argument("--configs", default=",".join(DEFAULT_CONFIGS), help="music_fit configs to fit and score")
    p.add_argument("--card", type=Path, default=Path("models"), help="where music_track.json/.md are updated")
    p.add_argument("--data", type=Path, default=DEFAULT_DATA, help="spotify_mel directory (png/ + labels.csv)")
    p.add_argument("--q4", type=Path, default=DEFAULT_Q4, help="q4_val directory (labels.csv + clips/)")
    p.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="weights, windows, result (outside the repo)")
    p.add_argument("--smoke", action="store_true",
                   help="tiny CI run: 40 items, 2 batches, 8 clips, no cache; updates a temp copy of the card")
    args = p.parse_args(argv)

    os.environ.setdefault("OMP_NUM_THREADS", "1")
    import torch

    torch.set_num_threads(1)  # the machine is shared: one core, as music_train
    from moodplayer.train.track_card import add_paper_rows

    if not (args.card / "music_track.json").is_file():
        raise SystemExit(f"{args.card / 'music_track.json'}: no track model card to add the rows to "
                         "(run python -m moodplayer.train.track_train first)")
    if args.smoke:
        tmp = Path(tempfile.mkdtemp(prefix="moodplayer_paper_rows_smoke_"))
        shutil.copy(args.card / "music_track.json", tmp / "music_track.json")
        args.card = tmp
    result = run(args)
    if not args.smoke:  # what track_train carries over: a run with the paper's LSTM and CNN-LSTM
        paper = {"lstm", "cnn_lstm"} <= set(result["rows"])
        name = RESULT_NAME if paper else f"paper_rows_{args.configs.replace(',', '_')}.json"
        args.cache.mkdir(parents=True, exist_ok=True)
        (args.cache / name).write_text(json.dumps(result, indent=1) + "\n")
    jpath, mpath = add_paper_rows(args.card, result)
    _log(f"wrote {jpath} and {mpath} in {result['seconds']:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
