"""Peak memory of a child process that does not inherit its parent's.

``ru_maxrss`` of a process started from a large one (pytest after many tests: 1.4 GB) carries the
parent's high-water mark across fork and exec on Linux, so it says nothing about the child's own
use. ``VmHWM`` in /proc/self/status belongs to the address space exec created, so the child reads
it on its way out.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path


def own_peak_kib() -> int:
    """This process's own peak resident memory (KiB), since its last exec."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status")


# Runs `moodplayer ARGS`, then writes its own peak to the file named by $MOODPLAYER_PEAK_FILE.
_WRAPPER = """
import atexit, os, runpy, sys
from tests._rss import own_peak_kib
atexit.register(lambda: open(os.environ["MOODPLAYER_PEAK_FILE"], "w").write(str(own_peak_kib())))
sys.argv = ["moodplayer", *sys.argv[1:]]
runpy.run_module("moodplayer", run_name="__main__")
"""


def run_moodplayer(*args: str, cwd: Path, timeout: float = 300) -> tuple[subprocess.CompletedProcess, int]:
    """(the finished ``moodplayer ARGS`` run with bytes output, its own peak resident memory in KiB)."""
    with tempfile.TemporaryDirectory() as tmp:
        peak_file = os.path.join(tmp, "peak")
        env = {**os.environ, "MOODPLAYER_PEAK_FILE": peak_file}
        proc = subprocess.run([sys.executable, "-c", _WRAPPER, *args], cwd=cwd, env=env, capture_output=True,
                              timeout=timeout)
        return proc, int(Path(peak_file).read_text())
