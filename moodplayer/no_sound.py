"""What to tell a person whose computer gives us no sound output, in plain words.

PortAudio's own reasons ("Error querying device -1", "Invalid number of channels") mean nothing to
someone who just wants music; they say what to do, and keep PortAudio's words as the detail (for
the log, a tooltip, a bug report). Used by the window and by ``moodplayer play``.
"""
from __future__ import annotations


def no_sound_advice(detail: str | None, *, device: object = None, in_window: bool = True) -> str:
    """One or two sentences: what is wrong and what to try, for a failed or vanished audio output."""
    text = (detail or "").lower()
    if "stopped" in text or "disconnected" in text:
        what = "The sound output stopped (unplugged, or taken by another program)."
    elif device not in (None, ""):
        what = f"The sound output “{device}” cannot be used."
    else:
        what = "No sound output was found."
    where = ("pick another output in Settings (Ctrl+,)" if in_window
             else "name another one with --device (moodplayer --self-test lists them)")
    return (f"{what} Check that speakers or headphones are connected and switched on, and that no "
            f"other program holds the sound card; or {where}.")


# The same advice in short lines, for places with room for a few words (the now-playing bar)
SHORT_TITLE = "No sound output"
SHORT_LINES = ("Connect speakers or headphones,", "or pick an output in Settings (Ctrl+,)")
STATUS_LINE = "No sound output: connect speakers or headphones, or pick an output in Settings (Ctrl+,)."
