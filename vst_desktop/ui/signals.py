"""`emit(signal, *args)`: Signal.emit with a guard against a reference-count bug in PySide6 6.12.

Measured here (PySide6 6.12.0, CPython 3.11): every Python-side `SignalInstance.emit()` returns `True`
without taking a reference, so each call removes one reference from the `True` singleton; after a few
hundred emits CPython aborts with "Fatal Python error: bool_dealloc". On CPython >= 3.12 `True` is
immortal and the bug is harmless. The probe below detects the leak once (a cached constant, not state)
and, only where it exists, gives the reference back after each emit. All ui code emits through here.
"""

from __future__ import annotations

import ctypes
import functools
import sys

from PySide6.QtCore import QObject, Signal

_PROBE_EMITS = 16


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
