"""Logging for the whole process, set up once by the entry points (no Qt here).

Records go to a rotating file under the XDG state directory
(``$XDG_STATE_HOME/moodplayer/moodplayer.log``, ``~/.local/state/moodplayer/moodplayer.log``), so an
error the window summarised in one line can be read in full afterwards, and to stderr when stderr is
a terminal. The stderr handler looks ``sys.stderr`` up at each record, so it follows the stream
that :mod:`moodplayer.nativelog` keeps for Python once native chatter is silenced.
"""
from __future__ import annotations

import logging
import logging.handlers
import os
import sys
import threading
from pathlib import Path

LOG_NAME = "moodplayer.log"
MAX_BYTES = 1_000_000
BACKUPS = 3
FILE_FORMAT = "%(asctime)s %(process)d %(threadName)s %(levelname)s %(name)s: %(message)s"

ENV_LOG_FILE = "MOODPLAYER_LOG_FILE"   # set by configure(): spawned workers log to the same file

_lock = threading.Lock()
_configured: dict[str, logging.Handler] = {}


def state_dir() -> Path:
    """Per-user state directory (logs): $XDG_STATE_HOME/moodplayer, else ~/.local/state/moodplayer."""
    base = os.environ.get("XDG_STATE_HOME")
    return (Path(base) if base and os.path.isabs(base) else Path.home() / ".local" / "state") / "moodplayer"


def log_path() -> Path:
    """Where the log file is (whether or not it exists yet)."""
    return state_dir() / LOG_NAME


class _CurrentStderr(logging.StreamHandler):
    """A StreamHandler on whatever ``sys.stderr`` is when a record arrives (never a stale stream)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property  # type: ignore[override]
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value: object) -> None:
        pass   # always the current sys.stderr


def _is_terminal() -> bool:
    try:
        return bool(sys.stderr is not None and sys.stderr.isatty())
    except (OSError, ValueError, AttributeError):
        return False


def configure(*, console: bool | None = None, level: int = logging.INFO) -> Path | None:
    """Send log records to the log file and (``console``, default: stderr is a terminal) to stderr.

    Safe to call more than once: handlers are added once per process. Returns the log file, or None
    when it cannot be written (a read-only home): logging then goes on without the file.
    """
    with _lock:
        root = logging.getLogger()   # WARNING for other libraries, ``level`` for ours
        logging.getLogger("moodplayer").setLevel(level)
        if "file" not in _configured:
            path = log_path()
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                if not os.access(path.parent, os.W_OK):
                    raise PermissionError(f"{path.parent}: not writable")
                handler: logging.Handler = logging.handlers.RotatingFileHandler(
                    path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8", delay=True)
            except OSError:
                handler = logging.NullHandler()
            handler.setFormatter(logging.Formatter(FILE_FORMAT))
            root.addHandler(handler)
            _configured["file"] = handler
            _hook_uncaught(handler)
            if isinstance(handler, logging.FileHandler):
                os.environ[ENV_LOG_FILE] = handler.baseFilename
        if "console" not in _configured and (_is_terminal() if console is None else console):
            handler = _CurrentStderr()
            handler.setLevel(logging.WARNING)
            handler.setFormatter(logging.Formatter("moodplayer: %(levelname)s: %(message)s"))
            root.addHandler(handler)
            _configured["console"] = handler
    return current_log_file()


def current_log_file() -> Path | None:
    """The log file records are going to, or None when :func:`configure` has not set one up."""
    handler = _configured.get("file")
    return Path(handler.baseFilename) if isinstance(handler, logging.FileHandler) else None


def _hook_uncaught(handler: logging.Handler) -> None:
    """Uncaught exceptions (a bug in a Qt slot, say) also go to the log file; Python still prints
    them to stderr as before, so they are not printed twice."""
    previous = sys.excepthook

    def hook(kind: type[BaseException], value: BaseException, tb: object) -> None:
        if not issubclass(kind, KeyboardInterrupt):
            record = logging.getLogger("moodplayer").makeRecord(
                "moodplayer", logging.CRITICAL, __file__, 0, "uncaught exception", None, (kind, value, tb))
            handler.handle(record)
        previous(kind, value, tb)

    hook.previous = previous  # type: ignore[attr-defined]
    sys.excepthook = hook


def reset() -> None:
    """Undo :func:`configure` (for tests, which configure logging more than once per process)."""
    with _lock:
        root = logging.getLogger()
        for handler in _configured.values():
            root.removeHandler(handler)
            handler.close()
        _configured.clear()
        os.environ.pop(ENV_LOG_FILE, None)
        logging.getLogger("moodplayer").setLevel(logging.NOTSET)
        previous = getattr(sys.excepthook, "previous", None)
        if previous is not None:
            sys.excepthook = previous


def configure_worker() -> None:
    """In a worker process (scan or analysis): its records go to the parent's log file, appended
    (the parent alone rotates it), and native chatter is silenced. Nothing when the parent set up
    no log file (a library call from a test): workers then write no file at all."""
    from moodplayer.nativelog import silence_native_stderr

    silence_native_stderr()
    path = os.environ.get(ENV_LOG_FILE)
    with _lock:
        if not path or "file" in _configured:
            return
        try:
            handler: logging.Handler = logging.FileHandler(path, mode="a", encoding="utf-8", delay=True)
        except OSError:
            return
        handler.setFormatter(logging.Formatter(FILE_FORMAT))
        logging.getLogger().addHandler(handler)
        logging.getLogger("moodplayer").setLevel(logging.INFO)
        _configured["file"] = handler


def start_process(*, console: bool | None = None) -> Path | None:
    """What every entry point does first: logging set up, native decoder chatter silenced."""
    from moodplayer.nativelog import silence_native_stderr

    path = configure(console=console)
    silence_native_stderr()
    return path
