"""Waiting for a condition inside a nested QEventLoop (the self-test's equivalent of qtbot.waitUntil).

A nested event loop runs the application normally (signals, timers, painting) until the condition
holds or the deadline passes; no hand-written processEvents() loop.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEventLoop, QTimer


def wait_until(condition: Callable[[], bool], timeout_s: float, poll_ms: int = 20) -> bool:
    """True as soon as `condition()` holds; False when `timeout_s` passed first."""
    if condition():
        return True
    loop = QEventLoop()
    deadline = time.monotonic() + timeout_s
    outcome = {"ok": False}

    def check() -> None:
        if condition():
            outcome["ok"] = True
            loop.quit()
        elif time.monotonic() >= deadline:
            loop.quit()

    timer = QTimer()
    timer.timeout.connect(check)
    timer.start(poll_ms)
    loop.exec()
    timer.stop()
    return outcome["ok"]


def wait_for(seconds: float) -> None:
    """Let the application run for `seconds` (e.g. while recording)."""
    wait_until(lambda: False, seconds)
