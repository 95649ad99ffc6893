"""Text from files (tags, file names) made safe to show: on a terminal and in plain-text widgets.

Tags and file names are untrusted input. A title may hold escape sequences that would drive the
terminal, a file name may hold a newline that splits a listing row, and a name that is not valid
UTF-8 arrives as surrogate escapes that cannot be printed at all. Everything the app shows of them
goes through here.
"""
from __future__ import annotations

import html
import os
import re
from pathlib import PurePath

# C0 controls, DEL and C1 controls: what a terminal may act on instead of printing.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    ch = match.group(0)
    return {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(ch, f"\\x{ord(ch):02x}")


def readable(text: str) -> str:
    """Undecodable bytes (surrogate escapes of a non-UTF-8 name) become U+FFFD, for people to read."""
    return _SURROGATE.sub("\ufffd", text)


def terminal_safe(text: object) -> str:
    """One printable line: control characters shown as escapes (``\\x1b``, ``\\n``), bad bytes as U+FFFD."""
    return _CONTROL.sub(_escape, readable(str(text)))


def display_path(path: str | bytes | PurePath) -> str:
    """A file name as a person should see it: decoded with the file system's encoding, bad bytes as U+FFFD."""
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    return readable(str(path))


def tooltip_html(*lines: object) -> str:
    """Lines of untrusted text as rich text that shows them literally, or "" for no tooltip.

    Qt renders a tooltip as HTML whenever its first line looks like a tag (``Qt::mightBeRichText``),
    so a title such as ``<img src="/any/file">`` would load that file. There is no plain-text switch
    for tooltips: the text is escaped inside a paragraph instead, one escaped line per argument.
    """
    shown = [html.escape(terminal_safe(line), quote=False) for line in lines if line is not None]
    if not any(shown):
        return ""
    return "<p style='white-space:pre'>" + "<br>".join(shown) + "</p>"  # lines as given, unwrapped
