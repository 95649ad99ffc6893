"""Guards against known faults of the installed Qt binding, checked once at start-up.

PySide6-Essentials 6.12.0 (abi3 wheel) on Python 3.11 returns ``None`` from every void method
without taking a reference: each call (``update()``, ``setText()``, every ``QPainter.draw*``) lowers
None's reference count by one, and the process aborts with "none_dealloc" after a few thousand calls
(seen here: a pad repaint is ~50 such calls). Python 3.12 made None immortal (PEP 683), which hides
the fault. pyproject should exclude that release; if it is installed anyway we detect the drift and
make None immortal the way 3.12 does, and say so on stderr.
"""
from __future__ import annotations

import ctypes
import sys

_IMMORTAL = 1 << 40


def none_refcount_leaks() -> bool:
    """True when a void PySide6 call drops a reference to None."""
    from PySide6.QtCore import QObject

    obj = QObject()
    before = sys.getrefcount(None)
    for _ in range(64):
        obj.setObjectName("probe")
    return sys.getrefcount(None) < before - 32


def guard_none_refcount() -> bool:
    """Apply the workaround when needed; returns True if it was applied."""
    if sys.version_info >= (3, 12) or not none_refcount_leaks():
        return False
    import PySide6

    ctypes.c_ssize_t.from_address(id(None)).value = _IMMORTAL
    print(f"moodplayer: PySide6 {PySide6.__version__} leaks references to None on Python "
          f"{sys.version_info.major}.{sys.version_info.minor}; worked around (install PySide6-Essentials "
          "6.11.x to avoid it)", file=sys.stderr)
    return True
