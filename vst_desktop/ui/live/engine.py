"""GUI-side handle of the pipeline worker: owns its QThread and sends it commands as queued signals.

Every command is a signal connected to a worker slot; because the worker lives in another thread, Qt
queues the call, and it runs between two frames. Frames come back through the LatestSlot.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QThread, Signal

from vst_desktop.capture.base import LatestSlot
from vst_desktop.capture.sources import open_live_source
from vst_desktop.pipeline.live_result import LiveResult
from vst_desktop.ui.common.qt_workarounds import emit
from vst_desktop.ui.live.worker import PipelineWorker, SourceOpener


class Engine(QObject):
    """Start it once, send commands, read `take_latest()` on `worker.frame_ready`, `close()` at the end."""

    _cmd_source = Signal(str, object, int)
    _cmd_style = Signal(str, str)
    _cmd_strength = Signal(float)
    _cmd_height = Signal(int)
    _cmd_mirror = Signal(bool)
    _cmd_steady = Signal(bool)
    _cmd_compare = Signal(bool)
    _cmd_measure = Signal(str)
    _cmd_display = Signal(int, int)
    _cmd_record = Signal(str, int)
    _cmd_stop_record = Signal()
    _cmd_snapshot = Signal(str)
    _cmd_vcam = Signal(bool)
    _cmd_shutdown = Signal()

    def __init__(self, open_source: SourceOpener | None = None, prefer_gpu: bool = True,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.slot: LatestSlot[LiveResult] = LatestSlot()
        self.thread = QThread()
        self.thread.setObjectName("pipeline-worker")
        self.worker = PipelineWorker(self.slot, open_source or open_live_source, prefer_gpu)
        self.worker.moveToThread(self.thread)
        self.thread.started.connect(self.worker.start)
        w = self.worker
        for sig, slot in ((self._cmd_source, w.set_source), (self._cmd_style, w.set_style),
                          (self._cmd_strength, w.set_strength), (self._cmd_height, w.set_output_height),
                          (self._cmd_mirror, w.set_mirror), (self._cmd_compare, w.set_compare),
                          (self._cmd_steady, w.set_steady),
                          (self._cmd_measure, w.measure_presets),
                          (self._cmd_display, w.set_display_area), (self._cmd_record, w.start_recording),
                          (self._cmd_stop_record, w.stop_recording), (self._cmd_snapshot, w.snapshot),
                          (self._cmd_vcam, w.vcam.set_enabled)):
            sig.connect(slot, Qt.ConnectionType.QueuedConnection)
        # Closing waits for the worker to finish: a running recording must be finalised before we exit.
        self._cmd_shutdown.connect(w.shutdown, Qt.ConnectionType.BlockingQueuedConnection)
        self._closed = False

    def start(self) -> None:
        self.thread.start()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self.thread.isRunning():
            emit(self._cmd_shutdown)
            self.thread.quit()
            self.thread.wait()
        self.worker.deleteLater()

    # ---- commands ----
    def set_source(self, spec: str, resolution: tuple[int, int], fps: int) -> None:
        emit(self._cmd_source, spec, tuple(resolution), int(fps))

    def set_style(self, style_id: str, onnx_path: str = "") -> None:
        emit(self._cmd_style, style_id, onnx_path)

    def set_strength(self, strength: float) -> None:
        emit(self._cmd_strength, float(strength))

    def set_output_height(self, height: int) -> None:
        emit(self._cmd_height, int(height))

    def set_mirror(self, mirror: bool) -> None:
        emit(self._cmd_mirror, bool(mirror))

    def set_steady(self, steady: bool) -> None:
        emit(self._cmd_steady, bool(steady))

    def set_compare(self, compare: bool) -> None:
        emit(self._cmd_compare, bool(compare))

    def set_display_area(self, width: int, height: int) -> None:
        emit(self._cmd_display, int(width), int(height))

    def measure_presets(self, onnx_path: str) -> None:
        emit(self._cmd_measure, onnx_path)

    def start_recording(self, folder: str, fps: int) -> None:
        emit(self._cmd_record, folder, int(fps))

    def stop_recording(self) -> None:
        emit(self._cmd_stop_record)

    def snapshot(self, folder: str) -> None:
        emit(self._cmd_snapshot, folder)

    def set_virtual_camera(self, on: bool) -> None:
        emit(self._cmd_vcam, bool(on))

    def take_latest(self) -> LiveResult | None:
        return self.slot.take()
