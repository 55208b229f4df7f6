"""`VirtualCameraSink`: the hand-off from a frame loop to a virtual camera, on the sink's own thread.

The producer (the pipeline worker, the `live` command) calls `submit(bgr, fps)`, which only swaps one
reference under a lock: the newest frame wins, a replaced one is counted in `dropped`, so a slow consumer
(a device write that blocks, a busy reader) costs the view nothing. The sender thread converts BGR to the
device's RGB, opens the device at the frame's size and the source's rate, reopens it when either changes,
and sends no faster than that rate.
"""

from __future__ import annotations

import logging
import threading
import time

import cv2
import numpy as np

from vst_desktop.output.virtual_camera import VirtualCameraBackend, VirtualCameraError

log = logging.getLogger(__name__)

DEFAULT_FPS = 30.0
# Frames may arrive a little early (capture jitter); sending one then instead of dropping it keeps the
# stream smooth while the long-run rate stays at the source's.
_PACE_TOLERANCE = 0.9
_JOIN_S = 2.0


class VirtualCameraSink:
    """Start with a backend; `submit` frames; read `error`, `device`, `sent`, `dropped`; `close()` at the end.

    Submitted frames are kept by reference until sent: the producer must not write into them afterwards
    (the pipeline makes a new array for every frame).
    """

    def __init__(self, backend: VirtualCameraBackend, pace: bool = True) -> None:
        self._backend = backend
        self._pace = pace
        self._cond = threading.Condition()
        self._io = threading.Lock()  # the backend is used by one thread at a time
        self._pending: tuple[np.ndarray, float] | None = None
        self._closed = False
        self._key: tuple[int, int, float] | None = None  # (width, height, fps) the device is open at
        self.error: VirtualCameraError | None = None
        self.device = ""
        self.opens = 0  # how many times a device was (re)opened: the GUI announces each
        self.submitted = 0
        self.sent = 0
        self.dropped = 0
        self._thread = threading.Thread(target=self._run, name="virtual-camera", daemon=True)
        self._thread.start()

    # ---- producer side ----
    @property
    def size(self) -> tuple[int, int]:
        key = self._key
        return (key[0], key[1]) if key else (0, 0)

    @property
    def fps(self) -> float:
        key = self._key
        return key[2] if key else 0.0

    @property
    def running(self) -> bool:
        return not self._closed and self.error is None

    def open(self, width: int, height: int, fps: float) -> str:
        """Open the device now, in the caller's thread (the CLI fails early this way); the GUI need not:
        the first submitted frame opens it. Raises VirtualCameraError."""
        with self._io:
            self._ensure_open(int(width), int(height), fps)
        return self.device

    def submit(self, bgr: np.ndarray, fps: float = 0.0) -> bool:
        """Hand over the newest frame (BGR uint8 HxWx3) and the source's rate; never waits for the device.
        False once the sink is closed or failed (read `error`)."""
        with self._cond:
            if self._closed or self.error is not None:
                return False
            if self._pending is not None:
                self.dropped += 1
            self._pending = (bgr, float(fps))
            self.submitted += 1
            self._cond.notify_all()
        return True

    def close(self) -> None:
        """Stop sending and release the device (waits up to 2 s for a send in progress)."""
        with self._cond:
            self._closed = True
            self._pending = None
            self._cond.notify_all()
        if self._thread is not threading.current_thread():
            self._thread.join(_JOIN_S)
            if self._thread.is_alive():
                log.warning("the virtual camera did not finish its last frame in %.0f s", _JOIN_S)

    # ---- sender thread ----
    def _next(self, last_sent: float) -> tuple[np.ndarray, float] | None:
        with self._cond:
            self._cond.wait_for(lambda: self._pending is not None or self._closed)
            if self._pace and self.fps > 0:
                due = last_sent + _PACE_TOLERANCE / self.fps
                # Wait out the rest of this frame's slot; a newer frame arriving meanwhile replaces this one.
                while not self._closed and (left := due - time.monotonic()) > 0:
                    self._cond.wait(left)
            if self._closed:
                return None
            item, self._pending = self._pending, None
            return item

    def _run(self) -> None:
        last_sent = 0.0
        try:
            while (item := self._next(last_sent)) is not None:
                bgr, fps = item
                h, w = bgr.shape[:2]
                # Converted here, off the producer's thread; cv2 releases the GIL while it works.
                rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
                with self._io:
                    if self._closed:
                        break
                    self._ensure_open(w, h, fps)
                    self._backend.send(rgb)
                last_sent = time.monotonic()
                self.sent += 1
        except VirtualCameraError as exc:
            self._fail(exc)
        except Exception as exc:  # noqa: BLE001 - a device bug must end the output, not the app
            log.exception("the virtual camera failed")
            self._fail(VirtualCameraError(f"The virtual camera stopped ({type(exc).__name__}: {exc}).",
                                          "Turn Virtual camera on again; the details are in the log file."))
        finally:
            self._release()

    def _ensure_open(self, width: int, height: int, fps: float) -> None:
        fps = round(float(fps), 3) if fps and fps > 0 else (self.fps or DEFAULT_FPS)
        key = (width, height, fps)
        if key == self._key:
            return
        if self._key is not None:
            log.info("virtual camera: %dx%d at %.3g fps -> %dx%d at %.3g fps, reopening",
                     *self._key, *key)
            self._key = None
            self._backend.close()
        self.device = self._backend.open(width, height, fps)
        self._key = key
        self.opens += 1
        log.info("virtual camera %s open at %dx%d, %.3g fps", self.device, width, height, fps)

    def _fail(self, exc: VirtualCameraError) -> None:
        log.warning("virtual camera: %s", exc.message)
        with self._cond:
            self.error = exc
            self._pending = None

    def _release(self) -> None:
        with self._io:
            self._key = None
            try:
                self._backend.close()
            except Exception as exc:  # noqa: BLE001 - closing a failed device must not hide why it failed
                log.warning("closing the virtual camera failed: %s", exc)
