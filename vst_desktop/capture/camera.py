"""Cameras through OpenCV: listing, MJPEG at the asked size, latest frame wins, survive an unplug.

The capture object comes from an `open_capture(index)` factory given to `CameraSource`, so tests can
inject a fake device that stops and resumes delivering frames.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np

from vst_desktop.capture.base import FrameSource, LatestSlot, SourceInfo, stop_reader_thread
from vst_desktop.core.errors import CameraError
from vst_desktop.core.frame import Frame

log = logging.getLogger(__name__)

_DEV_DIR = Path("/dev")
_SYSFS_DIR = Path("/sys/class/video4linux")
_PROBE_INDICES = range(4)
_RETRY_HINT = "Reconnect it; the app retries every 2 s."


@dataclass(frozen=True)
class CameraInfo:
    index: int
    name: str
    device: str


class Capture(Protocol):
    """The part of `cv2.VideoCapture` that CameraSource uses."""

    def read(self) -> tuple[bool, np.ndarray | None]: ...
    def release(self) -> None: ...
    def isOpened(self) -> bool: ...  # noqa: N802 (OpenCV's name)
    def get(self, prop: int) -> float: ...
    def set(self, prop: int, value: float) -> bool: ...


OpenCapture = Callable[[int], Capture]


def _backend() -> int:
    # The platform's native API: V4L2 on Linux; DirectShow opens fast and honours MJPEG on Windows.
    if sys.platform.startswith("linux"):
        return cv2.CAP_V4L2
    if sys.platform == "win32":
        return cv2.CAP_DSHOW
    return cv2.CAP_ANY


def open_cv_capture(index: int) -> Capture:
    return cv2.VideoCapture(index, _backend())


def _sysfs_name(sysfs: Path, node: str) -> str | None:
    try:
        return (sysfs / node / "name").read_text(encoding="utf-8", errors="replace").strip() or None
    except OSError:
        return None


def _is_capture_node(sysfs: Path, node: str) -> bool:
    """UVC cameras expose a second /dev/video node for metadata; its sysfs `index` is not 0."""
    try:
        return (sysfs / node / "index").read_text().strip() in ("", "0")
    except OSError:
        return True  # no sysfs entry: assume it is a camera and let opening decide


def list_linux_cameras(dev_dir: Path = _DEV_DIR, sysfs: Path = _SYSFS_DIR) -> list[CameraInfo]:
    cameras = []
    for dev in dev_dir.glob("video*"):
        match = re.fullmatch(r"video(\d+)", dev.name)
        if match and _is_capture_node(sysfs, dev.name):
            index = int(match.group(1))
            cameras.append(CameraInfo(index, _sysfs_name(sysfs, dev.name) or f"Camera {index}", str(dev)))
    return sorted(cameras, key=lambda c: c.index)


def _probe_cameras(open_capture: OpenCapture) -> list[CameraInfo]:
    cameras = []
    for index in _PROBE_INDICES:
        cap = open_capture(index)
        try:
            if cap.isOpened():
                cameras.append(CameraInfo(index, f"Camera {index}", f"index {index}"))
        finally:
            cap.release()
    return cameras


def list_cameras() -> list[CameraInfo]:
    """Cameras present now. Linux reads /dev and sysfs (names, no device opened); elsewhere indices
    0..3 are probed with OpenCV, which gives no names."""
    if sys.platform.startswith("linux"):
        return list_linux_cameras()
    return _probe_cameras(open_cv_capture)


def camera_name(index: int) -> str:
    if sys.platform.startswith("linux"):
        return _sysfs_name(_SYSFS_DIR, f"video{index}") or f"Camera {index}"
    return f"Camera {index}"


class CameraSource(FrameSource):
    """One camera. A reader thread keeps only the newest frame.

    When no frame arrives for `stall_timeout_s` (unplugged, driver hiccup) `error` is set, the device is
    released and reopened every `retry_interval_s` in the background; `error` clears with the first frame
    after recovery. The frame index keeps counting across reconnects.
    """

    def __init__(self, index: int, width: int = 640, height: int = 360, fps: float = 30, *,
                 open_capture: OpenCapture = open_cv_capture, stall_timeout_s: float = 2.0,
                 retry_interval_s: float = 2.0, name: str | None = None) -> None:
        self.index = index
        self.requested = (int(width), int(height), float(fps))
        self._open_capture = open_capture
        self._stall_timeout_s = stall_timeout_s
        self._retry_interval_s = retry_interval_s
        self._name = name
        self._slot = LatestSlot()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._cap: Capture | None = None
        self._info: SourceInfo | None = None
        self._index = 0
        self._last_frame_at = 0.0
        self.reconnects = 0

    # -- opening -----------------------------------------------------------------------------
    def _configure(self, cap: Capture) -> None:
        width, height, fps = self.requested
        # MJPEG first: USB 2 cameras deliver only ~10 fps at 720p in raw YUYV.
        cap.set(cv2.CAP_PROP_FOURCC, cv2.VideoWriter_fourcc(*"MJPG"))
        cap.set(cv2.CAP_PROP_FRAME_WIDTH, width)
        cap.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
        cap.set(cv2.CAP_PROP_FPS, fps)
        cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)  # a deep driver buffer is latency

    def _try_open(self) -> tuple[Capture, np.ndarray] | None:
        """Open and configure the device and read a first frame; None if any of it fails."""
        try:
            cap = self._open_capture(self.index)
        except cv2.error as exc:
            log.info("camera %d: open failed: %s", self.index, exc)
            return None
        try:
            if cap.isOpened():
                self._configure(cap)
                ok, img = cap.read()
                if ok and img is not None:
                    return cap, img
        except cv2.error as exc:
            log.info("camera %d: first read failed: %s", self.index, exc)
        cap.release()
        return None

    def _describe(self, cap: Capture, img: np.ndarray) -> SourceInfo:
        """What the camera actually delivers, which may differ from what was asked for."""
        fps = cap.get(cv2.CAP_PROP_FPS) or self.requested[2]
        name = self._name or camera_name(self.index)
        return SourceInfo("camera", name, int(img.shape[1]), int(img.shape[0]), float(fps), None)

    def open(self) -> None:
        if self._thread is not None:
            return
        opened = self._try_open()
        if opened is None:
            raise CameraError(f"Camera {self.index} could not be opened (missing, or used by another app).",
                              "Check it is plugged in and not in use, or choose another source.")
        self._cap, first = opened
        self._info = self._describe(self._cap, first)
        w, h, fps = self.requested
        if (self._info.width, self._info.height) != (w, h):
            log.info("camera %d: asked for %dx%d, delivers %dx%d @ %.1f fps",
                     self.index, w, h, self._info.width, self._info.height, self._info.fps)
        self._publish(first)
        self._thread = threading.Thread(target=self._run, name=f"camera-{self.index}", daemon=True)
        self._thread.start()

    # -- reading -----------------------------------------------------------------------------
    @property
    def info(self) -> SourceInfo:
        if self._info is None:
            w, h, fps = self.requested
            return SourceInfo("camera", self._name or camera_name(self.index), w, h, fps, None)
        return self._info

    @property
    def dropped_frames(self) -> int:
        return self._slot.dropped

    @property
    def error(self) -> CameraError | None:
        if self._error is None and self._stalled():
            # The reader is stuck inside a blocking read(): report it before the driver gives up.
            return self._stall_error()
        return self._error

    def _stalled(self) -> bool:
        running = self._thread is not None and not self._stop.is_set()
        return running and time.monotonic() - self._last_frame_at > self._stall_timeout_s * 1.5

    def _stall_error(self) -> CameraError:
        return CameraError(f"Camera {self.index} stopped sending frames (unplugged?).", _RETRY_HINT)

    def read_latest(self, timeout: float = 1.0) -> Frame | None:
        return self._slot.take(timeout)

    def close(self) -> None:
        stop_reader_thread(self._stop, self._slot, self._thread, timeout=3.0)
        if self._cap is not None:
            self._cap.release()
            self._cap = None

    def _publish(self, img: np.ndarray) -> None:
        self._last_frame_at = time.monotonic()
        self._slot.put(Frame(img, self._last_frame_at, self._index))
        self._index += 1

    # -- reader thread -----------------------------------------------------------------------
    def _run(self) -> None:
        next_retry = 0.0
        while not self._stop.is_set():
            if self._cap is None:
                if time.monotonic() >= next_retry:
                    self._reconnect()
                    next_retry = time.monotonic() + self._retry_interval_s
                self._stop.wait(min(0.1, self._retry_interval_s))
                continue
            img = self._read_once(self._cap)
            if img is not None:
                if self._error is not None:
                    log.info("camera %d: frames are back", self.index)
                    self._error = None
                self._publish(img)
            elif time.monotonic() - self._last_frame_at > self._stall_timeout_s:
                self._lost()
                next_retry = time.monotonic() + self._retry_interval_s
            else:
                self._stop.wait(0.02)  # a failing read returns at once; do not spin

    def _read_once(self, cap: Capture) -> np.ndarray | None:
        try:
            ok, img = cap.read()
        except cv2.error as exc:
            log.debug("camera %d: read failed: %s", self.index, exc)
            return None
        return img if ok and img is not None else None

    def _lost(self) -> None:
        self._error = self._stall_error()
        log.warning("camera %d stopped sending frames; retrying every %.0f s",
                    self.index, self._retry_interval_s)
        if self._cap is not None:
            self._cap.release()
            self._cap = None

    def _reconnect(self) -> None:
        opened = self._try_open()
        if opened is None:
            return
        self._cap, first = opened
        self._info = self._describe(self._cap, first)
        self.reconnects += 1
        if self._error is not None:
            log.info("camera %d: reconnected", self.index)
            self._error = None
        self._publish(first)


