"""The training dialog's second page: progress with the time left, the loss curves, the latest sample, the
log, and Stop / Resume / Close.

It draws what the controller reports about the run (its progress events, log lines and end); the buttons
say what the person asked for through signals.
"""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from vst_desktop.ui.common.notify import Level, Notice, Notifier
from vst_desktop.ui.common.qt_workarounds import emit
from vst_desktop.ui.training.controller import RunState
from vst_desktop.ui.training.estimate import format_duration
from vst_desktop.ui.training.loss_plot import LossPlot

FIRST_SAMPLE = "The first sample appears in a moment."


def _format_eta(seconds: float | None) -> str:
    return "" if seconds is None else format_duration(seconds) + " left"


class SampleView(QLabel):
    """The latest sample grid, scaled to fit (top row: photos; bottom row: the style applied)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setMinimumSize(240, 140)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setStyleSheet("background: #1e1f22; border-radius: 6px; color: #9aa0a8;")
        self.setText(FIRST_SAMPLE)
        self._pixmap = QPixmap()
        self.path: Path | None = None

    def show_file(self, path: Path) -> bool:
        pm = QPixmap(str(path))
        if pm.isNull():
            return False
        self._pixmap, self.path = pm, path
        self._rescale()
        return True

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._rescale()

    def _rescale(self) -> None:
        if not self._pixmap.isNull():
            self.setPixmap(self._pixmap.scaled(self.size() - QSize(8, 8), Qt.AspectRatioMode.KeepAspectRatio,
                                               Qt.TransformationMode.SmoothTransformation))


class RunPage(QWidget):
    background_requested = Signal()
    stop_requested = Signal()
    resume_requested = Signal()
    setup_requested = Signal()
    close_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.run_title = QLabel("", self)
        self.run_title.setStyleSheet("font-size: 15px; font-weight: 600;")
        lay.addWidget(self.run_title)
        prow = QHBoxLayout()
        self.progress_bar = QProgressBar(self)
        self.progress_bar.setRange(0, 0)  # busy until the first event says how many steps
        self.progress_bar.setFormat("%p%")
        self.eta_label = QLabel("Starting…", self)
        self.eta_label.setMinimumWidth(320)
        prow.addWidget(self.progress_bar, 1)
        prow.addWidget(self.eta_label)
        lay.addLayout(prow)
        self.warning_notice = Notice("warning", self)
        self.error_notice = Notice("error", self)
        self.done_notice = Notice("info", self)
        lay.addWidget(self.warning_notice)
        lay.addWidget(self.error_notice)
        lay.addWidget(self.done_notice)

        split = QSplitter(Qt.Orientation.Horizontal, self)
        left = QWidget(split)
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        cap = QLabel("Losses", left)
        cap.setProperty("role", "heading")
        ll.addWidget(cap)
        self.loss_plot = LossPlot(left)
        ll.addWidget(self.loss_plot, 1)
        right = QWidget(split)
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        self.sample_caption = QLabel("Latest sample", right)
        self.sample_caption.setProperty("role", "heading")
        rl.addWidget(self.sample_caption)
        self.sample_view = SampleView(right)
        rl.addWidget(self.sample_view, 1)
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        lay.addWidget(split, 1)

        self.log_view = QPlainTextEdit(self)
        self.log_view.setReadOnly(True)
        self.log_view.setMaximumBlockCount(2000)
        self.log_view.setFixedHeight(110)
        self.log_view.setStyleSheet("font-family: monospace; font-size: 11px;")
        lay.addWidget(self.log_view)

        buttons = QHBoxLayout()
        self.background_button = QPushButton("Keep training in the background", self)
        self.background_button.setToolTip("Close this window; training goes on and the window can be opened again.")
        self.background_button.clicked.connect(lambda: emit(self.background_requested))
        self.stop_button = QPushButton("Stop", self)
        self.stop_button.setToolTip("Stop after the current step and keep a checkpoint to resume from.")
        self.stop_button.clicked.connect(lambda: emit(self.stop_requested))
        self.resume_run_button = QPushButton("Resume", self)
        self.resume_run_button.clicked.connect(lambda: emit(self.resume_requested))
        self.new_button = QPushButton("Train another style", self)
        self.new_button.clicked.connect(lambda: emit(self.setup_requested))
        self.finish_button = QPushButton("Close", self)
        self.finish_button.clicked.connect(lambda: emit(self.close_requested))
        buttons.addWidget(self.background_button)
        buttons.addStretch(1)
        for b in (self.stop_button, self.resume_run_button, self.new_button, self.finish_button):
            buttons.addWidget(b)
        lay.addLayout(buttons)
        self.notifier = Notifier(places={"warning": self.warning_notice, "error": self.error_notice,
                                         "done": self.done_notice})
        self._title = ""

    def begin(self, title: str) -> None:
        """A new run (or one followed again): everything from the last one goes."""
        self.loss_plot.clear()
        self.log_view.clear()
        self.sample_view.setText(FIRST_SAMPLE)
        for key in ("warning", "error", "done"):
            self.notifier.clear(key)
        self._title = title
        self.run_title.setText(title)
        self.progress_bar.setRange(0, 0)
        self.eta_label.setText("Starting (loading the images)…")

    def log(self, text: str, colour: str = "") -> None:
        if colour:
            self.log_view.appendHtml(f"<span style='color:{colour}'>{html.escape(text, quote=False)}</span>")
        else:
            self.log_view.appendPlainText(text)

    def show_state(self, state: RunState, resumable: bool) -> None:
        running = state.active
        self.stop_button.setVisible(running)
        self.stop_button.setEnabled(state is RunState.RUNNING)
        self.background_button.setVisible(running)
        self.resume_run_button.setVisible(state in (RunState.INTERRUPTED, RunState.ERROR, RunState.CRASHED)
                                          and resumable)
        self.new_button.setVisible(not running)
        self.finish_button.setVisible(not running)
        if state is RunState.STOPPING:
            self.eta_label.setText("Stopping after the current step…")

    def show_event(self, event: dict, warnings: list[str]) -> None:
        kind = event["event"]
        if kind == "start":
            total, step = int(event.get("total") or 0), int(event.get("step") or 0)
            self.progress_bar.setRange(0, max(total, 1))
            self.progress_bar.setValue(step)
            device = str(event.get("device", ""))
            self.run_title.setText(f"{self._title} on {'the GPU' if device.startswith('cuda') else 'the CPU'}")
            self.eta_label.setText(f"Step {step} of {total}")
        elif kind == "progress":
            step, total = int(event.get("step", 0)), int(event.get("total") or 0)
            if total:
                self.progress_bar.setRange(0, total)
            self.progress_bar.setValue(step)
            rate = event.get("it_per_s") or 0
            speed = f"{rate:.1f} steps/s" if rate >= 1 else (f"{1 / rate:.1f} s per step" if rate else "")
            eta = _format_eta(event.get("eta_s"))
            self.eta_label.setText(" · ".join(x for x in (f"Step {step} of {total}", speed, eta) if x))
            self.loss_plot.add(step, event.get("losses") or {})
        elif kind == "sample":
            path = Path(str(event.get("path", "")))
            if self.sample_view.show_file(path):
                self.sample_caption.setText(f"Latest sample (step {event.get('step', '?')}): photos above, "
                                            "with the style below")
        elif kind == "warning":
            self.notifier.notify(Level.WARNING, "<br>".join("⚠ " + html.escape(w, quote=False) for w in warnings),
                                 "warning")
        elif kind == "done" and event.get("status") == "done":
            self.progress_bar.setValue(self.progress_bar.maximum())
            self.eta_label.setText("Finished")

    def show_end(self, state: RunState, info: dict, style_name: str, resumable: bool) -> None:
        """What the run's end means for the person: installed, stopped (resumable) or failed."""
        esc = lambda text: html.escape(str(text), quote=False)  # noqa: E731 - rich text in a Notice
        if state is RunState.DONE:
            seconds = float(info.get("seconds") or 0)
            self.notifier.notify(Level.INFO, f"Done in {format_duration(seconds).replace('about ', '')}: the style "
                                 f"“{esc(style_name)}” is in your gallery and selected." if info.get("style_id") else
                                 "Training finished; the style was written to the run folder but not installed.",
                                 "done")
        elif state is RunState.INTERRUPTED:
            step = info.get("step")
            where = f" at step {step}" if step is not None else ""
            self.eta_label.setText(f"Stopped{where}")
            self.notifier.notify(Level.INFO, f"Stopped{where}. The last checkpoint is kept: Resume continues from "
                                 "it, now or later (Styles → Train new style… lists unfinished runs).", "done")
        else:
            message = str(info.get("message") or "Training stopped with an error.")
            hint = str(info.get("hint") or "")
            details = "<br>".join(esc(line) for line in (info.get("stderr_tail") or [])[-8:])
            resume = " You can resume from the last checkpoint." if resumable else ""
            text = f"<b>{esc(message)}</b> {esc(hint)}{resume}"
            if details and state is RunState.CRASHED:
                text += f"<br><span style='font-family:monospace;font-size:11px'>{details}</span>"
            self.notifier.notify(Level.ERROR, text, "error")
            self.eta_label.setText("Stopped by an error" if state is RunState.ERROR else
                                   "The training process ended")
