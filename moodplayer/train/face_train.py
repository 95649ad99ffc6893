"""Train the face expression CNN on FER+ and ship it as models/face_emotion.onnx with its card.

    python -m moodplayer.train.face_train [--data PATH] [--out models] [--epochs N] [--smoke]
                                          [--work DIR] [--restart] [--arch NAME] [--mix KIND]
                                          [--ema DECAY] [--no-bf16]

Seeded and single-threaded (the build machine is shared). A CPU run outlasts a session, so every
epoch atomically writes the best-on-Valid checkpoint and a "last" checkpoint (model, optimiser,
schedule, RNG streams) into the work folder (default ~/.cache/moodplayer/train/face/, outside
the repository) and appends its line to train.log there. Re-running the same command resumes
after the last completed epoch; once all epochs are done it only exports. Different training
options refuse to resume (the message names the option); --restart starts over. --export-only
exports the best checkpoint as it stands.

Defaults reproduce the shipped 18-epoch model. The long recipe (a wider net, mixup of faces and
their vote distributions, an EMA of the weights evaluated and exported) is options only, e.g.
--arch w40 --epochs 60 --mix mixup --ema 0.999 --no-bf16 (~10 CPU hours on one AVX2 thread).
"""
from __future__ import annotations

import argparse
import os
import random
import shlex
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from moodplayer.train.face_data import (Split, augment, class_weights, load_split,
                                        resolve_data_path, to_tensor)
from moodplayer.train import face_resume
from moodplayer.train.face_model import ARCHS, CLASSES, FaceNet, FlipAveraged
from moodplayer.train.face_recipe import MIX_KINDS, WeightEma, mix_batch
from moodplayer.train.face_resume import (EpochLog, atomic_save, check_same_options, restore_rng, rng_state,
                                          shaping_options, work_paths)

ARCH = ARCHS["small"]   # the default (the shipped model's architecture)


def predict(net: torch.nn.Module, images: np.ndarray, batch: int = 512) -> np.ndarray:
    """Flip-averaged probabilities in fp32, exactly what the exported graph computes."""
    wrapped = FlipAveraged(net).eval()
    out = []
    with torch.inference_mode():
        for i in range(0, len(images), batch):
            x = to_tensor(images[i:i + batch]).contiguous(memory_format=torch.channels_last)
            out.append(wrapped(x).numpy())
    return np.concatenate(out) if out else np.zeros((0, 8), np.float32)


def accuracy(probs: np.ndarray, split: Split) -> float:
    return float((probs.argmax(axis=1) == split.labels).mean()) if len(split.labels) else 0.0


def balanced_accuracy(probs: np.ndarray, split: Split) -> float:
    """Mean per-class recall over the classes present: the rare expressions count as much as neutral."""
    pred = probs.argmax(axis=1)
    recalls = [float((pred[split.labels == c] == c).mean()) for c in range(len(CLASSES)) if (split.labels == c).any()]
    return float(np.mean(recalls)) if recalls else 0.0


def _subset(split: Split, n: int) -> Split:
    return Split(split.name, split.images[:n], split.targets[:n], split.labels[:n], split.names[:n], split.dropped)


def _last_state(epoch: int, net: torch.nn.Module, opt: torch.optim.Optimizer, sched, gen: torch.Generator,
                best: dict, history: list, seconds: float, opts: dict, command: str,
                ema: WeightEma | None) -> dict:
    """Everything a later run needs to carry on exactly where this epoch ended (EMA weights included)."""
    return {"epoch": epoch, "model": net.state_dict(), "optimizer": opt.state_dict(),
            "scheduler": sched.state_dict(), "rng": rng_state(gen), "best": best, "history": history,
            "seconds": seconds, "options": opts, "command": command,
            "ema": ema.state_dict() if ema is not None else None}


def train(args: argparse.Namespace) -> dict | None:
    """Run (or resume) the epochs; return the best-on-Valid checkpoint, None when stopped early.

    After every epoch the best checkpoint (--ckpt) and the "last" checkpoint in the work folder are
    replaced atomically; the same command later resumes from the last one (--restart ignores it).
    """
    log = EpochLog(args.log)
    data = resolve_data_path(args.data)
    opts = shaping_options(args, data)
    resume = None
    if args.last.exists() and not args.restart:
        resume = face_resume.load(args.last)
        check_same_options(resume["options"], opts, args.last)
        if resume["epoch"] >= args.epochs:
            best = resume["best"]
            log(f"all {args.epochs} epochs already done ({args.last}); exporting the best epoch "
                f"{best['epoch']} (valid {best['valid_acc']:.4f}); --restart trains again")
            return best
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    random.seed(args.seed)
    tr, va = load_split(data, "Train"), load_split(data, "Valid")
    if args.smoke:
        tr, va = _subset(tr, args.batch * 3), _subset(va, 256)
    weights = torch.from_numpy(class_weights(tr, args.class_power))
    arch = ARCHS[args.arch]
    net = FaceNet(**arch).to(memory_format=torch.channels_last)
    ema = WeightEma(net, args.ema) if args.ema > 0 else None
    # the EMA weights are evaluated (and exported) in a second net of the same shape
    judged = FaceNet(**arch).to(memory_format=torch.channels_last) if ema is not None else net
    opt = torch.optim.SGD(net.parameters(), lr=args.lr, momentum=0.9, nesterov=True, weight_decay=args.wd)
    steps = (len(tr.images) + args.batch - 1) // args.batch
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=args.lr, epochs=args.epochs, steps_per_epoch=steps,
                                                pct_start=0.15)
    gen = torch.Generator().manual_seed(args.seed)
    images, targets = to_tensor(tr.images), torch.from_numpy(tr.targets)
    smooth = args.label_smoothing
    targets = targets * (1 - smooth) + smooth / targets.shape[1]
    best: dict = {"valid_acc": -1.0}
    history: list = []
    first, seconds_before = 1, 0.0
    if resume is not None:
        net.load_state_dict(resume["model"])
        opt.load_state_dict(resume["optimizer"])
        sched.load_state_dict(resume["scheduler"])
        restore_rng(resume["rng"], gen)
        if ema is not None:
            ema.load_state_dict(resume["ema"])
        best, history = resume["best"], resume["history"]
        first, seconds_before = resume["epoch"] + 1, resume["seconds"]
        log(f"resumed at epoch {first}/{args.epochs} from {args.last} "
            f"(best valid {best['valid_acc']:.4f} at epoch {best['epoch']})")
    else:
        why = "restarted (--restart)" if args.restart and args.last.exists() else "started"
        log(f"{why}: {args.command} (work folder {args.work})")
    t_start = time.time()
    for epoch in range(first, args.epochs + 1):
        net.train()
        t0, c0, total = time.time(), time.process_time(), 0.0
        order = torch.randperm(len(images), generator=gen)
        for b in range(steps):
            idx = order[b * args.batch:(b + 1) * args.batch]
            x = augment(images[idx], gen).contiguous(memory_format=torch.channels_last)
            y = targets[idx]
            x, y = mix_batch(x, y, gen, args.mix, args.mix_alpha, args.mix_prob)
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=not args.no_bf16):
                logits = net(x)
            # class-weighted soft cross-entropy against the FER+ vote distribution
            loss = -(y * weights * F.log_softmax(logits.float(), dim=1)).sum(dim=1).mean()
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            if ema is not None:
                ema.update(net)
            total += loss.item()
            if (b + 1) % 50 == 0:   # progress on stdout only (the log keeps one line per epoch)
                print(f"  epoch {epoch} batch {b + 1}/{steps} loss {total / (b + 1):.4f} "
                      f"({time.process_time() - c0:.0f}s CPU, {time.time() - t0:.0f}s wall)", flush=True)
        if ema is not None:
            ema.copy_to(judged)
        va_probs = predict(judged, va.images)
        va_acc, va_bal = accuracy(va_probs, va), balanced_accuracy(va_probs, va)
        history.append({"epoch": epoch, "loss": round(total / steps, 4), "valid_acc": round(va_acc, 4),
                        "valid_balanced": round(va_bal, 4), "seconds": round(time.time() - t0, 1),
                        "cpu_seconds": round(time.process_time() - c0, 1)})
        log(f"epoch {epoch}/{args.epochs} loss {total / steps:.4f} valid {va_acc:.4f} balanced {va_bal:.4f}"
            f"{' (EMA)' if ema is not None else ''} ({time.time() - t0:.0f}s wall, "
            f"{time.process_time() - c0:.0f}s CPU, "
            f"{time.strftime('%H:%M:%S')})")
        if va_acc > best["valid_acc"]:
            best = {"valid_acc": va_acc, "epoch": epoch,
                    "state": {k: v.detach().clone() for k, v in judged.state_dict().items()}}
        seconds = seconds_before + time.time() - t_start
        best.update(arch=arch, arch_name=args.arch, mix=args.mix, mix_alpha=args.mix_alpha,
                    mix_prob=args.mix_prob, ema=args.ema, history=history, seconds=seconds, epochs=args.epochs,
                    command=args.command, seed=args.seed, data=str(data), smoke=args.smoke,
                    class_weights=weights.tolist(), batch=args.batch, lr=args.lr, wd=args.wd,
                    label_smoothing=smooth, class_power=args.class_power,
                    threads=torch.get_num_threads(), bf16=not args.no_bf16)
        atomic_save(best, args.ckpt)
        atomic_save(_last_state(epoch, net, opt, sched, gen, best, history, seconds, opts, args.command, ema),
                    args.last)
        if args.stop_after_epochs and epoch - first + 1 >= args.stop_after_epochs and epoch < args.epochs:
            log(f"stopped after epoch {epoch} (--stop-after-epochs); the same command resumes at epoch {epoch + 1}")
            return None
    return best


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m moodplayer.train.face_train", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", help="ferplus.npz (default: ../shared/data/ferplus/ferplus.npz beside the repo)")
    p.add_argument("--out", type=Path, help="output folder for the ONNX and card (default: models/; "
                                            "with --smoke a temporary folder)")
    p.add_argument("--epochs", type=int, help="default 18 (1 with --smoke)")
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--lr", type=float, default=0.1)
    p.add_argument("--wd", type=float, default=5e-4)
    p.add_argument("--label-smoothing", type=float, default=0.05)
    p.add_argument("--class-power", type=float, default=0.5, help="class weight = freq^-power (0 = off)")
    p.add_argument("--seed", type=int, default=20240)
    p.add_argument("--no-bf16", action="store_true", help="train in fp32 (bf16 autocast is ~2.5x faster on AMX, "
                                                           "but ~10x slower on a CPU without bf16 units, e.g. AVX2)")
    p.add_argument("--arch", choices=sorted(ARCHS), default="small", help="network size (default small)")
    p.add_argument("--mix", choices=MIX_KINDS, default="none",
                   help="mix pairs of faces and their vote distributions (default none)")
    p.add_argument("--mix-alpha", type=float, default=0.2, help="Beta(alpha, alpha) mixing share (default 0.2)")
    p.add_argument("--mix-prob", type=float, default=1.0, help="share of batches that are mixed (default 1)")
    p.add_argument("--ema", type=float, default=0.0, metavar="DECAY",
                   help="evaluate and export an EMA of the weights with this per-step decay, e.g. 0.999 (0 = off)")
    p.add_argument("--work", type=Path, help="folder for checkpoints and train.log (default "
                                             "~/.cache/moodplayer/train/face; with --smoke the --out folder)")
    p.add_argument("--ckpt", type=Path, help="best-on-Valid checkpoint (default WORK/face_best.pt)")
    p.add_argument("--restart", action="store_true", help="ignore the last checkpoint and train from epoch 1")
    p.add_argument("--stop-after-epochs", type=int, metavar="N",
                   help="stop (without exporting) after N epochs of this run; for tests of resuming")
    p.add_argument("--export-only", action="store_true", help="skip training, export the best checkpoint")
    p.add_argument("--smoke", action="store_true", help="3 batches per epoch, small eval sets, temp out")
    args = p.parse_args(argv)
    args.command = "python -m moodplayer.train.face_train " + shlex.join(argv if argv is not None else sys.argv[1:])
    if args.epochs is None:
        args.epochs = 1 if args.smoke else 18
    if args.epochs < 1 or (args.stop_after_epochs is not None and args.stop_after_epochs < 1):
        p.error("--epochs and --stop-after-epochs must be at least 1")
    if not 0.0 <= args.ema < 1.0 or args.mix_alpha < 0 or not 0.0 <= args.mix_prob <= 1.0:
        p.error("--ema must be in [0, 1), --mix-alpha >= 0 and --mix-prob in [0, 1]")
    if args.smoke:
        args.out = args.out or Path(tempfile.mkdtemp(prefix="face-smoke-"))
    args.out = args.out or Path(__file__).resolve().parents[2] / "models"
    work_paths(args)
    return args


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    torch.set_num_threads(1)
    args = parse_args(argv)
    try:
        args.lock = face_resume.lock_work(args.work)
        if args.export_only:
            ckpt = face_resume.load(args.ckpt)
        else:
            ckpt = train(args)
            if ckpt is None:
                return 0
        from moodplayer.train.face_export import export_and_card  # imported late: a long run picks up fixes

        card = export_and_card(ckpt, args)
    except (FileNotFoundError, KeyError, ValueError) as exc:
        print(f"face_train: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"face_train: interrupted; the same command resumes from {args.last}", file=sys.stderr)
        return 130
    print(f"wrote {args.out / 'face_emotion.onnx'}: Test accuracy {card['test']['accuracy']:.4f}, "
          f"{card['ms_per_face_one_core']:.2f} ms/face")
    return 0


if __name__ == "__main__":
    sys.exit(main())
