"""The crash handler: a fatal error leaves its stacks in crash.log, the next start names that file, and an
exception nobody caught is logged and shown once."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from vst_desktop.ui.common.crash import CRASH_LOG, LAST_CRASH_LOG, CrashHandler


def test_a_fatal_error_is_named_at_the_next_start(tmp_path):
    script = textwrap.dedent(f"""
        import faulthandler
        from vst_desktop.ui.common.crash import CrashHandler
        CrashHandler({str(tmp_path)!r}).install()
        faulthandler._sigsegv()
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=120)
    assert proc.returncode != 0
    assert "Fatal Python error" in (tmp_path / CRASH_LOG).read_text()

    nxt = CrashHandler(tmp_path)
    nxt.install()
    try:
        assert nxt.previous_crash == tmp_path / LAST_CRASH_LOG
        assert "Fatal Python error" in nxt.previous_crash.read_text()
        assert str(tmp_path / LAST_CRASH_LOG) in nxt.previous_crash_message()
    finally:
        nxt.uninstall()
    assert not (tmp_path / CRASH_LOG).exists()  # a clean exit leaves nothing to report

    again = CrashHandler(tmp_path)
    again.install()
    again.uninstall()
    assert again.previous_crash is None and again.previous_crash_message() == ""


def test_an_uncaught_exception_is_logged_and_shown_once(tmp_path, caplog):
    before = sys.excepthook
    handler = CrashHandler(tmp_path)
    shown = []
    handler.show_error = shown.append
    handler.install()
    try:
        for _ in range(3):
            try:
                raise ValueError("broken slot")
            except ValueError:
                sys.excepthook(*sys.exc_info())
    finally:
        handler.uninstall()
    assert shown == ["ValueError: broken slot"]
    assert sum("uncaught exception" in r.message for r in caplog.records) == 3
    assert sys.excepthook is before  # uninstall gives the previous hook back
