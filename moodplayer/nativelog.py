"""Keep native decoder chatter (libmpg123's "Note: Illegal Audio-MPEG-Header…") off the terminal.

C libraries write straight to file descriptor 2. Once per process we point fd 2 at /dev/null and
give Python's ``sys.stderr`` a private duplicate of the real stream, so our own messages, tracebacks
and log records still show while the libraries' notes, which repeat what we already report per file,
do not. Calling it again is a no-op: a second redirect would duplicate /dev/null and silence Python
too. Worker processes started with spawn inherit the silenced fd 2; their errors travel back to the
parent as exceptions and are reported there.
"""
from __future__ import annotations

import os
import sys
import threading

_lock = threading.Lock()
_saved_fd: int | None = None   # the real stderr, duplicated before fd 2 went to /dev/null


def _is_devnull(fd: int) -> bool:
    try:
        st, null = os.fstat(fd), os.stat(os.devnull)
    except OSError:
        return True   # closed or unknown: nothing on it worth protecting
    return (st.st_dev, st.st_ino) == (null.st_dev, null.st_ino) or st.st_rdev == null.st_rdev != 0


def _on_fd2(stream: object) -> bool:
    try:
        return stream is not None and stream.fileno() == 2  # type: ignore[attr-defined]
    except (OSError, ValueError, AttributeError):
        return False   # a replaced stream (pytest's capture, an IDE console): it does not use fd 2


def silence_native_stderr() -> bool:
    """Point fd 2 at /dev/null for the rest of the process, once; Python's stderr keeps working.

    Returns True when fd 2 is silenced (now or by an earlier call). Python's ``sys.stderr`` is moved
    to a duplicate of the real stream only when it was writing to fd 2; it is never pointed at
    /dev/null, and nothing is done when fd 2 already is /dev/null (a launcher without a terminal).
    """
    global _saved_fd
    with _lock:
        if _saved_fd is not None:
            return True
        if _is_devnull(2):
            return False
        try:
            old = sys.stderr
            if old is not None:
                old.flush()
            saved = os.dup(2)
            if _on_fd2(old):
                stream = os.fdopen(saved, "w", buffering=1, closefd=False,
                                   encoding=getattr(old, "encoding", None) or "utf-8",
                                   errors="backslashreplace")
                sys.stderr = stream
                if sys.__stderr__ is old:
                    sys.__stderr__ = stream   # code that prints to the "original" stderr keeps working
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 2)
            os.close(devnull)
        except (OSError, ValueError):   # no usable stderr at all: nothing to protect
            return False
        _saved_fd = saved
        return True

