"""Cameras: listing, a missing camera, and unplug/replug with an injected fake capture device."""

from __future__ import annotations

import threading
import time

import cv2
import numpy as np
import pytest
from _helpers import wait_for

from vst_desktop.capture.camera import CameraSource, list_cameras, list_linux_cameras
from vst_desktop.core.errors import CameraError


class FakeCamera:
    """A camera whose cable the test can pull: captures opened from it fail while it is unplugged.

    It delivers 320x240 whatever size is asked, like a camera without the requested mode.
    """

    def __init__(self) -> None:
        self.plugged = True
        self.opens = 0
        self.requested: dict[int, float] = {}
        self.block = threading.Event()  # set -> read() hangs, like a driver that stops answering
        self.unblock = threading.Event()

    def open_capture(self, index: int) -> FakeCapture:
        self.opens += 1
        return FakeCapture(self)


class FakeCapture:
    def __init__(self, camera: FakeCamera) -> None:
        self.camera = camera
        self.opened = camera.plugged

    def isOpened(self) -> bool:  # noqa: N802
        return self.opened

    def read(self):
        if self.camera.block.is_set():
            self.camera.unblock.wait(10)
        if not (self.opened and self.camera.plugged):
            return False, None
        time.sleep(0.005)  # ~200 fps: fast, but not a busy loop
        return True, np.full((240, 320, 3), 128, np.uint8)

    def release(self) -> None:
        self.opened = False

    def get(self, prop: int) -> float:
        return 15.0 if prop == cv2.CAP_PROP_FPS else 0.0

    def set(self, prop: int, value: float) -> bool:
        self.camera.requested[prop] = value
        return True


def fake_source(camera: FakeCamera, **kwargs) -> CameraSource:
    return CameraSource(0, open_capture=camera.open_capture, stall_timeout_s=0.2, retry_interval_s=0.05,
                        name="Fake cam", **kwargs)


def test_missing_camera_raises_clear_error():
    with pytest.raises(CameraError) as info:
        CameraSource(57).open()  # the real OpenCV path; no camera has that index
    assert "Camera 57 could not be opened" in info.value.message and info.value.hint


def test_camera_that_opens_but_sends_nothing():
    camera = FakeCamera()
    camera.plugged = False
    with pytest.raises(CameraError, match="could not be opened"):
        fake_source(camera).open()


def test_requests_mjpeg_and_reports_delivered_mode():
    camera = FakeCamera()
    with fake_source(camera, width=1280, height=720, fps=30) as src:
        info = src.info
        assert (info.kind, info.name, info.width, info.height, info.fps) == ("camera", "Fake cam", 320, 240, 15)
        assert src.read_latest() is not None
    assert camera.requested[cv2.CAP_PROP_FOURCC] == cv2.VideoWriter_fourcc(*"MJPG")
    assert (camera.requested[cv2.CAP_PROP_FRAME_WIDTH], camera.requested[cv2.CAP_PROP_FRAME_HEIGHT]) == (1280, 720)


def test_latest_frame_wins():
    with fake_source(FakeCamera()) as src:
        assert wait_for(lambda: src.dropped_frames >= 3)
        frame = src.read_latest()
        assert frame is not None and frame.index >= 3


def test_unplug_sets_error_and_replug_recovers():
    camera = FakeCamera()
    with fake_source(camera) as src:
        assert src.read_latest() is not None and src.error is None
        camera.plugged = False
        assert wait_for(lambda: src.error is not None)
        assert "Camera 0 stopped sending frames (unplugged?)" in src.error.message
        assert "retries every 2 s" in src.error.hint
        src.read_latest(timeout=0)  # drain the frame from before the unplug
        assert src.read_latest(timeout=0.1) is None  # no frames, and read does not hang
        opens_while_unplugged = camera.opens
        assert wait_for(lambda: camera.opens > opens_while_unplugged + 1)  # it keeps retrying
        before = src.read_latest(timeout=0)
        camera.plugged = True
        assert wait_for(lambda: src.error is None)
        frame = src.read_latest(timeout=2.0)
        assert frame is not None and (before is None or frame.index > before.index)
        assert src.reconnects == 1


def test_hung_read_is_reported():
    camera = FakeCamera()
    src = fake_source(camera)
    src.open()
    try:
        camera.block.set()
        assert wait_for(lambda: src.error is not None)
        assert "stopped sending frames" in src.error.message
    finally:
        camera.unblock.set()
        src.close()


def test_list_linux_cameras_reads_names_and_skips_metadata_nodes(tmp_path):
    dev, sysfs = tmp_path / "dev", tmp_path / "sys"
    for n, name, index in [(0, "Integrated Webcam", "0"), (1, "Integrated Webcam", "1"), (2, "USB Cam", "0")]:
        (dev / f"video{n}").parent.mkdir(exist_ok=True)
        (dev / f"video{n}").touch()
        (sysfs / f"video{n}").mkdir(parents=True)
        (sysfs / f"video{n}" / "name").write_text(name + "\n")
        (sysfs / f"video{n}" / "index").write_text(index + "\n")
    (dev / "video10").touch()  # no sysfs entry: still listed, with a generic name
    cams = list_linux_cameras(dev, sysfs)
    assert [(c.index, c.name, c.device) for c in cams] == [
        (0, "Integrated Webcam", str(dev / "video0")), (2, "USB Cam", str(dev / "video2")),
        (10, "Camera 10", str(dev / "video10"))]


def test_list_cameras_runs_on_this_machine():
    assert isinstance(list_cameras(), list)
