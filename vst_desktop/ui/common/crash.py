"""What happens when the app itself fails: a crash log, one message, and a word at the next start.

* `faulthandler` writes the Python stacks of a fatal error (a segfault in a native library, an abort such
  as PySide6's "none_dealloc", see qt_workarounds.py) to `crash.log` in the log folder. A clean exit
  removes the empty file; a crash leaves it behind with the stacks in it.
* An exception nobody caught (in a slot, a timer, an event handler) goes to the log file with its
  traceback and is shown once as a banner; the app keeps running, as Qt does after such an exception.
* At the next start a non-empty `crash.log` is kept as `last-crash.log` and the window says that the last
  run ended unexpectedly, with that path (as qutebrowser does).
"""

from __future__ import annotations

import faulthandler
import logging
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import IO

log = logging.getLogger(__name__)

CRASH_LOG = "crash.log"
LAST_CRASH_LOG = "last-crash.log"

ShowError = Callable[[str], None]


class CrashHandler:
    """`install()` at start, `uninstall()` after a clean exit; `previous_crash` names the last run's log."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = Path(log_dir)
        self.crash_log = self.log_dir / CRASH_LOG
        self.previous_crash: Path | None = None
        self.show_error: ShowError | None = None  # the window's banner, once there is a window
        self._file: IO[str] | None = None
        self._old_hook = None
        self._reported = False

    def install(self) -> None:
        self.previous_crash = self._keep_previous()
        try:
            self._file = open(self.crash_log, "w", encoding="utf-8")  # noqa: SIM115 - open until exit
            faulthandler.enable(self._file, all_threads=True)
        except OSError as exc:
            log.warning("no crash log: %s", exc)
            self._file = None
        self._old_hook = sys.excepthook
        sys.excepthook = self._excepthook

    def uninstall(self) -> None:
        """After a clean exit: nothing crashed, so the crash log goes."""
        if self._old_hook is not None:
            sys.excepthook = self._old_hook
            self._old_hook = None
        if self._file is not None:
            faulthandler.disable()
            self._file.close()
            self._file = None
            if self.crash_log.exists() and self.crash_log.stat().st_size == 0:
                self.crash_log.unlink()

    def previous_crash_message(self) -> str:
        if self.previous_crash is None:
            return ""
        return (f"vst-desktop ended unexpectedly the last time it ran. What it wrote at the end is in "
                f"{self.previous_crash}; please attach that file when you report the problem.")

    def _keep_previous(self) -> Path | None:
        try:
            if self.crash_log.exists() and self.crash_log.stat().st_size > 0:
                kept = self.log_dir / LAST_CRASH_LOG
                self.crash_log.replace(kept)
                return kept
        except OSError as exc:
            log.warning("the last crash log could not be kept: %s", exc)
        return None

    def _excepthook(self, exc_type, exc, tb) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            (self._old_hook or sys.__excepthook__)(exc_type, exc, tb)
            return
        log.critical("uncaught exception", exc_info=(exc_type, exc, tb), extra={"file_only": True})
        text = "".join(traceback.format_exception_only(exc_type, exc)).strip()
        if self.show_error is not None:
            if not self._reported:  # one message per session: a bug in a timer would repeat every tick
                self._reported = True
                try:
                    self.show_error(text)
                except Exception:  # noqa: BLE001 - never fail inside the hook
                    log.exception("showing the error failed")
        else:
            print(f"vst-desktop: unexpected error: {text} (details in the log file)", file=sys.stderr)
