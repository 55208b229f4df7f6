"""The frozen executable's entry point: the same `vst_desktop.cli.main` as the console script.

`vst-desktop train ...` re-invokes this executable (sys.executable is the bundle's binary), so the one
file serves the window, the command line and the training process.

`VST_STARTUP_PROBE=1` (used by packaging/smoke_test.sh) prints, once, the seconds from process start to
the first frame shown with a style, and then quits the app with exit code 0. It is a measurement hook
only: it wraps nothing unless the variable is set.
"""

from __future__ import annotations

import multiprocessing
import os
import sys


def _process_age_s() -> float:
    """Seconds since this process was exec'd (Linux /proc), so the bootloader's own time counts too."""
    try:
        with open("/proc/self/stat", encoding="ascii") as f:
            start_ticks = int(f.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime", encoding="ascii") as f:
            uptime = float(f.read().split()[0])
        return uptime - start_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return float("nan")


_PROBE_SEEN: list[float] = []  # filled once by the probe; a list so the closure can append


def _install_startup_probe() -> None:
    from vst_desktop.ui.live import main_window

    cls = main_window.MainWindow
    original_init = cls.__init__

    def init(self, *args, **kwargs):
        original_init(self, *args, **kwargs)

        def on_shown() -> None:
            result = self.last_result
            if result is None or not result.style_id or getattr(self, "_probe_done", False):
                return
            self._probe_done = True
            _PROBE_SEEN.append(_process_age_s())
            print(f"startup-probe: first stylized frame ({result.style_id}) after {_PROBE_SEEN[0]:.2f} s",
                  flush=True)
            from PySide6.QtCore import QTimer

            QTimer.singleShot(0, self.close)  # the last window: closing it stops the engine and quits

        self.result_shown.connect(on_shown)

    cls.__init__ = init


def _main() -> int:
    multiprocessing.freeze_support()
    if os.environ.get("VST_STARTUP_PROBE") == "1":
        _install_startup_probe()
    from vst_desktop.cli import main

    code = main()
    if os.environ.get("VST_STARTUP_PROBE") == "1" and not _PROBE_SEEN:
        print(f"startup-probe: the app exited (code {code}) before showing a stylized frame", flush=True)
    return code


if __name__ == "__main__":
    sys.exit(_main())
