"""Quitting cleanly from outside the window: Ctrl+C in the terminal or SIGTERM from the session.

Both end in `app.quit()`; the window closes on `aboutToQuit`, which stops the worker, finalises a running
recording and saves the settings, exactly as when the person closes the window.
"""

from __future__ import annotations

import signal

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

_WAKE_MS = 250  # Python runs signal handlers only between bytecodes; the Qt loop is C++, so tick it


def install_quit_on_signals(app: QApplication) -> QTimer:
    """Returns the wake-up timer (parented to the app, so it lives as long as the app)."""
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_args: app.quit())
    timer = QTimer(app)
    timer.timeout.connect(lambda: None)
    timer.start(_WAKE_MS)
    return timer
