"""Keep native decoder chatter (libmpg123's "Note: Illegal Audio-MPEG-Header…") off the terminal.

C libraries write straight to file descriptor 2. We point fd 2 at /dev/null and give Python's
``sys.stderr`` a private duplicate of the real terminal, so our own messages still show while the
libraries' notes, which repeat what we already report per file, do not.
"""
from __future__ import annotations

import os
import sys


def silence_native_stderr() -> None:
    """Redirect fd 2 to /dev/null for the rest of the process; Python's stderr keeps working."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)
        sys.stderr = os.fdopen(saved, "w", buffering=1, encoding=sys.stderr.encoding or "utf-8",
                               errors="backslashreplace")
    except (OSError, ValueError, AttributeError):
        pass  # no real stderr (a GUI launched without a terminal): nothing to protect
