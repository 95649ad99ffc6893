"""What the window says about a failed background task: a short line and the details (no Qt here).

Decisions go by the exception's type, never by searching its text. The core's error classes are
looked up in ``sys.modules`` rather than imported: an instance of ModelError means its module is
loaded already, and the window's start path stays free of numpy and mutagen.
"""
from __future__ import annotations

import sys
import traceback
from dataclasses import dataclass
from pathlib import Path

# (module, class) of the errors whose message already names the file and the reason
_MODEL_ERRORS = (("moodplayer.onnx_session", "ModelError"), ("moodplayer.analysis.music_model", "ModelError"))
_PLAIN = (
    ("moodplayer.library.store", "LibraryError"),
    *_MODEL_ERRORS,
    ("moodplayer.analysis.service", "AnalysisError"),
    ("moodplayer.library.scanner", "ScanError"),
)


@dataclass(frozen=True)
class Problem:
    short: str     # one line for the status bar
    details: str   # the file and the reason, and for a bug its traceback


def _is(exc: BaseException, module: str, name: str) -> bool:
    cls = getattr(sys.modules.get(module), name, None)
    return isinstance(cls, type) and isinstance(exc, cls)


def is_plain(exc: BaseException) -> bool:
    """An error that explains itself (database, model, worker or file trouble): no traceback needed."""
    return isinstance(exc, OSError) or any(_is(exc, m, n) for m, n in _PLAIN)


def _model_missing(exc: BaseException) -> bool:
    """A model error because the files are not there (rather than there but unusable)."""
    from moodplayer.paths import models_dir

    return isinstance(exc.__cause__, FileNotFoundError) or not any(models_dir().glob("music*.onnx"))


def describe(exc: BaseException, doing: str, log_file: Path | None = None) -> Problem:
    """The short message and the details for ``exc``, raised while ``doing`` ("scanning ~/Music").

    A ModelError reaches the window only from the mood analysis, hence "music model".
    """
    reason = str(exc) or type(exc).__name__
    if any(_is(exc, m, n) for m, n in _MODEL_ERRORS):
        short = ("No music model installed: tracks are listed but not placed on the pad."
                 if _model_missing(exc) else
                 "The music model cannot be used: tracks are listed but not placed on the pad.")
    elif _is(exc, "moodplayer.library.store", "LibraryError"):
        short = "The library database cannot be used."
    elif is_plain(exc):
        short = f"{doing[:1].upper()}{doing[1:]} stopped: {reason.splitlines()[0][:160]}"
    else:
        short = f"Something went wrong while {doing} ({type(exc).__name__})."
    details = f"While {doing}:\n{reason}"
    if not is_plain(exc):
        details += "\n\n" + "".join(traceback.format_exception(exc)).rstrip()
    if log_file is not None:
        details += f"\n\nThe log file has the full record: {log_file}"
    return Problem(short, details)
