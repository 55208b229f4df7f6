"""The "Virtual camera" toggle in the real main window.

With an in-process device behind the worker's link, toggling it on delivers what the view shows (its size,
style, strength and mirror); with the real pyvirtualcam on a machine without a device, the banner gives
the steps and the toggle goes back off.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from test_virtual_camera import FakeDevice, needs_no_loopback

from vst_desktop.core.settings import Settings
from vst_desktop.output.virtual_camera import MODPROBE
from vst_desktop.styles.library import StyleLibrary
from vst_desktop.ui.live.main_window import MainWindow
from vst_desktop.ui.live.virtual_camera_controls import BANNER_KEY

TIMEOUT_MS = 90_000


def _corr(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.corrcoef(a.astype(np.float32).mean(2).ravel(), b.astype(np.float32).mean(2).ravel())[0, 1])


@pytest.fixture
def photo(shared_data) -> Path:
    return shared_data / "content" / "val" / "faces_cc0_004.jpg"


@pytest.fixture
def window(qtbot, tmp_path, photo):
    # A still photo, a network style (no per-frame grain) and no stabiliser: every frame the view shows is the
    # same picture, so the device's can be compared with it exactly.
    settings = Settings(camera=str(photo), mirror=True, compare=False, inference_preset="Fast 360p",
                        style="monet", strength=0.6, recordings_dir=str(tmp_path / "rec"),
                        extra={"steady": False})
    w = MainWindow(settings, StyleLibrary(), str(photo), cameras=[], persist=False)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitUntil(lambda: w.last_result is not None and w.last_result.style_id == "monet",
                    timeout=TIMEOUT_MS)
    yield w
    w.close()


def test_toggle_sends_the_view_picture_mirrored_and_styled(qtbot, window):
    dev = FakeDevice()
    window.engine.worker.vcam.backend_factory = lambda: dev
    assert window.vcam.action in window.toolbar.actions()
    window.vcam.action.trigger()
    assert window.vcam.is_on()
    qtbot.waitUntil(lambda: len(dev.frames) >= 5, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: window.vcam.device == "/dev/fake0", timeout=10_000)
    assert "Virtual camera on: /dev/fake0" in window.statusBar().currentMessage()
    shown = window.last_result
    h, w = shown.pixels.shape[:2]
    assert dev.opened[0][:2] == (w, h) and dev.opened[0][2] > 0
    assert shown.strength == pytest.approx(0.6) and window.act_mirror.isChecked()
    # the device gets the view's picture itself: same style, strength and mirror, in RGB
    assert np.array_equal(dev.frames[-1], shown.pixels[..., ::-1])
    source = cv2.resize(shown.input_pixels, (w, h))
    assert _corr(dev.frames[-1], source[:, ::-1, ::-1]) > _corr(dev.frames[-1], source[..., ::-1]) + 0.1

    window.act_mirror.setChecked(False)  # a change in the view reaches the device too
    qtbot.waitUntil(lambda: _corr(window.last_result.pixels, source) > 0.8, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: np.array_equal(dev.frames[-1], window.last_result.pixels[..., ::-1]),
                    timeout=10_000)

    window.vcam.action.trigger()  # off: the device is released and nothing more is sent
    qtbot.waitUntil(lambda: dev.closed >= 1, timeout=10_000)
    n = len(dev.frames)
    qtbot.wait(300)
    assert len(dev.frames) == n and BANNER_KEY not in window.banners.keys()


@needs_no_loopback
def test_without_a_device_the_banner_gives_the_steps(qtbot, window):
    window.vcam.action.trigger()  # the real pyvirtualcam backend
    qtbot.waitUntil(lambda: BANNER_KEY in window.banners.keys(), timeout=TIMEOUT_MS)
    assert not window.vcam.is_on()
    text = window.banners.text(BANNER_KEY)
    assert "No virtual camera device" in text and MODPROBE in text
    assert MODPROBE in window.banners.shown_text(BANNER_KEY)  # visible, not cut off into the tooltip
    assert window.last_result is not None  # the video keeps running
    frames = window.frames_shown
    qtbot.waitUntil(lambda: window.frames_shown > frames + 3, timeout=TIMEOUT_MS)
