"""The pipeline worker: one QObject living in one QThread, owning the source, the Pipeline and the Recorder.

Frame loop: a zero-interval single-shot QTimer calls `_tick`, which waits at most `_READ_TIMEOUT_S` for
the source's newest frame, steps the pipeline and drops the result into the LatestSlot. Between ticks the
thread's event loop runs, so commands (queued slots) apply between frames and never mid-frame.

Each frame runs in two stages one frame apart (pipeline/overlap.py): the network on this thread, then the
stabiliser and the guided enlargement to the output size on a finishing thread, which also hands the result
on (view, recorder, virtual camera): on 2 cores this is what makes 720p reach 30 fps.

Style sessions are built and warmed up on a helper thread (a one-thread executor) and swapped in by a
queued signal when warm; the previous style keeps running meanwhile, so switching never stalls the view.
"""

from __future__ import annotations

import collections
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import cv2
from PySide6.QtCore import QObject, QTimer, Signal, Slot

from vst_desktop.capture.base import LatestSlot
from vst_desktop.core.errors import InferenceError, VstError
from vst_desktop.core.frame import Frame
from vst_desktop.core.memory import release_freed_memory
from vst_desktop.pipeline.live_result import LiveResult, scale_for_display
from vst_desktop.pipeline.overlap import OverlappedPipeline
from vst_desktop.pipeline.pipeline import Pipeline, StylizedFrame
from vst_desktop.pipeline.sizing import PRESETS, fit_height, is_gpu, network_size
from vst_desktop.pipeline.speed_test import choose_preset, measure_presets
from vst_desktop.ui.common.qt_workarounds import emit
from vst_desktop.ui.live.virtual_camera_controls import VirtualCameraLink

log = logging.getLogger(__name__)

_READ_TIMEOUT_S = 0.05  # bounds how long a command waits when the source delivers nothing
_PROGRESS_EVERY_S = 0.25
_SESSION_CACHE = 4  # warm sessions kept, so Left/Right through the gallery is instant

SourceOpener = Callable[[str, tuple[int, int], int], object]


def _error_text(exc: BaseException) -> str:
    return exc.user_text() if isinstance(exc, VstError) else f"{type(exc).__name__}: {exc}"


class PipelineWorker(QObject):
    # outgoing (queued to the GUI thread); none carries a frame: frames travel through the LatestSlot
    frame_ready = Signal()
    source_opened = Signal(object)  # SourceInfo
    source_failed = Signal(str, str)  # spec, message: the source could not be opened at all
    source_problem = Signal(str)  # a live source is failing (e.g. camera unplugged); it retries
    source_recovered = Signal()
    style_ready = Signal(str, str, str)  # id, provider, fallback_reason
    style_failed = Signal(str, str)  # id, message
    presets_measured = Signal(str, object)  # chosen preset name, {preset: ms}
    recording_started = Signal(str)
    recording_progress = Signal(float, int)  # elapsed seconds, bytes written
    recording_stopped = Signal(object)  # RecordingResult (its `error` says why, when it stopped itself)
    recording_failed = Signal(str)
    snapshot_saved = Signal(str)
    snapshot_failed = Signal(str)
    unexpected_error = Signal(str)  # a bug; the details are in the log file
    stopped = Signal()
    # internal: from the helper thread back into the worker thread
    _session_warm = Signal(int, str, object)
    _session_error = Signal(int, str, str)

    def __init__(self, slot: LatestSlot, open_source: SourceOpener, prefer_gpu: bool = True) -> None:
        super().__init__()
        self.slot = slot
        self._open_source = open_source
        self._prefer_gpu = prefer_gpu
        self._pipeline = Pipeline(None)
        self._runner = OverlappedPipeline(self._pipeline, self._publish)
        self._source = None
        self._source_spec = ""
        self._source_problem = False
        self._resolution = (640, 360)
        self._fps = 30
        self._output_height = PRESETS["Fast 360p"]
        self._compare = False
        self._display_area = (0, 0)
        self._style_id = ""
        self._style_generation = 0
        self._sessions: collections.OrderedDict[str, object] = collections.OrderedDict()
        self._helper = ThreadPoolExecutor(max_workers=1, thread_name_prefix="style-warmup")
        self._closing = threading.Event()
        self._reported_bug = False
        self._recorder = None
        self._last_progress = 0.0
        self._timer: QTimer | None = None
        self._results = 0
        self._fps_ema = 0.0
        self._last_out = 0.0
        self._last_index = -1
        self._gap_drops = 0
        self._session_warm.connect(self._on_session_warm)
        self._session_error.connect(self._on_session_error)
        self.vcam = VirtualCameraLink(self)  # a child: it moves to this worker's thread with it

    # ---- lifecycle ----
    @Slot()
    def start(self) -> None:
        """Runs in the worker thread (connected to QThread.started): timers must belong to this thread."""
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._tick)
        self._timer.start(0)

    @Slot()
    def shutdown(self) -> None:
        """Stop the loop, finalise a recording, close the source. Called blocking from the GUI on close."""
        self._closing.set()
        if self._timer is not None:
            self._timer.stop()
        try:
            self._runner.close()  # the frame in the finishing stage still reaches the recording
        except Exception:  # noqa: BLE001 - closing must go on; the frame loop already reported it
            log.exception("the last frame could not be finished")
        if self._recorder is not None:
            self._finish_recording()
        self.vcam.close()
        self._close_source()
        self._helper.shutdown(wait=False, cancel_futures=True)
        self._sessions.clear()
        self._pipeline.set_session(None)
        emit(self.stopped)

    # ---- commands (queued slots; they run between frames) ----
    @Slot(str, object, int)
    def set_source(self, spec: str, resolution: object = (640, 360), fps: int = 30) -> None:
        if self._recorder is not None:
            self._finish_recording()  # the frame size may change: finish this file cleanly
        self._close_source()
        self._pipeline.reset_temporal()  # a cut: the new source's first frame has no past
        self._resolution, self._fps = (int(resolution[0]), int(resolution[1])), int(fps)
        try:
            source = self._open_source(spec, self._resolution, self._fps)
            source.open()  # idempotent (FrameSource contract): openers may or may not have opened it
            self._source = source
        except (VstError, OSError, ValueError) as exc:
            log.warning("could not open source %r: %s", spec, exc)
            emit(self.source_failed, spec, _error_text(exc))
            return
        self._source_spec = spec
        self._source_problem = False
        self._last_index = -1
        self._apply_sizes()
        emit(self.source_opened, self._source.info)

    @Slot(str, str)
    def set_style(self, style_id: str, onnx_path: str) -> None:
        """Switch to a style; "" is Original. Unknown sessions warm up off the frame loop first."""
        self._style_generation += 1
        if not style_id:
            self._style_id = ""
            self._pipeline.set_session(None)
            emit(self.style_ready, "", "", "")
            return
        cached = self._sessions.get(style_id)
        if cached is not None:
            self._sessions.move_to_end(style_id)
            self._activate(style_id, cached)
            return
        generation, size = self._style_generation, self._warmup_size()
        self._helper.submit(self._build_session, generation, style_id, onnx_path, size)

    @Slot(float)
    def set_strength(self, strength: float) -> None:
        self._pipeline.set_strength(strength)

    @Slot(int)
    def set_output_height(self, height: int) -> None:
        """The quality ladder's rung: the height shown, recorded and sent (never above the source's)."""
        self._output_height = int(height)
        self._apply_sizes()

    @Slot(bool)
    def set_mirror(self, mirror: bool) -> None:
        self._pipeline.set_mirror(mirror)
        self._pipeline.reset_temporal()  # the whole picture jumps: no past to blend with

    @Slot(bool)
    def set_steady(self, steady: bool) -> None:
        self._pipeline.set_stabilize(steady)

    @Slot(bool)
    def set_compare(self, compare: bool) -> None:
        """Only while comparing does the worker prepare the original beside each result."""
        self._compare = bool(compare)

    @Slot(int, int)
    def set_display_area(self, width: int, height: int) -> None:
        """The view's picture area in device pixels (0, 0 = do not scale for display)."""
        self._display_area = (int(width), int(height))

    @Slot(str)
    def measure_presets(self, onnx_path: str) -> None:
        self._helper.submit(self._measure_presets, onnx_path, self._frame_size())

    @Slot(str, int)
    def start_recording(self, folder: str, fps: int) -> None:
        if self._recorder is not None:
            return
        from vst_desktop.recording.recorder import Recorder

        latest = self.slot.peek()
        w, h = (latest.pixels.shape[1], latest.pixels.shape[0]) if latest else self._frame_size()
        try:
            recorder = Recorder(Path(folder), fps=fps)
            path = recorder.start(w, h)
        except (VstError, OSError) as exc:
            emit(self.recording_failed, _error_text(exc))
            return
        self._recorder = recorder
        emit(self.recording_started, str(path))

    @Slot()
    def stop_recording(self) -> None:
        if self._recorder is not None:
            self._finish_recording()

    @Slot(str)
    def snapshot(self, folder: str) -> None:
        from vst_desktop.recording.snapshot import save_snapshot

        latest = self.slot.peek()
        if latest is None:
            emit(self.snapshot_failed, "There is no picture yet to save.")
            return
        try:
            emit(self.snapshot_saved, str(save_snapshot(latest.pixels, Path(folder))))
        except (VstError, OSError) as exc:
            emit(self.snapshot_failed, _error_text(exc))

    # ---- the frame loop ----
    def _schedule(self, ms: int = 0) -> None:
        if self._timer is not None and not self._closing.is_set():
            self._timer.start(ms)

    @Slot()
    def _tick(self) -> None:
        source = self._source
        if source is None:
            self._schedule(50)
            return
        try:
            self._step_once(source)
        except InferenceError as exc:  # e.g. the style fails at this size: back to Original, keep playing
            log.warning("style %s failed while running: %s", self._style_id, exc)
            failed, self._style_id = self._style_id, ""
            self._sessions.pop(failed, None)
            self._pipeline.set_session(None)
            emit(self.style_failed, failed, _error_text(exc))
        except Exception as exc:  # noqa: BLE001 - a bug must not stop the video: log it, say it once
            log.exception("unexpected error in the frame loop")
            if not self._reported_bug:
                self._reported_bug = True
                emit(self.unexpected_error, f"{type(exc).__name__}: {exc}")
        finally:
            self._schedule(0)

    def _step_once(self, source) -> None:
        try:
            frame = source.read_latest(timeout=_READ_TIMEOUT_S)
        except VstError as exc:  # whatever the source raises is a source problem; it retries
            frame = None
            self._report_problem(_error_text(exc))
        self._check_source_health(source)
        if frame is not None:
            self._process(frame)
        self._check_recorder()

    def _check_source_health(self, source) -> None:
        err = getattr(source, "error", None)
        if err is not None:
            self._report_problem(_error_text(err))
        elif self._source_problem:
            self._source_problem = False
            emit(self.source_recovered)

    def _report_problem(self, text: str) -> None:
        if not self._source_problem:
            self._source_problem = True
            emit(self.source_problem, text)

    def _process(self, frame: Frame) -> None:
        now = time.monotonic()
        live_clock = abs(now - frame.timestamp) < 5.0  # camera frames carry monotonic capture times
        if self._last_index >= 0 and frame.index > self._last_index + 1:
            self._gap_drops += frame.index - self._last_index - 1
        self._last_index = frame.index
        self._runner.push(frame, captured_at=frame.timestamp if live_clock else None)

    def _publish(self, out: StylizedFrame) -> None:
        """On the finishing thread, in frame order: hand one result to the recorder, the virtual camera and
        the view. Only this method touches the rate counters; the recorder and sink take frames from any
        thread (a recorder stopped meanwhile refuses the frame)."""
        frame, now = out.source, time.monotonic()
        live_clock = abs(now - frame.timestamp) < 5.0
        out.stats.dropped_frames = self._gap_drops
        original = None
        if self._compare:
            original = cv2.flip(frame.pixels, 1) if self._pipeline.mirror else frame.pixels
            if original.shape != out.pixels.shape:
                original = cv2.resize(original, (out.pixels.shape[1], out.pixels.shape[0]))
        if self._last_out:
            dt = now - self._last_out
            inst = 1.0 / dt if dt > 0 else 0.0
            self._fps_ema = inst if self._fps_ema == 0 else 0.9 * self._fps_ema + 0.1 * inst
        self._last_out = now
        self._results += 1
        recorder = self._recorder
        if recorder is not None:
            # Timestamps from capture time; files replay with their own clock, so stamp those on arrival.
            ts = frame.timestamp if live_clock else now
            recorder.submit(Frame(out.pixels, ts, self._results))
            out.stats.recorder_dropped = int(getattr(recorder, "dropped", 0))
        self.vcam.submit(out.pixels, self._source)  # what the view shows; hands over, never waits
        display, display_original = scale_for_display(out.pixels, original, self._display_area)
        result = LiveResult(out.pixels, original, frame.pixels, out.stats, out.label, out.strength,
                            self._fps_ema, self._results, frame.timestamp, display, display_original)
        if self.slot.put(result):
            emit(self.frame_ready)

    # ---- recording ----
    def _check_recorder(self) -> None:
        rec = self._recorder
        if rec is None:
            return
        if rec.error is not None or not rec.is_recording:
            self._finish_recording()  # e.g. disk low: the recorder stopped itself, the file is kept
            return
        now = time.monotonic()
        if now - self._last_progress >= _PROGRESS_EVERY_S:
            self._last_progress = now
            emit(self.recording_progress, float(rec.elapsed_s), int(rec.bytes_written))

    def _finish_recording(self) -> None:
        rec, self._recorder = self._recorder, None
        try:
            result = rec.stop()
        except (VstError, OSError) as exc:
            emit(self.recording_failed, _error_text(exc))
            return
        emit(self.recording_stopped, result)

    # ---- sources and sizes ----
    def _close_source(self) -> None:
        source, self._source = self._source, None
        if source is not None:
            try:
                source.close()
            except (VstError, OSError) as exc:
                log.warning("closing the source failed: %s", exc)

    def _frame_size(self) -> tuple[int, int]:
        info = getattr(self._source, "info", None)
        if info is not None and info.width and info.height:
            return int(info.width), int(info.height)
        return self._resolution

    def _output_size(self) -> tuple[int, int]:
        return fit_height(self._frame_size(), self._output_height)

    def _warmup_size(self) -> tuple[int, int]:
        """The network's size: on a CPU at most 360p, enlarged to the output guided by the frame."""
        return network_size(self._output_size(), is_gpu(getattr(self._pipeline.session, "provider", "")))

    def _apply_sizes(self) -> None:
        self._pipeline.set_output_size(self._output_size())
        self._pipeline.set_inference_size(self._warmup_size())

    # ---- style sessions (helper thread) ----
    def _build_session(self, generation: int, style_id: str, onnx_path: str, size: tuple[int, int]) -> None:
        from vst_desktop.inference.session import StyleSession

        try:
            session = StyleSession(Path(onnx_path), prefer_gpu=self._prefer_gpu)
            session.warmup(size[0], size[1], runs=2)
        except (VstError, OSError, RuntimeError, ValueError) as exc:
            log.warning("style %s failed to load: %s", style_id, exc)
            self._emit_from_helper(self._session_error, generation, style_id, _error_text(exc))
            return
        self._emit_from_helper(self._session_warm, generation, style_id, session)

    def _emit_from_helper(self, signal, *args) -> None:
        if self._closing.is_set():
            return
        try:
            emit(signal, *args)
        except RuntimeError:  # the worker was deleted while this helper ran: nobody is listening
            log.debug("worker gone before the helper finished")

    @Slot(int, str, object)
    def _on_session_warm(self, generation: int, style_id: str, session: object) -> None:
        self._sessions[style_id] = session
        self._sessions.move_to_end(style_id)
        while len(self._sessions) > _SESSION_CACHE:
            self._sessions.popitem(last=False)
            self._helper.submit(release_freed_memory)  # off the frame path: it can take milliseconds
        if generation == self._style_generation:  # a newer choice supersedes an older slow load
            self._activate(style_id, session)

    @Slot(int, str, str)
    def _on_session_error(self, generation: int, style_id: str, message: str) -> None:
        if generation == self._style_generation:
            emit(self.style_failed, style_id, message)

    def _activate(self, style_id: str, session) -> None:
        self._style_id = style_id
        self._pipeline.set_session(session, style_id)
        self._apply_sizes()  # a GPU session runs the network at the output size
        emit(self.style_ready, style_id, getattr(session, "provider", ""),
             getattr(session, "fallback_reason", ""))

    def _measure_presets(self, onnx_path: str, frame_size: tuple[int, int]) -> None:
        measured = measure_presets(onnx_path, frame_size, self._prefer_gpu, self._closing.is_set)
        self._emit_from_helper(self.presets_measured, choose_preset(measured), measured)
