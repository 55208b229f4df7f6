"""Composition root: builds the QApplication, the services and the MainWindow; nothing else."""

from __future__ import annotations

import os

from vst_desktop.core.errors import CameraError


def _choose_source(requested: str | None, saved: str, cameras: list) -> tuple[str, list[tuple[str, str, str]]]:
    """The source to start with and the banner messages that explain the choice."""
    spec = requested if requested is not None else saved
    if spec:
        return spec, []
    if cameras:
        return f"camera:{cameras[0].index}", []
    text = ("No camera was found, so the demo clip is playing. Pick a camera or a video file under "
            "Source on the right, or use File → Open video file.")
    return "demo", [("no-camera", text, "info")]


def build_main_window(source: str | None = None):
    """Services (settings, cameras, styles) and the window built on them; needs a QApplication."""
    from vst_desktop.capture.camera import list_cameras
    from vst_desktop.core.settings import load_settings
    from vst_desktop.styles.library import StyleLibrary
    from vst_desktop.ui.live.main_window import MainWindow

    loaded = load_settings()
    messages = [("settings", loaded.warning, "warning")] if loaded.warning else []
    try:
        cameras = list(list_cameras())
    except (CameraError, OSError):
        cameras = []
    spec, source_messages = _choose_source(source, loaded.settings.camera, cameras)
    library = StyleLibrary()  # corrupt packages land in library.problems; the window names them
    window = MainWindow(loaded.settings, library, spec, cameras=cameras, messages=messages + source_messages)
    library.clean_replaced()  # the app is up: styles replaced by earlier imports are no longer kept
    return window


def run_app(argv: list[str], self_test: bool | str = False, source: str | None = None) -> int:
    """Open the main window and run the event loop; with `self_test`, run the self-test instead (0/1)."""
    if self_test and not os.environ.get("QT_QPA_PLATFORM"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"  # the self-test must not need a screen
    from vst_desktop.core import qt_platform

    # Qt aborts (exit 134) when its platform plugin cannot load; this raises a VstError (exit 2) that
    # names the missing libraries and the apt-get line instead.
    qt_platform.check()
    from PySide6.QtWidgets import QApplication

    from vst_desktop.ui.common import qt_workarounds
    from vst_desktop.ui.common.about_dialog import app_icon, app_version
    from vst_desktop.ui.common.qt_messages import route_qt_messages_to_logging
    from vst_desktop.ui.common.theme import apply_dark_theme

    # PySide6 6.12 on CPython < 3.12 leaks a reference to None on every void Qt call: without this the
    # live view aborts after a few minutes ("none_dealloc"). See common/qt_workarounds.py.
    qt_workarounds.install()
    route_qt_messages_to_logging()
    app = QApplication.instance() or QApplication(list(argv))
    app.setApplicationName("vst-desktop")
    app.setOrganizationName("vst-desktop")
    app.setApplicationVersion(app_version())
    app.setDesktopFileName("vst-desktop")
    app.setWindowIcon(app_icon())
    apply_dark_theme(app)
    if self_test:
        from vst_desktop.ui.live.self_test import run_self_test

        return run_self_test(app, kind=self_test if isinstance(self_test, str) else "app")
    from vst_desktop.core import paths
    from vst_desktop.ui.common.crash import CrashHandler
    from vst_desktop.ui.common.lifecycle import install_quit_on_signals
    from vst_desktop.ui.common.notify import Level

    crash = CrashHandler(paths.log_dir())
    crash.install()
    window = build_main_window(source)
    crash.show_error = window.report_bug
    if crash.previous_crash is not None:
        window.notify(Level.WARNING, crash.previous_crash_message(), "crashed", once=True)
    app.aboutToQuit.connect(window.close)  # every way out stops the worker and keeps a recording
    install_quit_on_signals(app)
    window.show()
    window.reattach_training()
    code = app.exec()
    crash.uninstall()  # reached only by a clean exit: the empty crash log goes
    return code
