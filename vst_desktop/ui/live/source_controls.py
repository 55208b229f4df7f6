"""Source handling: which camera, clip or file plays, what happens when it cannot open or drops out.

The side panel's Source and Format pickers and File → Open video file come here; the worker opens the
source on its own thread (capture/sources.py) and reports back, and this part shows the name and size in
the status bar, or falls back to the demo clip with a banner that says why.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog

from vst_desktop.capture.sources import DEMO, describe_spec
from vst_desktop.core.errors import VstError
from vst_desktop.ui.common.notify import Level
from vst_desktop.ui.live.side_panel import OPEN_FILE

log = logging.getLogger(__name__)

VIDEO_FILTER = "Videos and images (*.mp4 *.mov *.mkv *.avi *.webm *.gif *.png *.jpg *.jpeg);;All files (*)"


def available_cameras() -> list:
    """The cameras to offer; none (and a line in the log) when listing them fails."""
    from vst_desktop.capture.camera import list_cameras

    try:
        return list(list_cameras())
    except (VstError, OSError) as exc:
        log.warning("listing cameras failed: %s", exc)
        return []


class SourceControls(QObject):
    """Owned by the MainWindow; `spec` is the source asked for, `info` the one playing (None at first)."""

    def __init__(self, window, spec: str) -> None:
        super().__init__(window)
        self._window = window
        self.spec = spec
        self.info = None

    def connect_worker(self, worker) -> None:
        worker.source_opened.connect(self._on_opened)
        worker.source_failed.connect(self._on_failed)
        worker.source_problem.connect(self._on_problem)
        worker.source_recovered.connect(self._on_recovered)

    def connect_panel(self, panel) -> None:
        panel.source_chosen.connect(self._on_chosen)
        panel.format_chosen.connect(self._on_format_chosen)

    def choose(self, spec: str) -> None:
        """Switch to a camera, the demo clip or a file; the picture keeps its last frame while it opens."""
        w = self._window
        self.spec = spec
        w.settings.camera = spec
        w.panel.select_source(spec)
        w.notifier.clear("source")
        w.notifier.clear("camera-lost")
        w.view.set_placeholder(f"Opening {describe_spec(spec)}…")
        w.engine.set_source(spec, w.settings.resolution, w.settings.fps)

    def open_video_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self._window, "Open a video or image", str(Path.home()),
                                              VIDEO_FILTER)
        if path:
            self.choose(path)
        else:
            self._window.panel.revert_source()

    def _on_chosen(self, spec: str) -> None:
        if spec == OPEN_FILE:
            self.open_video_file()
        else:
            self.choose(spec)

    def _on_format_chosen(self, width: int, height: int, fps: int) -> None:
        settings = self._window.settings
        settings.resolution, settings.fps = (width, height), fps
        if self.spec.startswith("camera:") or not self.spec:
            self.choose(self.spec)

    def _on_opened(self, info) -> None:
        w = self._window
        self.info = info
        w.source_label.setText(f"{info.name}  ·  {info.width}×{info.height}  ·  {info.fps:.0f} fps")
        # Resolution and frame rate are requests to a camera; files and the demo clip have their own.
        w.panel.format.setEnabled(info.kind == "camera")
        if info.kind == "camera":
            w.notifier.clear("no-camera")

    def _on_failed(self, spec: str, message: str) -> None:
        w = self._window
        if spec == DEMO:
            w.notify(Level.ERROR, f"Nothing can be shown: {message}", "source")
            return
        w.notify(Level.WARNING, f"{describe_spec(spec).capitalize()} could not be opened. {message} The demo "
                 "clip plays instead.", "source")
        self.spec = DEMO
        w.panel.select_source(DEMO)
        w.engine.set_source(DEMO, w.settings.resolution, w.settings.fps)

    def _on_problem(self, message: str) -> None:
        self._window.notify(Level.WARNING, f"{message} Trying to reconnect…", "camera-lost")

    def _on_recovered(self) -> None:
        self._window.notifier.clear("camera-lost")
        self._window.notifier.status("The camera is back.", 5000)
