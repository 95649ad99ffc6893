"""Benchmark: first scan and unchanged rescan of a 10,000-file synthetic library.

    python -m tests.bench_scan [--n 10000] [--workers N] [--dir DIR]

Prints files/s for the first (cold database, warm page cache) scan and seconds for an unchanged rescan.
"""
from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from pathlib import Path

from moodplayer.library.scanner import scan, walk
from moodplayer.library.store import connect
from tests.synthlib import make_synthetic_library


def _cpu() -> float:
    """CPU seconds of this process and its finished workers: a figure that other load cannot inflate."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--workers", type=int, default=os.cpu_count())
    ap.add_argument("--dir", type=Path, default=None, help="reuse a generated library here")
    args = ap.parse_args()
    root = args.dir or Path(tempfile.mkdtemp(prefix="moodplayer-bench-"))
    if not any(root.rglob("*.*")):
        t = time.perf_counter()
        make_synthetic_library(root, n=args.n, seed=0)
        print(f"generated {args.n} files in {time.perf_counter() - t:.1f} s")
    walk(root)  # warm the page cache: the goal is a warm first scan
    with tempfile.TemporaryDirectory() as d:
        conn = connect(Path(d) / "lib.db")
        cpu0 = _cpu()
        r1 = scan(conn, root, workers=args.workers)
        cpu1 = _cpu()
        r2 = scan(conn, root, workers=args.workers)
        print(f"first scan:       {r1.found} files in {r1.seconds:.2f} s = {r1.found / r1.seconds:,.0f} files/s "
              f"(workers={args.workers}, errors={len(r1.errors)})")
        print(f"                  CPU {cpu1 - cpu0:.1f} s = {r1.found / (cpu1 - cpu0):,.0f} files per CPU-second "
              f"(the rate one idle core would give; load average {os.getloadavg()[0]:.1f})")
        print(f"unchanged rescan: {r2.found} files in {r2.seconds:.2f} s (read {r2.read})")


if __name__ == "__main__":
    main()
