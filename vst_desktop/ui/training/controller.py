"""What the training dialog does, without its widgets: folder checks, camera capture, the speed test,
starting, resuming and following a run, and the run's state.

The dialog's pages (setup_page.py, run_page.py) show what this object reports through its signals and call
its methods; tests drive it directly. Folder checks run on a worker thread and come back as a queued
signal (no polling); the training itself is a separate process (process.py) whose progress events
(trainspec/events.py) are turned here into a RunState and the run's bookkeeping.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import cv2
import numpy as np
from PySide6.QtCore import QObject, Qt, QTimer, Signal

from vst_desktop.core import paths
from vst_desktop.core.images import ImageFolderScan, scan_image_folder, scan_training_folder, thumbnail_bgr
from vst_desktop.trainspec import runs
from vst_desktop.trainspec.config import default_name
from vst_desktop.trainspec.presets import MARKS, STROKE_AMP_DEFAULT, TEMPORAL_DEFAULTS
from vst_desktop.ui.common.qt_workarounds import emit
from vst_desktop.ui.training.estimate import SpeedBenchmark, SpeedMeasurement, format_duration, load_cached
from vst_desktop.ui.training.process import TrainingProcess

log = logging.getLogger(__name__)

GrabFrame = Callable[[], "np.ndarray | None"]

PRESET_ORDER = ("quick", "balanced", "high")
THUMBS_SHOWN = 40
THUMB_SIZE = 72
CAPTURE_FRAMES = 30
CAPTURE_SECONDS = 60.0


class RunState(StrEnum):
    """Where the dialog is; a StrEnum, so it also compares equal to its name."""

    SETUP = "setup"
    RUNNING = "running"
    STOPPING = "stopping"
    DONE = "done"
    INTERRUPTED = "interrupted"
    ERROR = "error"
    CRASHED = "crashed"

    @property
    def active(self) -> bool:
        """A run is going on (training, or finishing its step before it stops)."""
        return self in (RunState.RUNNING, RunState.STOPPING)


@dataclass
class RunRequest:
    """The setup page's choices for a new run."""

    name: str = ""
    preset: str = "quick"
    content: str = ""  # "" = the bundled photos
    iterations: int | None = None  # None = the preset's
    device: str = ""
    overrides: dict[str, object] = field(default_factory=dict)


def knob_overrides(preset: str, brush: float, marks: str, temporal: float, extra: str) -> dict[str, object]:
    """`--set` values: the knobs the person changed from the engine's defaults, then KEY=VALUE extras."""
    out: dict[str, object] = {}
    if abs(brush - STROKE_AMP_DEFAULT) > 1e-9:
        out["stroke_amp"] = round(brush, 4)
    if marks != MARKS[0][0]:
        out["marks"] = marks
    if abs(temporal - TEMPORAL_DEFAULTS.get(preset, 0.0)) > 1e-9:
        out["w_temporal"] = round(temporal, 4)
    for item in extra.split():
        key, sep, value = item.partition("=")
        if sep and key:
            out[key] = value
    return out


def scan_with_thumbnails(folder: str, paired_ok: bool) -> tuple[ImageFolderScan, list[tuple[Path, np.ndarray]]]:
    scan = scan_training_folder(folder) if paired_ok else scan_image_folder(folder, "content")
    thumbs = []
    for p in scan.images[:THUMBS_SHOWN]:
        t = thumbnail_bgr(p, THUMB_SIZE)
        if t is not None:
            thumbs.append((p, t))
    return scan, thumbs


class TrainingController(QObject):
    """One per dialog. `start()`, `resume()` or `reattach()` a run; `stop()` it; `shutdown()` at the end."""

    scanned = Signal(str, object, object)  # "style" | "content", ImageFolderScan, [(path, thumbnail BGR)]
    capture_progress = Signal(int)  # frames taken so far
    capture_finished = Signal(object)  # the ImageFolderScan of the captured frames, None when none came
    estimates_changed = Signal()
    run_started = Signal(str)  # the run's title
    state_changed = Signal(str)  # a RunState
    event_received = Signal(object)  # a progress event, after the bookkeeping below
    log_line = Signal(str, str)  # text, colour ("" = plain)
    run_ended = Signal(str, object)  # outcome (a RunState value), the process's end info
    style_installed = Signal(str)
    _scan_finished = Signal(str, str, object)  # from the scanning thread: kind, folder, future

    def __init__(self, parent: QObject | None = None, grab_frame: GrabFrame | None = None, *,
                 measure_speed: bool = True, capture_frames: int = CAPTURE_FRAMES,
                 capture_seconds: float = CAPTURE_SECONDS) -> None:
        super().__init__(parent)
        self.grab_frame = grab_frame
        self.measure_speed = measure_speed
        self.evaluate = True  # False adds --no-evaluate: no style metrics at the end (tests, self-test)
        self.capture_frames, self.capture_seconds = capture_frames, capture_seconds
        self.state = RunState.SETUP
        self.style_scan: ImageFolderScan | None = None
        self.content_scan: ImageFolderScan | None = None
        self.captured_dir: Path | None = None
        self.run_dir: Path | None = None
        self.run_title = ""
        self.last_event: dict | None = None
        self.last_progress: dict | None = None
        self.events_seen: dict[str, int] = {}
        self.warnings: list[str] = []
        self.marks_chosen = ""  # what marks="auto" chose (its log line says why)
        self.installed_style_id: str | None = None
        self.end_info: dict = {}
        self.measurements: dict[str, SpeedMeasurement] = {}
        self.measure_failed: dict[str, str] = {}
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="training-scan")
        self._latest_folder: dict[str, str] = {}
        self._closed = False
        self._capture_count = 0
        self._start_after_capture: RunRequest | None = None
        self._capture_timer = QTimer(self)
        self._capture_timer.timeout.connect(self._capture_one)
        self._scan_finished.connect(self._on_scan_finished, Qt.ConnectionType.QueuedConnection)

        self.process = TrainingProcess(self)
        self.process.event_received.connect(self.handle_event)
        self.process.log_line.connect(self._on_process_line)
        self.process.ended.connect(self.handle_end)
        self.benchmark = SpeedBenchmark(self)
        self.benchmark.measured.connect(self._on_measured)
        self.benchmark.failed.connect(self._on_measure_failed)

    # ================================================================== folders
    def scan(self, kind: str, folder: str) -> None:
        """Check a style ("style") or photo ("content") folder in the background; `scanned` says the result."""
        if kind == "style":
            self.style_scan = None
        else:
            self.content_scan = None
        if self._closed:
            return
        self._latest_folder[kind] = folder
        future = self._pool.submit(scan_with_thumbnails, folder, kind == "style")
        future.add_done_callback(lambda f: self._report_scan(kind, folder, f))

    def _report_scan(self, kind: str, folder: str, future: Future) -> None:
        """Runs on the scanning thread (or here, when already done): the queued signal brings it to ours."""
        if self._closed:
            return
        try:
            emit(self._scan_finished, kind, folder, future)
        except RuntimeError:  # the dialog was deleted while the folder was read
            pass

    def scanning(self) -> bool:
        return bool(self._latest_folder)

    def _on_scan_finished(self, kind: str, folder: str, future: Future) -> None:
        if self._closed or self._latest_folder.get(kind) != folder or future.cancelled():
            return  # a newer folder was chosen meanwhile: its own result follows
        del self._latest_folder[kind]
        try:
            scan, thumbs = future.result()
        except Exception as exc:  # noqa: BLE001 - an unexpected failure reading files: say so, keep going
            log.exception("scanning a training folder failed")
            scan, thumbs = ImageFolderScan(Path(folder), problem=f"The folder could not be read: {exc}"), []
        if kind == "style":
            self.style_scan = scan
        else:
            self.content_scan = scan
        emit(self.scanned, kind, scan, thumbs)

    # ================================================================== camera capture
    def capturing(self) -> bool:
        return self._capture_timer.isActive()

    def stop_capture(self) -> None:
        self._capture_timer.stop()

    def start_capture(self, then_start: RunRequest | None = None) -> bool:
        """Take `capture_frames` frames from the live view over `capture_seconds` into a new content folder;
        with `then_start`, start that run when the frames are in."""
        if self.grab_frame is None or self.capturing():
            return False
        self.captured_dir = paths.data_dir() / "captures" / time.strftime("camera-%Y%m%d-%H%M%S")
        self.captured_dir.mkdir(parents=True, exist_ok=True)
        self._capture_count = 0
        self._start_after_capture = then_start
        self._capture_timer.setInterval(max(10, int(1000 * self.capture_seconds / self.capture_frames)))
        self._capture_timer.start()
        self._capture_one()
        return True

    def _capture_one(self) -> None:
        frame = None
        try:
            frame = self.grab_frame() if self.grab_frame is not None else None
        except Exception:  # noqa: BLE001 - the live view may be switching sources: skip this frame
            log.exception("grabbing a frame for training failed")
        if isinstance(frame, np.ndarray) and frame.ndim == 3 and frame.shape[2] == 3:
            ok, buf = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, 92])
            if ok and self.captured_dir is not None:
                buf.tofile(str(self.captured_dir / f"frame_{self._capture_count:03d}.jpg"))
                self._capture_count += 1
        emit(self.capture_progress, self._capture_count)
        if self._capture_count >= self.capture_frames:
            self._capture_timer.stop()
            self._capture_done()

    def _capture_done(self) -> None:
        scan = scan_image_folder(self.captured_dir, "camera") if self.captured_dir else None
        self.content_scan = scan
        if scan is None or not scan.ok:
            self.captured_dir = None
        emit(self.capture_finished, scan)
        request, self._start_after_capture = self._start_after_capture, None
        if request is not None and self.captured_dir is not None:
            request.content = str(self.captured_dir)
            self.start(request)

    # ================================================================== the speed test
    def estimate_text(self, preset: str, device: str, steps: int | None) -> tuple[str, str]:
        """What the setup page shows beside a preset, and its tooltip."""
        m = self.measurements.get(preset) or load_cached(preset, device)
        if m is not None:
            self.measurements[preset] = m
            where = "GPU" if m.device.startswith("cuda") else "CPU"
            return (f"{format_duration(m.total_seconds(steps))} here ({where})",
                    f"Measured: {m.seconds_per_step:.2f} s per step on {m.device}, {steps or m.iterations} steps.")
        if preset in self.measure_failed:
            return "time unknown", self.measure_failed[preset]
        if self.benchmark.preset == preset:
            return "measuring…", ""
        return ("not measured yet" if not self.measure_speed else ""), ""

    def forget_measurements(self) -> None:
        """Another device was chosen: the times measured so far do not apply."""
        self.measurements.clear()
        self.measure_failed.clear()

    def measure_next(self, selected: str, device: str) -> str:
        """Measure the selected preset first, then the others, one at a time, never while training; the
        preset now being measured ("" = none started)."""
        if not self.measure_speed or self.benchmark.busy or self.state.active:
            return ""
        for key in [selected] + [k for k in PRESET_ORDER if k != selected]:
            if key not in self.measurements and key not in self.measure_failed:
                if key == "high" and key != selected:
                    continue  # the GPU preset is measured only when chosen: on a CPU it is long to measure
                return key if self.benchmark.start(key, device) else ""
        return ""

    def _on_measured(self, m: SpeedMeasurement) -> None:
        self.measurements[m.preset] = m
        emit(self.estimates_changed)

    def _on_measure_failed(self, preset: str, message: str) -> None:
        self.measure_failed[preset] = message
        emit(self.estimates_changed)

    # ================================================================== starting
    def problem_before_start(self, content_ready: bool) -> str:
        """Why a run cannot start now ("" = it can)."""
        if self.style_scan is None or not self.style_scan.ok:
            return "Choose a folder with usable style images first."
        if not content_ready:
            return "The photos to learn on are not ready (see above)."
        return ""

    def start(self, request: RunRequest) -> bool:
        """Start a new run on the checked style folder; False when a run is going on or none can start."""
        if self.process.is_active or self.style_scan is None or not self.style_scan.ok:
            return False
        name = request.name or default_name(self.style_scan.folder)
        self.benchmark.cancel()  # the CPU is for training now
        run_dir = runs.new_run_dir(name)
        args = runs.train_arguments(styles=str(self.style_scan.folder), content=request.content,
                                    preset=request.preset, name=name, out=run_dir, iterations=request.iterations,
                                    device=request.device, overrides=request.overrides,
                                    no_evaluate=not self.evaluate)
        self._begin(run_dir, f"Training “{name}” ({request.preset} preset)")
        self.process.start(args, run_dir, {"name": name, "preset": request.preset})
        return True

    def resume(self, run_dir: Path | str, iterations: int | None = None, device: str = "") -> bool:
        """Continue an unfinished run from its checkpoint (its own settings; `iterations` may add steps)."""
        run_dir = Path(run_dir)
        if self.process.is_active:
            return False
        info = runs.run_info(run_dir)
        if info is None or info.running:
            return False
        self.benchmark.cancel()
        args = runs.train_arguments(resume=run_dir, iterations=iterations, device=device,
                                    no_evaluate=not self.evaluate)
        self._begin(run_dir, f"Resuming “{info.name or run_dir.name}” ({info.preset} preset)")
        emit(self.log_line, f"Continuing from the checkpoint at step {max(info.checkpoint_step, 0)}.", "")
        self.process.start(args, run_dir, {"name": info.name, "preset": info.preset, "resumed": True})
        return True

    def reattach(self) -> bool:
        """Follow a run that is still training from an earlier session of the app (the newest one)."""
        if self.process.is_active:
            return False
        for info in runs.running_runs():
            session = runs.read_session(info.run_dir)
            self._begin(info.run_dir, f"Training “{info.name or info.run_dir.name}” ({info.preset} preset), "
                                      "started earlier")
            if self.process.attach(info.run_dir):
                emit(self.log_line, f"Reattached to the run in {info.run_dir} (process {info.pid}).", "")
                if session.get("started"):
                    started = time.strftime("%d %b %H:%M", time.localtime(session["started"]))
                    emit(self.log_line, f"Started {started}", "")
                return True
        return False

    def _begin(self, run_dir: Path, title: str) -> None:
        self.run_dir, self.run_title = run_dir, title
        self.last_event = self.last_progress = None
        self.events_seen = {}
        self.warnings = []
        self.marks_chosen = ""
        self.installed_style_id = None
        self.end_info = {}
        emit(self.run_started, title)
        self.set_state(RunState.RUNNING)

    def set_state(self, state: RunState) -> None:
        self.state = RunState(state)
        emit(self.state_changed, self.state)

    def unfinished_runs(self) -> list:
        return runs.unfinished_runs()

    def resumable(self) -> bool:
        info = runs.run_info(self.run_dir) if self.run_dir else None
        return info is not None and info.resumable

    def style_name(self) -> str:
        try:
            return str(runs.read_session(self.run_dir).get("name") or "") if self.run_dir else ""
        except OSError:
            return ""

    # ================================================================== following the run
    def _on_process_line(self, line: str) -> None:
        if line.startswith("warning:"):
            return  # shown from the JSON event, with its colour
        if line.startswith("sample written: "):
            line = "sample written: " + Path(line.split(": ", 1)[1]).name  # the run folder is long and known
        emit(self.log_line, line, "#ff8a80" if line.startswith("error") or "Traceback" in line else "")

    def handle_event(self, event: dict) -> None:
        """One progress event from the run: bookkeeping here, then `event_received` for the run page."""
        kind = event["event"]
        self.last_event = event
        self.events_seen[kind] = self.events_seen.get(kind, 0) + 1
        if kind == "progress":
            self.last_progress = event
        elif kind == "marks":
            self.marks_chosen = str(event.get("chosen", ""))
        elif kind == "warning":
            message = str(event.get("message", ""))
            emit(self.log_line, f"Warning: {message}", "#e2c46a")
            key = event.get("kind", message)
            self.warnings = [w for w in self.warnings if not w.startswith(f"[{key}]")] + [f"[{key}] {message}"]
        elif kind == "error":
            emit(self.log_line, f"Error: {event.get('message', '')} {event.get('hint', '')}", "#ff8a80")
        emit(self.event_received, event)

    def recent_warnings(self, count: int = 4) -> list[str]:
        return [w.split("] ", 1)[1] for w in self.warnings[-count:]]

    def handle_end(self, outcome: str, info: dict | None) -> None:
        """The run's process ended: "done", "interrupted", "error" or "crashed"."""
        self.end_info = dict(info or {})
        state = RunState(outcome) if outcome in RunState.__members__.values() else RunState.CRASHED
        if state is RunState.DONE:
            self.installed_style_id = self.end_info.get("style_id")
        emit(self.run_ended, state, self.end_info)
        self.set_state(state)
        if state is RunState.DONE and self.installed_style_id:
            emit(self.style_installed, str(self.installed_style_id))

    # ================================================================== stopping and closing
    def following(self) -> bool:
        """A run is going on and its process is followed here."""
        return self.state.active and self.process.is_active

    def stop(self) -> bool:
        """Stop after the current step (a checkpoint is saved)."""
        if self.state is not RunState.RUNNING or not self.process.is_active or not self.process.stop():
            return False
        self.set_state(RunState.STOPPING)
        return True

    def shutdown(self) -> None:
        """Stop measuring, capturing and scanning (the training process itself is left alone)."""
        self._closed = True
        self.benchmark.cancel()
        self._capture_timer.stop()
        self._pool.shutdown(wait=False, cancel_futures=True)
