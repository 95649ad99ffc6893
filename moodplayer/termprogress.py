"""A one-line terminal progress bar (done / total, rate, time left) for long headless jobs."""
from __future__ import annotations

import sys
import time
from typing import TextIO


class ProgressBar:
    """Redraws at most every ``interval`` seconds; silent when the stream is not a terminal."""

    def __init__(self, label: str, unit: str = "files", stream: TextIO | None = None,
                 interval: float = 0.1, force: bool = False) -> None:
        self.label, self.unit = label, unit
        self.stream = stream or sys.stderr
        self.enabled = force or (hasattr(self.stream, "isatty") and self.stream.isatty())
        self.interval = interval
        self.t0 = time.perf_counter()
        self._last = 0.0
        self._drawn = False

    def __call__(self, done: int, total: int) -> None:
        t = time.perf_counter()
        if not self.enabled or (t - self._last < self.interval and done < total):
            return
        self._last = t
        elapsed = max(t - self.t0, 1e-9)
        rate = done / elapsed
        width = 30
        filled = int(width * done / total) if total else width
        left = (total - done) / rate if rate > 0 and total else 0.0
        line = (f"\r{self.label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total} {self.unit}"
                f"  {rate:,.0f} {self.unit}/s  {_fmt(left)} left ")
        self.stream.write(line)
        self.stream.flush()
        self._drawn = True

    def close(self) -> None:
        if self._drawn:
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = False


def _fmt(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds >= 3600:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    if seconds >= 60:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds}s"
