"""Guard against a reference-count bug of PySide6 6.12 on CPython < 3.12: None and True are made immortal.

Measured here (PySide6 6.12.0, CPython 3.11.7): every call of a void Qt method from Python
(`QLabel.setEnabled`, `QPainter.drawLine`, `QProgressBar.setValue`, ...) returns None without taking a
reference, so each call removes one reference from the `None` singleton; 30 000 `setEnabled(True)` calls
abort the interpreter with "Fatal Python error: none_dealloc". signals.py already hands back the reference
to True that each Python-side emit drops, but the None leak is in every void call, so a window that
repaints curves and updates a progress bar for an hour of training would crash.

CPython 3.12 made these singletons immortal (PEP 683), which is why the bug is harmless there. This module
does the same on older interpreters where the leak is detected: it adds 2**40 references to None, True and
False once, so their counts can never reach zero. Nothing is ever freed wrongly: the singletons are never
freed anyway while the interpreter runs.
"""

from __future__ import annotations

import ctypes
import functools
import sys

from PySide6.QtCore import QObject

_PROBE_CALLS = 64
_HEADROOM = 1 << 40


def void_calls_drop_none() -> bool:
    """True when a void Qt call loses a reference to None (checked with 64 calls)."""
    probe = QObject()
    before = sys.getrefcount(None)
    for _ in range(_PROBE_CALLS):
        probe.setObjectName("probe")
    return before - sys.getrefcount(None) >= _PROBE_CALLS // 2


@functools.cache
def make_singletons_immortal() -> bool:
    """Give None, True and False enough references to outlive any leak; True when it was needed."""
    if sys.version_info >= (3, 12) or not void_calls_drop_none():
        return False
    for obj in (None, True, False):
        ctypes.c_ssize_t.from_address(id(obj)).value += _HEADROOM
    return True
