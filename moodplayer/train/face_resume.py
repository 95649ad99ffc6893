"""Resumable face training: the work folder, atomic checkpoints, RNG snapshots, option checks.

A CPU run of the face model outlasts a session, so every epoch leaves a complete "last"
checkpoint (model, optimiser, schedule, RNG streams, best-so-far) that the same command picks
up again. Files are written to a temporary name and renamed, so a kill mid-save never leaves a
half-written checkpoint behind.
"""
from __future__ import annotations

import argparse
import os
import random
import tempfile
from pathlib import Path

import numpy as np
import torch

DEFAULT_WORK = Path.home() / ".cache" / "moodplayer" / "train" / "face"
LAST_NAME = "face_last.pt"
BEST_NAME = "face_best.pt"
LOG_NAME = "train.log"

# Options that shape the training run: a resumed run must use the same values.
SHAPING = ("data", "smoke", "epochs", "batch", "lr", "wd", "label_smoothing", "class_power", "seed", "no_bf16",
           "arch", "mix", "mix_alpha", "mix_prob", "ema")
# What a checkpoint written before an option existed implicitly used (so it still resumes).
LEGACY = {"arch": "small", "mix": "none", "mix_alpha": 0.0, "mix_prob": 1.0, "ema": 0.0}


def flag(name: str) -> str:
    """The command-line spelling of an option name (label_smoothing -> --label-smoothing)."""
    return "--" + name.replace("_", "-")


def atomic_save(obj: object, path: Path) -> None:
    """torch.save to a temp file beside `path`, fsync, then os.replace: all or nothing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            torch.save(obj, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load(path: Path) -> dict:
    """Read one of our own checkpoints; a damaged file gets a clear error naming it."""
    try:
        return torch.load(path, weights_only=False, map_location="cpu")
    except FileNotFoundError:
        raise
    except Exception as exc:  # pickle / zip errors from a truncated or foreign file
        raise ValueError(f"{path}: not a readable checkpoint ({type(exc).__name__}: {exc}); "
                         f"delete it or re-run with --restart") from None


def rng_state(gen: torch.Generator) -> dict:
    """Every random stream training draws from: batch order/augmentation, dropout, numpy, python."""
    return {"generator": gen.get_state(), "torch": torch.get_rng_state(),
            "numpy": np.random.get_state(), "python": random.getstate()}


def restore_rng(state: dict, gen: torch.Generator) -> None:
    gen.set_state(state["generator"])
    torch.set_rng_state(state["torch"])
    np.random.set_state(state["numpy"])
    random.setstate(state["python"])


def shaping_options(args: argparse.Namespace, data: Path) -> dict:
    """The option values a resumed run must match (the data path resolved)."""
    opts = {name: getattr(args, name) for name in SHAPING}
    opts["data"] = str(data)
    if opts["mix"] == "none":   # the mixing knobs mean nothing without mixing
        opts["mix_alpha"], opts["mix_prob"] = LEGACY["mix_alpha"], LEGACY["mix_prob"]
    return opts


def check_same_options(saved: dict, now: dict, last: Path) -> None:
    """Refuse to continue a run under different options; name the first option that differs."""
    for name in SHAPING:
        before = saved.get(name, LEGACY.get(name))
        if before != now.get(name):
            raise ValueError(
                f"{last}: the saved run used {flag(name)} {before!r}, this command gives "
                f"{flag(name)} {now.get(name)!r}; re-run with the same options to resume, "
                f"or add --restart to start over")


def work_paths(args: argparse.Namespace) -> None:
    """Fill args.work / args.last / args.log / args.ckpt (the best checkpoint) from the options."""
    if args.work is None:
        args.work = args.out if args.smoke else DEFAULT_WORK
    args.work = args.work.expanduser()
    args.last = args.work / LAST_NAME
    args.log = args.work / LOG_NAME
    if args.ckpt is None:
        args.ckpt = args.work / BEST_NAME


def lock_work(work: Path) -> object:
    """Hold the work folder for this process (released when it exits): a second run of the same
    command would overwrite the first one's checkpoints, so it is refused with the reason."""
    import fcntl

    work.mkdir(parents=True, exist_ok=True)
    handle = (work / "run.lock").open("w")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        raise ValueError(f"another training run is using {work} (its checkpoints would be overwritten); "
                         "wait for it or stop it first") from None
    handle.write(f"{os.getpid()}\n")
    handle.flush()
    return handle


class EpochLog:
    """Print a line and append it to the work folder's log, so a detached run can be followed."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)

    def __call__(self, line: str) -> None:
        print(line, flush=True)
        with self.path.open("a", encoding="utf-8") as f:
            f.write(line + "\n")
