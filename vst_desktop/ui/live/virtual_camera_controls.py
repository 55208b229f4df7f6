"""The window's "Virtual camera" toggle and its worker-side half.

`VirtualCameraLink` lives in the pipeline worker's thread (a child of the worker): the worker hands it
each result exactly as the view gets it (after mirror, style, strength and stabiliser), and it passes
the frame to a `VirtualCameraSink`, which sends on its own thread, so a slow consumer never holds up the
view. `VirtualCameraControls` is the toolbar/menu action in the GUI thread: it turns the link on and off
and shows what happened in the status bar, or in a banner with the steps when there is no device.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QPointF, QRectF, Qt, Signal, Slot
from PySide6.QtGui import QAction, QIcon, QPainter, QPixmap, QPolygonF

from vst_desktop.output.sink import VirtualCameraSink
from vst_desktop.output.virtual_camera import PyVirtualCamBackend, VirtualCameraBackend
from vst_desktop.ui.common.notify import Level
from vst_desktop.ui.common.qt_workarounds import emit
from vst_desktop.ui.common.theme import TEXT

BANNER_KEY = "virtual-camera"
_TIP = "Send the picture, as shown, to a virtual camera that video-call apps can pick"


class VirtualCameraLink(QObject):
    """Worker side. `set_enabled` is a queued slot; `submit` is called by the worker for every result."""

    started = Signal(str, int, int, float)  # device, width, height, fps (again after each reopen)
    stopped = Signal(str)  # why it stopped ("" = turned off)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        # Tests and the self-test put an in-process device here; the app uses pyvirtualcam.
        self.backend_factory: Callable[[], VirtualCameraBackend] = PyVirtualCamBackend
        self.sink: VirtualCameraSink | None = None
        self._announced = 0

    @Slot(bool)
    def set_enabled(self, on: bool) -> None:
        if on and self.sink is None:
            # The device opens on the sink's thread with the first frame's size: nothing waits here.
            self.sink, self._announced = VirtualCameraSink(self.backend_factory()), 0
        elif not on and self.sink is not None:
            self.close()
            emit(self.stopped, "")

    def submit(self, pixels, source) -> None:
        sink = self.sink
        if sink is None:
            return
        sink.submit(pixels, float(getattr(getattr(source, "info", None), "fps", 0.0) or 0.0))
        if sink.error is not None:
            self.close()
            emit(self.stopped, sink.error.user_text())
        elif sink.opens != self._announced:
            self._announced = sink.opens
            w, h = sink.size
            emit(self.started, sink.device, w, h, sink.fps)

    def close(self) -> None:
        sink, self.sink = self.sink, None
        if sink is not None:
            sink.close()


def camera_icon() -> QIcon:
    s = 64.0
    pm = QPixmap(int(s), int(s))
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(TEXT)
    p.drawRoundedRect(QRectF(s * 0.08, s * 0.28, s * 0.56, s * 0.44), s * 0.08, s * 0.08)
    p.drawPolygon(QPolygonF([QPointF(s * 0.68, s * 0.40), QPointF(s * 0.92, s * 0.28),
                             QPointF(s * 0.92, s * 0.72), QPointF(s * 0.68, s * 0.60)]))
    p.end()
    return QIcon(pm)


class VirtualCameraControls(QObject):
    """GUI side: `action` (checkable) for the toolbar and the File menu; wired to `window.engine`."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self._window = window
        self.device = ""
        self.action = QAction(camera_icon(), "Virtual camera", window)
        self.action.setCheckable(True)
        self.action.setToolTip(_TIP)
        self.action.toggled.connect(self._on_toggled)
        window.addAction(self.action)
        link = window.engine.worker.vcam
        link.started.connect(self._on_started)
        link.stopped.connect(self._on_stopped)

    def is_on(self) -> bool:
        return self.action.isChecked()

    def _on_toggled(self, on: bool) -> None:
        w = self._window
        if on:
            w.notifier.clear(BANNER_KEY)
            w.notifier.status("Starting the virtual camera…", 4000)
        else:
            self.device = ""
        w.engine.set_virtual_camera(on)

    def _on_started(self, device: str, width: int, height: int, fps: float) -> None:
        self.device = device
        self.action.setToolTip(f"Virtual camera on: {device}, {width}×{height} at {fps:.3g} fps")
        self._window.notifier.status(f"Virtual camera on: {device}  ·  {width}×{height}  ·  {fps:.3g} fps", 8000)

    def _on_stopped(self, message: str) -> None:
        self.device = ""
        if not message:
            return  # turned off here: the action already says so
        self.action.blockSignals(True)  # the worker already stopped it: do not send "off" back
        self.action.setChecked(False)
        self.action.blockSignals(False)
        self.action.setToolTip(_TIP)
        self._window.notify(Level.ERROR, message, BANNER_KEY)
