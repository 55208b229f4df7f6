"""The virtual camera: the frame path into a device through `VirtualCameraBackend`, the real
pyvirtualcam call on a machine without a device, the headless `live` command, and doctor.

The in-process `FakeDevice` stands in only for the device, which does not exist here; the sink, the
pipeline, the sources and pyvirtualcam are the real ones. Where v4l2loopback devices exist, a test sends
2 s of frames through pyvirtualcam and reads them back with OpenCV.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import cv2
import numpy as np
import pytest

from vst_desktop.output.sink import VirtualCameraSink
from vst_desktop.output.virtual_camera import (
    MODPROBE,
    PyVirtualCamBackend,
    VirtualCameraError,
    describe_backends,
    explain,
    format_backends,
    loopback_devices,
    setup_steps,
)


class FakeDevice:
    """An in-process virtual camera device: keeps what it was opened with and every frame it was sent."""

    def __init__(self, send_delay: float = 0.0, fail_open: VirtualCameraError | None = None) -> None:
        self.send_delay = send_delay
        self.fail_open = fail_open
        self.opened: list[tuple[int, int, float]] = []
        self.frames: list[np.ndarray] = []
        self.sent_at: list[float] = []
        self.closed = 0
        self.lock = threading.Lock()

    def open(self, width: int, height: int, fps: float) -> str:
        if self.fail_open is not None:
            raise self.fail_open
        self.opened.append((width, height, fps))
        return "/dev/fake0"

    def send(self, rgb: np.ndarray) -> None:
        w, h, _ = self.opened[-1]
        assert rgb.shape == (h, w, 3) and rgb.dtype == np.uint8 and rgb.flags.c_contiguous
        if self.send_delay:
            time.sleep(self.send_delay)  # a consumer that takes its time
        with self.lock:
            self.frames.append(rgb.copy())
            self.sent_at.append(time.monotonic())

    def close(self) -> None:
        self.closed += 1


def _wait(cond, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def _bgr(w: int, h: int, value: int) -> np.ndarray:
    img = np.zeros((h, w, 3), np.uint8)
    img[..., 0], img[..., 1], img[..., 2] = value, 100, 255 - value  # B, G, R all different
    img[0, 0] = (1, 2, 3)  # one marked pixel: orientation survives
    return img


# ---- the sink: format, size, rate, slow consumer ----

def test_frames_reach_the_device_as_rgb_at_the_frames_size_and_the_sources_rate():
    dev = FakeDevice()
    sink = VirtualCameraSink(dev)
    src = _bgr(640, 360, 40)
    assert sink.submit(src, 29.97)
    _wait(lambda: dev.frames)
    sink.close()
    assert dev.opened == [(640, 360, 29.97)]
    assert np.array_equal(dev.frames[0], src[..., ::-1])  # BGR in, RGB to the device
    assert tuple(dev.frames[0][0, 0]) == (3, 2, 1)
    assert sink.device == "/dev/fake0" and sink.sent == 1 and dev.closed >= 1


def test_a_new_size_or_rate_reopens_the_device():
    dev = FakeDevice()
    sink = VirtualCameraSink(dev, pace=False)
    for frame, fps in ((_bgr(640, 360, 1), 30), (_bgr(320, 180, 2), 30), (_bgr(320, 180, 3), 25)):
        sink.submit(frame, fps)
        _wait(lambda n=len(dev.frames): len(dev.frames) > n)
    sink.close()
    assert dev.opened == [(640, 360, 30.0), (320, 180, 30.0), (320, 180, 25.0)]
    assert dev.frames[1].shape == (180, 320, 3) and sink.opens == 3


def test_a_slow_consumer_never_blocks_the_producer_and_the_newest_frame_wins():
    dev = FakeDevice(send_delay=0.2)  # 5 frames/s at most
    sink = VirtualCameraSink(dev)
    waits = []
    for i in range(60):
        t0 = time.perf_counter()
        assert sink.submit(_bgr(64, 48, i), 30)
        waits.append(time.perf_counter() - t0)
        time.sleep(1 / 60)
    _wait(lambda: dev.frames and dev.frames[-1][1, 1, 2] == 59, timeout=3)  # the last one got through
    sink.close()
    # never the 200 ms of a send (the bound leaves room for a busy shared machine's scheduling)
    assert max(waits) < 0.1 and np.median(waits) < 0.002, f"submit waited {max(waits) * 1000:.1f} ms"
    assert sink.sent == len(dev.frames) < 15
    assert sink.sent + sink.dropped == 60


def test_frames_go_out_no_faster_than_the_sources_rate():
    dev = FakeDevice()
    sink = VirtualCameraSink(dev)
    end = time.monotonic() + 1.0
    i = 0
    while time.monotonic() < end:  # a producer at ~200 fps into a 20 fps source's device
        sink.submit(_bgr(64, 48, i % 255), 20)
        i += 1
        time.sleep(0.005)
    sink.close()
    gaps = np.diff(dev.sent_at)
    assert 12 <= sink.sent <= 24, sink.sent
    assert np.median(gaps) >= 0.9 * 0.05 - 0.005


def test_a_device_that_fails_to_open_stops_the_sink_with_its_message():
    dev = FakeDevice(fail_open=VirtualCameraError("No virtual camera device was found.", "steps"))
    sink = VirtualCameraSink(dev)
    sink.submit(_bgr(64, 48, 1), 30)
    _wait(lambda: sink.error is not None)
    assert sink.error.message == "No virtual camera device was found."
    assert not sink.submit(_bgr(64, 48, 2), 30) and not sink.running
    sink.close()


# ---- the real pyvirtualcam on this machine ----

needs_no_loopback = pytest.mark.skipif(sys.platform != "linux" or bool(loopback_devices()),
                                       reason="checks the no-device message on Linux without v4l2loopback")


@needs_no_loopback
def test_pyvirtualcam_without_a_device_gives_the_steps_not_a_traceback():
    with pytest.raises(VirtualCameraError) as err:
        PyVirtualCamBackend().open(640, 360, 30)
    assert "No virtual camera device" in err.value.message
    assert MODPROBE in err.value.hint and 'card_label="vst-desktop"' in err.value.hint


@needs_no_loopback
def test_the_sink_on_the_real_backend_reports_the_missing_device():
    sink = VirtualCameraSink(PyVirtualCamBackend())
    sink.submit(_bgr(640, 360, 9), 30)
    _wait(lambda: sink.error is not None)
    sink.close()
    assert MODPROBE in sink.error.user_text()


def test_pyvirtualcam_errors_map_to_steps_for_each_system():
    busy = explain(RuntimeError("'v4l2loopback' backend: Virtual camera device /dev/video4 could not be opened: "
                                "Device or resource busy"), system="Linux")
    assert "in use by another program" in busy.message and "devices=2" in busy.hint
    denied = explain(RuntimeError("... could not be opened: Permission denied"), system="Linux")
    assert "usermod -aG video" in denied.hint
    refused = explain(RuntimeError("Virtual camera device /dev/video4 could not be configured: Invalid argument"),
                      (1280, 720), system="Linux")
    assert "1280x720" in refused.message
    win = explain(RuntimeError("'obs' backend: OBS Virtual Camera is not installed"), system="Windows")
    assert "OBS Virtual Camera" in win.message and "obsproject.com" in win.hint
    assert "System Settings" in setup_steps("Darwin") and "Start Virtual Camera" in setup_steps("Darwin")
    other = explain(RuntimeError("something new"), system="Linux")
    assert "something new" in other.message and MODPROBE in other.hint


def test_doctor_lists_the_backends_found(tmp_path):
    rows = describe_backends()
    names = [r["backend"] for r in rows]
    if sys.platform == "linux":
        assert names == ["v4l2loopback"]
        assert rows[0]["found"] == bool(loopback_devices())
        if not rows[0]["found"]:
            assert MODPROBE in rows[0]["note"]
    text = "\n".join(format_backends(rows))
    assert text.startswith("Virtual camera:") and names[0] in text
    # sysfs as v4l2loopback lays it out: the card label is each device's `name`
    for n, label in ((10, "vst-desktop"), (2, "Dummy video device (0x0000)")):
        (tmp_path / f"video{n}").mkdir()
        (tmp_path / f"video{n}" / "name").write_text(label + "\n")
    assert loopback_devices(tmp_path) == [{"device": "/dev/video2", "label": "Dummy video device (0x0000)"},
                                          {"device": "/dev/video10", "label": "vst-desktop"}]


@pytest.mark.skipif(not loopback_devices(), reason="needs a v4l2loopback device (/dev/video*): "
                    f"{MODPROBE}")
def test_two_seconds_through_a_real_loopback_device_read_back_with_opencv():
    device = loopback_devices()[0]["device"]
    sink = VirtualCameraSink(PyVirtualCamBackend(device=device))
    assert sink.open(640, 360, 30) == device
    cap = cv2.VideoCapture(device, cv2.CAP_V4L2)
    got, stop = [], threading.Event()

    def read():
        while not stop.is_set():
            ok, img = cap.read()
            if ok:
                got.append(img)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    end, i = time.monotonic() + 2.0, 0
    while time.monotonic() < end:
        sink.submit(_bgr(640, 360, 200), 30)
        i += 1
        time.sleep(1 / 30)
    stop.set()
    reader.join(2)
    sink.close()
    cap.release()
    assert sink.error is None and sink.sent >= 40
    assert got, "nothing could be read back from the loopback device"
    img = got[-1]
    assert img.shape[:2] == (360, 640)
    # YUV on the way: colours come back within a few levels, channels in the right order
    assert np.abs(img[100:200, 100:200].astype(int).mean((0, 1)) - (200, 100, 55)).max() < 12


# ---- the headless command ----

def _live(tmp_path, *args) -> subprocess.CompletedProcess:
    import os

    env = dict(os.environ, VST_DESKTOP_HOME=str(tmp_path / "home"))
    return subprocess.run([sys.executable, "-m", "vst_desktop", "live", *args], capture_output=True,
                          text=True, env=env, timeout=300)


@needs_no_loopback
def test_live_without_a_device_exits_2_with_the_steps(tmp_path):
    r = _live(tmp_path, "--virtual-camera", "--source", "demo", "--seconds", "1")
    assert r.returncode == 2, r.stderr
    assert "No virtual camera device" in r.stderr and MODPROBE in r.stderr
    assert "Traceback" not in r.stderr + r.stdout


def test_live_needs_an_output_and_checks_its_options(tmp_path):
    r = _live(tmp_path, "--source", "demo")
    assert r.returncode == 2 and "--virtual-camera" in r.stderr and "Traceback" not in r.stderr
    r = _live(tmp_path, "--virtual-camera", "--strength", "3")
    assert r.returncode == 2 and "--strength" in r.stderr


def test_live_sends_the_stylized_mirrored_picture_at_the_sources_size_and_rate(shared_data):
    from vst_desktop.pipeline.live import run_live

    clip = shared_data / "video" / "bottle-detection.mp4"  # 640x360, 29.83 fps
    dev, lines = FakeDevice(), []
    summary = run_live(str(clip), style="bw_film", mirror=True, seconds=1.5, backend=dev, say=lines.append)
    w, h, fps = dev.opened[0]
    assert (w, h) == (640, 360) and fps == pytest.approx(29.83, abs=0.05)
    assert len(dev.opened) == 1 and summary.sent == len(dev.frames) >= 15
    assert "Virtual camera /dev/fake0: 640x360" in lines[0]
    # black and white, and mirrored: the first frame's left half is the source's right half
    out = dev.frames[0].astype(np.int16)
    assert np.abs(out[..., 0] - out[..., 2]).mean() < 3
    from vst_desktop.capture.video import iter_video_frames

    first = cv2.cvtColor(next(iter_video_frames(clip)).pixels, cv2.COLOR_BGR2GRAY).astype(np.float32)
    got = cv2.cvtColor(dev.frames[0], cv2.COLOR_RGB2GRAY).astype(np.float32)
    mirrored, straight = np.corrcoef(got.ravel(), first[:, ::-1].ravel())[0, 1], np.corrcoef(
        got.ravel(), first.ravel())[0, 1]
    assert mirrored > 0.8 and mirrored > straight + 0.1


def test_bench_measures_the_loop_with_and_without_the_virtual_camera(capsys):
    import json

    from vst_desktop.cli import main

    assert main(["bench", "--virtual-camera", "--json", "--seconds", "1", "--style", "bw_film"]) == 0
    r = json.loads(capsys.readouterr().out)
    assert r["size"] == [640, 360] and r["style"] == "bw_film" and r["sink_error"] == ""
    assert r["device_frames"] > 0 and r["rounds"] >= 4
    assert r["off_ms"] > 0 and r["on_ms"] > 0 and r["ratio"] == pytest.approx(r["on_ms"] / r["off_ms"], rel=0.01)
    assert 0 < r["sender_ms"] < r["off_ms"] and r["submit_us"] < 5000


def test_live_stops_cleanly_on_ctrl_c(monkeypatch):
    import vst_desktop.pipeline.live as live

    push, calls = live.OverlappedPipeline.push, []

    def push_then_ctrl_c(self, frame, captured_at=None):
        calls.append(1)
        if len(calls) > 10:
            raise KeyboardInterrupt
        return push(self, frame, captured_at)

    monkeypatch.setattr(live.OverlappedPipeline, "push", push_then_ctrl_c)
    dev, lines = FakeDevice(), []
    summary = live.run_live("demo", backend=dev, say=lines.append)
    assert summary.frames == 10 and "Stopped." in lines and dev.closed >= 1
    assert lines[-1].startswith(f"Sent {summary.sent} frames")
