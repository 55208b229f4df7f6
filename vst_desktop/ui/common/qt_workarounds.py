"""Guards against two reference-count bugs of PySide6 6.12 on CPython < 3.12; `install()` once, `emit()` always.

Measured here (PySide6 6.12.0, CPython 3.11.7):

* every Python-side `SignalInstance.emit()` returns `True` without taking a reference, so each call removes
  one reference from the `True` singleton; after a few hundred emits CPython aborts with "Fatal Python
  error: bool_dealloc". `emit(signal, *args)` detects the leak once (a cached probe, not state) and, only
  where it exists, gives the reference back after each emit. All ui code emits through it.
* every call of a void Qt method from Python (`QLabel.setEnabled`, `QPainter.drawLine`,
  `QProgressBar.setValue`, ...) returns None without taking a reference, so each call removes one reference
  from the `None` singleton; 30 000 `setEnabled(True)` calls abort the interpreter with "Fatal Python error:
  none_dealloc". A window that repaints curves and updates a progress bar for an hour would crash.
  `install()` does what CPython 3.12 does (PEP 683, immortal singletons) where the leak is detected: it adds
  2**40 references to None, True and False once, so their counts can never reach zero. Nothing is ever
  freed wrongly: the singletons are never freed anyway while the interpreter runs.

On CPython >= 3.12 both bugs are harmless and both guards do nothing. app.py calls `install()` before the
QApplication exists; tools and tests that build their own application call it too.
"""

from __future__ import annotations

import ctypes
import functools
import sys

from PySide6.QtCore import QObject, Signal

_PROBE_EMITS = 16
_PROBE_CALLS = 64
_HEADROOM = 1 << 40


class _Probe(QObject):
    ping = Signal()


def _give_back_true(count: int = 1) -> None:
    for _ in range(count):
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(True))


@functools.cache
def emit_steals_a_reference() -> bool:
    """True when this PySide6 build drops a reference to `True` on every emit (checked once)."""
    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(_PROBE_EMITS):
        probe.ping.emit()
    lost = before - sys.getrefcount(True)
    buggy = lost >= _PROBE_EMITS // 2  # other threads may touch True meanwhile: allow some noise
    if buggy:
        _give_back_true(_PROBE_EMITS)
    return buggy


def emit(signal, *args) -> None:
    signal.emit(*args)
    if emit_steals_a_reference():
        _give_back_true()


def void_calls_drop_none() -> bool:
    """True when a void Qt call loses a reference to None (checked with 64 calls)."""
    probe = QObject()
    before = sys.getrefcount(None)
    for _ in range(_PROBE_CALLS):
        probe.setObjectName("probe")
    return before - sys.getrefcount(None) >= _PROBE_CALLS // 2


@functools.cache
def install() -> bool:
    """Give None, True and False enough references to outlive any leak; True when it was needed.

    Safe to call more than once (the work is done on the first call).
    """
    emit_steals_a_reference()  # probe now, while no other thread touches True
    if sys.version_info >= (3, 12) or not void_calls_drop_none():
        return False
    for obj in (None, True, False):
        ctypes.c_ssize_t.from_address(id(obj)).value += _HEADROOM
    return True
