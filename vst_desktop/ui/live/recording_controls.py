"""Recording and snapshots: the Record button's states, the elapsed time and size, where files go.

The worker records what the view shows (ui/live/worker.py); this part turns its signals into the button's
text and icon, the overlay in the view, and the messages when a recording is saved or fails.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog

from vst_desktop.core import paths
from vst_desktop.recording.disk import format_bytes
from vst_desktop.ui.common import icons
from vst_desktop.ui.common.notify import Level


def format_elapsed(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 60:02d}:{s % 60:02d}" if s < 3600 else f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}"


class RecordingControls(QObject):
    """Owned by the MainWindow; `connect_worker()` once the engine exists, `toggle` on the Record action."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self._window = window
        self.path = ""  # the file being written, once the worker has started it
        self.last_result = None  # RecordingResult of the most recent recording

    def connect_worker(self, worker) -> None:
        worker.recording_started.connect(self._on_started)
        worker.recording_progress.connect(self._on_progress)
        worker.recording_stopped.connect(self._on_stopped)
        worker.recording_failed.connect(self._on_failed)
        worker.snapshot_saved.connect(lambda p: self._window.notifier.status(f"Snapshot saved: {p}", 6000))
        worker.snapshot_failed.connect(lambda m: self._window.notify(Level.ERROR, m, "snapshot"))

    def recordings_dir(self) -> Path:
        folder = self._window.settings.recordings_dir
        return Path(folder) if folder else paths.default_recordings_dir()

    def toggle(self, on: bool) -> None:
        w = self._window
        if on:
            info, settings = w.source_info, w.settings
            fps = round(info.fps) if info and info.fps else settings.fps
            w.act_record.setText("Starting…")
            w.engine.start_recording(str(self.recordings_dir()), int(fps))
        else:
            w.act_record.setText("Finishing…")
            w.engine.stop_recording()

    def _on_started(self, path: str) -> None:
        self.path = path
        self._window.act_record.setIcon(icons.stop_icon())
        self._on_progress(0.0, 0)

    def _on_progress(self, elapsed: float, size: int) -> None:
        text = f"{format_elapsed(elapsed)}  ·  {format_bytes(size)}"
        self._window.act_record.setText(text)
        self._window.view.set_recording_text(text)

    def _reset_button(self) -> None:
        act = self._window.act_record
        act.blockSignals(True)
        act.setChecked(False)
        act.blockSignals(False)
        act.setText("Record")
        act.setIcon(icons.record_icon())
        self._window.view.set_recording_text("")

    def _on_stopped(self, result) -> None:
        self.last_result = result
        self._reset_button()
        if result.error is not None:
            self._window.notify(Level.ERROR, result.error.user_text(), "recording")
        else:
            self._window.notifier.status(f"Saved {result.path.name}: {format_elapsed(result.duration_s)}, "
                                         f"{format_bytes(result.bytes)}", 8000)

    def _on_failed(self, message: str) -> None:
        self._reset_button()
        self._window.notify(Level.ERROR, f"Recording could not start. {message}", "recording")

    def snapshot(self) -> None:
        self._window.engine.snapshot(str(self.recordings_dir()))

    def open_folder(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.recordings_dir())))

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self._window, "Recordings folder", str(self.recordings_dir()))
        if folder:
            self._window.settings.recordings_dir = folder
            self._window.notifier.status(f"Recordings go to {folder}", 5000)
