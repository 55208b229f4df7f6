"""The gallery's live thumbnails: each style shown on the person's own current frame.

Every `REFRESH_MS` the GUI thread takes the newest source frame the worker already handed over (the
LatestSlot's `input_pixels`: the frame path does no extra work), crops it and queues a job for the
Qt-free `ThumbnailLoop` (pipeline/thumbnails.py), a lowest-priority thread that paints one style at a
time; finished tiles come back through a queued signal and replace the gallery's icons. Nothing runs
while the window is hidden or minimised, in full screen (no gallery) or while recording (the encoder
needs the cores), nor when the picture has not changed. "Live thumbnails" in the View menu (on by
default, kept in the settings) turns it off, which stops the thread and restores the fixed thumbnails.
"""

from __future__ import annotations

import logging

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QAction, QImage, QPixmap

from vst_desktop.pipeline.sizing import PRESETS
from vst_desktop.pipeline.thumbnails import (
    ThumbnailJob,
    ThumbnailLoop,
    ThumbnailRenderer,
    inference_side,
    live_network_height,
    square_crop,
)
from vst_desktop.ui.common.qt_workarounds import emit
from vst_desktop.ui.live.gallery import ORIGINAL_ID

log = logging.getLogger(__name__)

SETTING = "live_thumbnails"  # key in Settings.extra
REFRESH_MS = 5000


def bgr_pixmap(bgr: np.ndarray) -> QPixmap:
    h, w = bgr.shape[:2]
    bgr = np.ascontiguousarray(bgr)
    return QPixmap.fromImage(QImage(bgr.data, w, h, int(bgr.strides[0]), QImage.Format.Format_BGR888).copy())


def setting_on(extra: dict) -> bool:
    value = extra.get(SETTING, True)
    return value if isinstance(value, bool) else True  # a hand-edited odd value: the default


class LiveThumbnails(QObject):
    """Owns the "Live thumbnails" action, the refresh timer and (while on) the renderer thread."""

    _tile = Signal(int, str, object, object)  # generation, style id, BGR tile, its ThumbnailJob

    def __init__(self, window, refresh_ms: int = REFRESH_MS) -> None:
        super().__init__(window)
        self._window = window
        self.gallery = window.panel.gallery
        self.loop: ThumbnailLoop | None = None
        self.painted_from: dict[str, ThumbnailJob] = {}  # the job each live icon came from (tests)
        self._generation = 0
        self._last_input = None
        self._timer = QTimer(self)
        self._timer.setInterval(refresh_ms)
        self._timer.timeout.connect(self.refresh)
        self._tile.connect(self._on_tile)  # emitted from the loop's thread: queued to this (GUI) thread
        self.action = QAction("Live thumbnails", window)
        self.action.setCheckable(True)
        self.action.setToolTip("Show every style in the gallery on your own current picture "
                               "(refreshed every few seconds); off: the styles' fixed pictures")
        self.action.setChecked(setting_on(window.settings.extra))
        self.action.toggled.connect(self._on_toggled)
        window.addAction(self.action)
        if self.action.isChecked():
            self._start()

    def is_on(self) -> bool:
        return self.action.isChecked()

    def _on_toggled(self, on: bool) -> None:
        self._window.settings.extra[SETTING] = bool(on)
        if on:
            self._start()
            QTimer.singleShot(0, self.refresh)  # the person asked for them: no need to wait a period
        else:
            self._stop()
            self.gallery.restore_fixed_icons()

    def _start(self) -> None:
        if self.loop is None:
            self._generation += 1
            gen = self._generation
            self.loop = ThumbnailLoop(ThumbnailRenderer(),
                                      lambda job, sid, tile: self._from_loop(gen, sid, tile, job))
            self.loop.start()
        self._timer.start()

    def _stop(self) -> None:
        self._timer.stop()
        self._generation += 1  # tiles still on their way are dropped
        loop, self.loop = self.loop, None
        if loop is not None:
            loop.stop()
        self._last_input = None
        self.painted_from.clear()

    def close(self) -> None:
        """The window is closing: stop the thread (its sessions go with it)."""
        self._stop()

    def paused_because(self) -> str:
        w = self._window
        if not w.isVisible() or w.isMinimized():
            return "the window is hidden"
        if not self.gallery.isVisible():
            return "the gallery is hidden"
        if w.is_recording():
            return "recording"
        return ""

    def refresh(self) -> bool:
        """Queue the newest frame for every style (those on screen first); False when nothing was queued."""
        if self.loop is None or self.paused_because():
            return False
        latest = self._window.engine.slot.peek()
        if latest is None or latest.input_pixels is self._last_input:
            return False  # no picture yet, or a still one that is already painted
        self._last_input = latest.input_pixels
        pixels = latest.input_pixels
        height = live_network_height(latest.stats.inference_size,
                                     PRESETS.get(self._window.panel.current_preset(), PRESETS["Fast 360p"]))
        out_side = max(16, round(self.gallery.view.iconSize().width() * self.gallery.devicePixelRatioF()))
        models = ((sid, self.gallery.model_path(sid)) for sid in self.gallery.ids_in_view_first())
        job = ThumbnailJob(square_crop(pixels, self._window.act_mirror.isChecked()),
                           tuple((sid, path) for sid, path in models if path or sid == ORIGINAL_ID),
                           inference_side((pixels.shape[1], pixels.shape[0]), height), out_side)
        self.loop.submit(job)
        return True

    def _from_loop(self, generation: int, style_id: str, tile: np.ndarray, job: ThumbnailJob) -> None:
        try:
            emit(self._tile, generation, style_id, tile, job)
        except RuntimeError:  # the window was deleted while the tile was painted: nobody is listening
            log.debug("live thumbnail finished after its window closed")

    def _on_tile(self, generation: int, style_id: str, tile: np.ndarray, job: ThumbnailJob) -> None:
        if generation != self._generation:
            return  # painted before the thumbnails were turned off (or on again)
        self.gallery.set_live_icon(style_id, bgr_pixmap(tile))
        self.painted_from[style_id] = job
