""""Train new style…": pick a folder of style images, choose a preset, watch the style being learnt.

The dialog never imports the training engine: it checks folders with OpenCV (core.images), runs
`vst-desktop train ... --progress jsonl` as a separate, lower-priority process (process.py) and draws what
the JSON lines report. A finished run has installed its style; the dialog then emits
`style_installed(id)` so the main window can refresh its gallery and select the new style.

The parts: controller.py does the work (no widgets), setup_page.py (folder, name, preset with the measured
time, content photos, advanced settings, unfinished runs to resume) and run_page.py (progress, loss curves,
sample, log, Stop / Resume / Close) show it; this dialog wires them and asks the questions on closing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QDialog, QMessageBox, QStackedWidget, QVBoxLayout, QWidget

from vst_desktop.trainspec import runs
from vst_desktop.trainspec.config import default_name
from vst_desktop.ui.common.notify import Level
from vst_desktop.ui.common.qt_workarounds import emit
from vst_desktop.ui.training.controller import (
    CAPTURE_FRAMES,
    CAPTURE_SECONDS,
    GrabFrame,
    RunState,
    TrainingController,
)
from vst_desktop.ui.training.run_page import RunPage
from vst_desktop.ui.training.setup_page import SetupPage

log = logging.getLogger(__name__)

SETUP, RUN = 0, 1  # the pages


class TrainingDialog(QDialog):
    """Emits `style_installed(style_id)` when a run finished and its style is in the user's library."""

    style_installed = Signal(str)
    state_changed = Signal(str)  # a RunState

    def __init__(self, parent: QWidget | None = None, grab_frame: GrabFrame | None = None, *,
                 measure_speed: bool = True, reattach: bool = True, capture_frames: int = CAPTURE_FRAMES,
                 capture_seconds: float = CAPTURE_SECONDS) -> None:
        super().__init__(parent)
        self.setWindowTitle("Train a new style")
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        self.resize(980, 720)
        c = self.controller = TrainingController(self, grab_frame, measure_speed=measure_speed,
                                                 capture_frames=capture_frames, capture_seconds=capture_seconds)
        self.process, self.benchmark = c.process, c.benchmark
        self.setup_page = SetupPage(c, self)
        self.run_page = RunPage(self)
        self.pages = QStackedWidget(self)
        self.pages.addWidget(self.setup_page)
        self.pages.addWidget(self.run_page)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 12, 12, 12)
        lay.addWidget(self.pages)

        s, r = self.setup_page, self.run_page
        s.style_folder_chosen.connect(self.set_style_folder)
        s.content_folder_chosen.connect(self.set_content_folder)
        s.capture_requested.connect(lambda: self.start_capture())
        s.start_requested.connect(self.start_training)
        s.resume_requested.connect(self.resume_run)
        s.close_requested.connect(self.close)
        r.background_requested.connect(self.hide)
        r.stop_requested.connect(self.cancel_training)
        r.resume_requested.connect(lambda: self.resume_run(c.run_dir) if c.run_dir else None)
        r.setup_requested.connect(self.show_setup)
        r.close_requested.connect(self.close)
        c.scanned.connect(s.show_scan)
        c.capture_progress.connect(s.show_capture_progress)
        c.capture_finished.connect(s.show_capture_finished)
        c.estimates_changed.connect(s.update_estimates)
        c.run_started.connect(self._on_run_started)
        c.state_changed.connect(self._on_state_changed)
        c.event_received.connect(lambda event: r.show_event(event, c.recent_warnings()))
        c.log_line.connect(r.log)
        c.run_ended.connect(self._on_run_ended)
        c.style_installed.connect(lambda style_id: emit(self.style_installed, style_id))

        s.update_content_controls()
        s.update_estimates()
        s.refresh_unfinished()
        if reattach:
            self.reattach_running()

    # ---- the controller's state, for the main window, the self-test and tests ----
    @property
    def state(self) -> RunState:
        return self.controller.state

    @property
    def style_scan(self):
        return self.controller.style_scan

    @property
    def content_scan(self):
        return self.controller.content_scan

    @property
    def captured_dir(self) -> Path | None:
        return self.controller.captured_dir

    @property
    def run_dir(self) -> Path | None:
        return self.controller.run_dir

    @property
    def events_seen(self) -> dict[str, int]:
        return self.controller.events_seen

    @property
    def end_info(self) -> dict:
        return self.controller.end_info

    @property
    def evaluate(self) -> bool:
        return self.controller.evaluate

    @evaluate.setter
    def evaluate(self, on: bool) -> None:
        self.controller.evaluate = on

    @property
    def grab_frame(self) -> GrabFrame | None:
        return self.controller.grab_frame

    @grab_frame.setter
    def grab_frame(self, grab: GrabFrame | None) -> None:
        self.controller.grab_frame = grab
        self.setup_page.rb_camera.setEnabled(grab is not None)

    # ---- setup ----
    def set_style_folder(self, folder: str | Path) -> None:
        """Check the folder in the background; the thumbnails, count and problems appear when done."""
        folder = str(folder).strip()
        if folder:
            self.controller.scan("style", folder)
            self.setup_page.style_folder_checking(folder, default_name(Path(folder)))

    def set_content_folder(self, folder: str | Path) -> None:
        folder = str(folder).strip()
        if folder:
            self.controller.scan("content", folder)
            self.setup_page.content_folder_checking(folder)

    def start_capture(self, then_start: bool = False) -> bool:
        """Take frames from the live view into a new content folder (and then start, with `then_start`)."""
        started = self.controller.start_capture(self.setup_page.request() if then_start else None)
        self.setup_page.update_content_controls()
        return started

    def content_dir(self) -> str:
        return self.setup_page.content_dir()

    def overrides(self) -> dict[str, object]:
        return self.setup_page.overrides()

    def start_training(self) -> bool:
        """Start a new run with the chosen settings; False (with a message) when something is missing."""
        page = self.setup_page
        page.notifier.clear("setup")
        if self.process.is_active:
            return False
        if page.needs_capture():
            return self.start_capture(then_start=True)
        problem = self.controller.problem_before_start(page.content_ready())
        if problem:
            page.notifier.notify(Level.ERROR, problem, "setup")
            return False
        return self.controller.start(page.request())

    def resume_run(self, run_dir: Path | str) -> bool:
        """Continue an unfinished run from its checkpoint (its own settings; the steps field may add more)."""
        page = self.setup_page
        return self.controller.resume(run_dir, page.iterations_spin.value() or None, page.device())

    def reattach_running(self) -> bool:
        """Follow a run that is still training from an earlier session of the app (the newest one)."""
        if self.controller.reattach():
            return True
        if not self.process.is_active:
            self.show_setup()
        return False

    def show_setup(self) -> None:
        if self.process.is_active:
            return
        self.pages.setCurrentIndex(SETUP)
        self.controller.set_state(RunState.SETUP)
        self.setup_page.refresh_unfinished()
        self.setup_page.update_estimates()

    # ---- following the run ----
    def _on_run_started(self, title: str) -> None:
        self.run_page.begin(title)
        self.pages.setCurrentIndex(RUN)

    def _on_state_changed(self, state: str) -> None:
        state = RunState(state)
        ended_early = state in (RunState.INTERRUPTED, RunState.ERROR, RunState.CRASHED)
        self.run_page.show_state(state, ended_early and self.controller.resumable())
        self.setup_page.update_start()
        emit(self.state_changed, state)

    def _on_run_ended(self, state: str, info: dict) -> None:
        c = self.controller
        self.run_page.show_end(RunState(state), info, c.style_name(), c.resumable())
        self.setup_page.refresh_unfinished()
        if state != RunState.DONE and self.isHidden():
            self.show()  # a background run that failed: say so

    # ---- stopping and closing ----
    def confirm_stop(self) -> bool:
        answer = QMessageBox.question(self, "Stop training?",
                                      "Stop training now? The last checkpoint is kept, so you can resume later.",
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def cancel_training(self, ask: bool = True) -> bool:
        """Stop after the current step (a checkpoint is saved); asks first unless `ask` is False."""
        if not self.controller.following() or self.state is not RunState.RUNNING:
            return False
        if ask and not self.confirm_stop():
            return False
        return self.controller.stop()

    def ask_close_choice(self) -> str:
        """While training: "stop", "background" or "cancel" (the person's choice)."""
        box = QMessageBox(QMessageBox.Icon.Question, "A style is training",
                          "A style is still training. Stop it (a checkpoint is kept to resume later), or keep "
                          "it training in the background? It goes on even when the app is closed, and the app "
                          "shows it again next time.", parent=self)
        stop = box.addButton("Stop training", QMessageBox.ButtonRole.DestructiveRole)
        keep = box.addButton("Keep training", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(keep)
        box.exec()
        clicked = box.clickedButton()
        return "stop" if clicked is stop else "background" if clicked is keep else "cancel"

    def _may_leave_the_run(self) -> bool:
        """Closing while a run goes on: ask (and stop it when asked to); False = the person stays."""
        if self.state is RunState.RUNNING:
            choice = self.ask_close_choice()
            if choice == "cancel":
                return False
            if choice == "stop":
                self.cancel_training(ask=False)
        return True

    def confirm_app_close(self) -> bool:
        """For the main window's closeEvent: False when the person chose to stay (cancel)."""
        if self.controller.following():
            if not self._may_leave_the_run():
                return False
            self.process.detach()  # the run goes on (or finishes its step) without the app
        self.shutdown()
        return True

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        if self.controller.following():
            event.ignore()
            if self._may_leave_the_run():
                self.hide()  # keep following: a finished run still installs and signals its style
            return
        self.benchmark.cancel()
        self.controller.stop_capture()
        super().closeEvent(event)

    def reject(self) -> None:  # Esc goes through closeEvent's questions
        self.close()

    def shutdown(self) -> None:
        """Stop measuring and scanning (the training process itself is left alone)."""
        self.controller.shutdown()


def open_training_dialog(parent: QWidget | None, grab_frame: GrabFrame | None = None, *,
                         on_style_installed: Callable[[str], None] | None = None, **kwargs) -> TrainingDialog:
    """Show the training dialog; the parent's existing one when it has one (it may be training).

    `grab_frame()` returns the newest live frame (BGR ndarray) or None, for "capture from my camera";
    `on_style_installed(style_id)` is connected once, when the dialog is created.
    """
    existing = parent.findChild(TrainingDialog) if parent is not None else None
    dialog = existing or TrainingDialog(parent, grab_frame, **kwargs)
    if existing is None and on_style_installed is not None:
        dialog.style_installed.connect(on_style_installed)
    if existing is not None and grab_frame is not None:
        existing.grab_frame = grab_frame
    if not dialog.state.active:
        dialog.reattach_running()
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
    return dialog


def reattach_if_running(parent: QWidget | None, grab_frame: GrabFrame | None = None, *,
                        on_style_installed: Callable[[str], None] | None = None) -> TrainingDialog | None:
    """At start-up: when a run from an earlier session is still training, open the dialog on it."""
    if not runs.running_runs():
        return None
    return open_training_dialog(parent, grab_frame, on_style_installed=on_style_installed)


__all__ = ["RunState", "TrainingDialog", "open_training_dialog", "reattach_if_running"]
