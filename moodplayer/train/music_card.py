"""The model card of the music valence/arousal model (JSON for the app, Markdown for people).

Every figure comes from the training run's own results; nothing here is typed in except the seed
paper's published numbers, which are quoted for comparison.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from moodplayer.train.music_fit import DIMS

# Seed paper, Table 3 (its own 80/20 split of 2028 items; averaged over valence and energy).
PAPER_TABLE3 = {
    "cnn_lstm": {"r2": 0.413, "rmse": 0.178, "mae": 0.139},
    "cnn": {"r2": 0.317},
    "lstm": {"r2": 0.234},
}
KEYS = ("mse", "rmse", "mae", "r2")


def summarize(folds: list[dict]) -> dict:
    """Mean and standard deviation over folds of each metric for valence, arousal and their mean."""
    out: dict = {}
    for dim in (*DIMS, "mean"):
        out[dim] = {}
        for k in KEYS:
            vals = np.array([f["metrics"][dim][k] for f in folds])
            out[dim][k] = {"mean": float(vals.mean()), "std": float(vals.std(ddof=0))}
    return out


def write_card(out_dir: Path, card: dict) -> tuple[Path, Path]:
    out_dir = Path(out_dir)
    jpath, mpath = out_dir / "music_va.json", out_dir / "music_va.md"
    jpath.write_text(json.dumps(card, indent=1) + "\n")
    mpath.write_text(render_markdown(card))
    return jpath, mpath


def _pm(s: dict) -> str:
    return f"{s['mean']:.3f} ± {s['std']:.3f}"


def render_markdown(card: dict) -> str:
    cv = card["cross_validation"]
    lines = [
        f"# Music valence/arousal model — `{card['version']}`",
        "",
        f"File `{card['file']}`: input `{card['input']['name']}` float32 {card['input']['shape']} "
        f"({card['input']['preprocessing']}), output `{card['output']['name']}` float32 "
        f"{card['output']['shape']} = {card['output']['meaning']}.",
        "",
        "## Data",
        f"{card['data']['items']} mel-spectrogram images (128×256, one 5.92 s window per song) with Spotify "
        f"valence and energy (= arousal) labels, from `{card['data']['source']}`. The seed paper's 20 % test "
        "split is not available, so all figures below are "
        f"{cv['folds']}-fold cross-validation (scikit-learn KFold, shuffle, seed {cv['seed']}) on these items; "
        "every architecture sees the same folds. "
        f"{card['data']['near_duplicate_pairs']} pairs of near-identical images (correlation > 0.99) exist, "
        f"{card['data']['near_duplicate_pairs_across_folds']} of them split across folds.",
        "",
        "## Cross-validation (mean ± std over folds; R² and errors on the 0..1 scale)",
        "",
        "| config | params | epochs | dim | MSE | RMSE | MAE | R² | paper (80/20) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, res in cv["configs"].items():
        s = res["summary"]
        paper = PAPER_TABLE3.get(name, {})
        ptxt = ", ".join(f"{k.upper() if k != 'r2' else 'R²'} {v}" for k, v in paper.items()) or "—"
        for dim in (*DIMS, "mean"):
            lines.append(
                f"| {name if dim == DIMS[0] else ''} | {res['params'] if dim == DIMS[0] else ''} | "
                f"{res['epochs'] if dim == DIMS[0] else ''} | {dim} | {_pm(s[dim]['mse'])} | {_pm(s[dim]['rmse'])} | "
                f"{_pm(s[dim]['mae'])} | {_pm(s[dim]['r2'])} | {ptxt if dim == 'mean' else ''} |")
    lines += ["", "Configs (the paper's models are scaled down to fit a shared CPU: a 2×2 average pool on the "
                  "input and conv widths 8-16-32-32; see moodplayer/train/music_models.py):"]
    lines += [f"- `{n}`: {r['note']} (CV wall time {r['wall_s']:.0f} s)" for n, r in cv["configs"].items()]
    fin = card["final"]
    goal = card["goal"]
    lines += [
        "",
        "## Shipped model",
        f"Chosen by highest mean cross-validated R²: **`{fin['config']}`** ({fin['note']}), "
        f"{fin['params']} parameters, retrained on all {card['data']['items']} items for {fin['epochs']} epochs "
        f"(seed {fin['seed']}, {fin['wall_s']:.0f} s). Its cross-validated estimate: mean R² "
        f"{_pm(cv['configs'][fin['config']]['summary']['mean']['r2'])}, RMSE "
        f"{_pm(cv['configs'][fin['config']]['summary']['mean']['rmse'])}.",
        f"Goal (mean R² ≥ {goal['r2']}, RMSE ≤ {goal['rmse']}): **{'met' if goal['met'] else 'not met'}**.",
        f"Export: {fin['exporter']}; onnxruntime vs torch max abs diff {fin['onnx_max_abs_diff']:.2e}.",
        "",
        "Reproduction check (not a held-out estimate — the shipped model trained on these items): "
        f"on the last fold's {len(card['reference_subset']['ids'])} validation items the ONNX file gives "
        f"mean R² {card['reference_subset']['metrics']['mean']['r2']:.4f}, RMSE "
        f"{card['reference_subset']['metrics']['mean']['rmse']:.4f} (tests/test_music_model.py recomputes this).",
        "",
        "## Reproduce",
        f"`{card['command']}`  ",
        "(runs cross-validation of every config, then the final fit; `--stage cv --configs NAME` and "
        "`--stage final` run the parts separately, e.g. in parallel processes).  ",
        f"Sum of the runs' wall times {card['wall_s_total']:.0f} s on {card['environment']['hardware']}; "
        f"torch {card['environment']['torch']}, onnx {card['environment']['onnx']}, "
        f"onnxruntime {card['environment']['onnxruntime']}, Python {card['environment']['python']}.",
        "",
        "## Limits",
        "Trained on one 6 s window per song with whole-song Spotify labels; the app averages several windows "
        "per track. Spotify 'energy' is a loudness/intensity-driven measure, and valence is the harder "
        "dimension (see the per-dimension rows). Western popular music dominates the data.",
        "",
    ]
    return "\n".join(lines)
