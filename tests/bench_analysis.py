"""Benchmark: background analysis of real 2–5 minute tracks, against decoding the same windows only.

    python -m tests.bench_analysis [--files 200] [--workers 1 2]

Builds a library of the real test media repeated to --files files, analyses it from scratch with
each worker count, and times decode-only of the same windows with the same number of processes
(the limit this stage can approach). Prints tracks/s, the ratio, and peak memory.
"""
from __future__ import annotations

import argparse
import resource
import shutil
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

from moodplayer.analysis.service import analyze_library
from moodplayer.library.scanner import scan
from moodplayer.library.store import connect
from tests.media import ensure


def _decode_only(paths: list[str]) -> int:
    from moodplayer.analysis.decode import decode_windows

    for p in paths:
        decode_windows(p, 8)
    return len(paths)


def _peak_mib() -> tuple[float, float]:
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return me, kids


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=200)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = ap.parse_args()
    media = ensure()
    with tempfile.TemporaryDirectory() as d:
        root = Path(d) / "music"
        files = []
        for i in range(args.files):
            t = media.tracks[i % len(media.tracks)]
            dst = root / f"{i // len(media.tracks):03d}" / t["path"].name
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(t["path"], dst)
            files.append(str(dst))
        print(f"{len(files)} files (test media x{args.files / len(media.tracks):.1f})")
        for w in args.workers:
            db = Path(d) / f"lib{w}.db"
            scan(connect(db), root, workers=w)
            rep = analyze_library(db, workers=w)
            chunks = [files[i::w * 4] for i in range(w * 4)]
            t0 = time.perf_counter()
            with ProcessPoolExecutor(w, mp_context=get_context("spawn")) as pool:
                list(pool.map(_decode_only, chunks))
            dec = time.perf_counter() - t0
            print(f"workers={w}: analysis {rep.done} tracks in {rep.seconds:.1f} s = {rep.rate:.1f} tracks/s "
                  f"({rep.provider}); decode-only {dec:.1f} s = {len(files) / dec:.1f} tracks/s; "
                  f"ratio analysis/decode = {rep.seconds / dec:.2f}x")
        me, kids = _peak_mib()
        print(f"peak RSS: coordinator {me:.0f} MiB, largest worker {kids:.0f} MiB")


if __name__ == "__main__":
    main()
