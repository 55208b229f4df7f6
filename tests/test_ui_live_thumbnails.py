"""Live gallery thumbnails on the real window and the real styles: each tile shows its style on the frame
the worker is showing, painted on a low-priority thread of its own; the setting off brings the fixed ones back.
"""

from __future__ import annotations

import collections
import os
import sys
import threading
import time

import cv2
import numpy as np
from _helpers import window_settings
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

from vst_desktop.core.settings import Settings
from vst_desktop.inference.session import StyleSession
from vst_desktop.pipeline.thumbnails import (
    NICE,
    ThumbnailJob,
    ThumbnailLoop,
    ThumbnailRenderer,
    inference_side,
    square_crop,
)
from vst_desktop.ui.live.live_thumbnails import SETTING
from vst_desktop.ui.live.main_window import MainWindow

TIMEOUT_MS = 90_000  # style warm-up plus a few refreshes at the lowest priority on a busy 2-core machine


def _bgr(icon, side: int) -> np.ndarray:
    img = icon.pixmap(side, side).toImage().convertToFormat(QImage.Format.Format_RGB888)
    arr = np.frombuffer(img.constBits(), np.uint8).reshape(img.height(), img.bytesPerLine())
    return cv2.cvtColor(arr[:, :img.width() * 3].reshape(img.height(), img.width(), 3), cv2.COLOR_RGB2BGR)


def _diff(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.mean(np.abs(a.astype(np.float32) - b.astype(np.float32))))


def _first_painted_style(window: MainWindow) -> str:
    """The first trained (painted) style whose tile is on screen: the filters would be too easy."""
    gallery = window.panel.gallery
    return next(sid for sid in gallery.ids_in_view_first() if sid and window.library.get(sid).meta.kind == "gan")


def test_tiles_show_each_style_on_the_current_frame_off_the_worker_thread(qtbot, make_window):
    window = make_window()
    live, gallery = window.live_thumbs, window.panel.gallery
    assert live.is_on() and live.action.isChecked()  # on by default
    # Which frames the thumbnails took from the worker's hand-off (the LatestSlot), to tie the tile to one.
    taken = collections.deque(maxlen=8)
    peek = window.engine.slot.peek

    def recording_peek():
        latest = peek()
        if latest is not None:
            taken.append(latest.input_pixels)
        return latest

    window.engine.slot.peek = recording_peek
    worker_threads = set()
    window.engine.worker.frame_ready.connect(lambda: worker_threads.add(threading.get_ident()),
                                             Qt.ConnectionType.DirectConnection)
    style_id = _first_painted_style(window)

    t0 = time.monotonic()
    qtbot.waitUntil(lambda: style_id in live.painted_from, timeout=TIMEOUT_MS)
    print(f"first live tile of {style_id} after {time.monotonic() - t0:.1f} s")
    job = live.painted_from[style_id]
    assert [sid for sid, _ in job.styles[:2]] == gallery.ids_in_view_first()[:2]  # tiles on screen first
    assert any(np.array_equal(job.square, square_crop(p)) for p in list(taken)), "not the worker's frame"

    side = gallery.view.iconSize().width()
    shown = _bgr(gallery.icon_of(style_id), side)
    pkg = window.library.get(style_id)
    fixed = cv2.resize(cv2.imread(str(pkg.png_path)), (side, side), interpolation=cv2.INTER_AREA)
    session = StyleSession(pkg.onnx_path, prefer_gpu=False, threads=1)
    small = cv2.resize(job.square, (job.side, job.side), interpolation=cv2.INTER_AREA)
    expected = cv2.resize(session.run(small), (side, side), interpolation=cv2.INTER_AREA)
    plain = cv2.resize(job.square, (side, side), interpolation=cv2.INTER_AREA)
    print(f"{style_id}: vs expected {_diff(shown, expected):.2f}, vs fixed {_diff(shown, fixed):.2f}, "
          f"vs unstylized frame {_diff(shown, plain):.2f}")
    assert job.side == inference_side((640, 360), 360) == 360  # the live view's scale at Fast 360p
    assert _diff(shown, expected) < 3.0
    assert _diff(shown, fixed) > 20.0
    assert _diff(shown, plain) > 4 * _diff(shown, expected)
    # Original's tile is the frame itself.
    qtbot.waitUntil(lambda: "" in live.painted_from, timeout=TIMEOUT_MS)

    used = live.loop.renderer.threads_used
    assert used and worker_threads
    assert not used & worker_threads, "a style ran on the pipeline worker thread"
    assert threading.main_thread().ident not in used, "a style ran on the GUI thread"


def test_setting_off_restores_the_fixed_tiles_stops_the_renderer_and_is_kept(qtbot, make_window, tmp_path):
    window = make_window()
    live, gallery = window.live_thumbs, window.panel.gallery
    style_id = _first_painted_style(window)
    qtbot.waitUntil(lambda: style_id in live.painted_from, timeout=TIMEOUT_MS)
    side = gallery.view.iconSize().width()
    fixed = {sid: _bgr(gallery.fixed_icon_of(sid), side) for sid in gallery.style_ids()}
    assert _diff(_bgr(gallery.icon_of(style_id), side), fixed[style_id]) > 20.0
    loop = live.loop

    view_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    assert live.action in view_menu.actions()
    live.action.trigger()  # off, as from the View menu
    assert not live.is_on() and live.loop is None and not loop.running
    assert window.settings.extra[SETTING] is False
    qtbot.wait(1500)  # tiles painted just before: they must not come back
    for sid in gallery.style_ids():
        assert np.array_equal(_bgr(gallery.icon_of(sid), side), fixed[sid]), sid
    assert live.refresh() is False

    live.action.trigger()  # on again: painted at once, not a period later
    assert live.loop is not None and live.loop.running
    qtbot.waitUntil(lambda: style_id in live.painted_from, timeout=TIMEOUT_MS)
    window.hide()
    assert live.paused_because() and live.refresh() is False

    # The choice is kept: a window started with it off runs no renderer.
    other = make_window(settings=window_settings(tmp_path, extra={SETTING: False}))
    assert not other.live_thumbs.is_on() and other.live_thumbs.loop is None
    assert Settings.from_json(window.settings.to_json()).extra[SETTING] is True


# ---- the Qt-free loop ----

class _FakeSession:
    def __init__(self, path, fail: bool = False) -> None:
        self.fail = fail

    def run(self, bgr, strength=1.0):
        if self.fail:
            raise RuntimeError("broken model")
        time.sleep(0.02)
        return 255 - bgr


def test_loop_paints_newest_job_skips_a_broken_style_and_lowers_its_own_priority(tmp_path):
    models = {}
    for name in ("a", "b", "broken"):
        models[name] = tmp_path / f"{name}.onnx"
        models[name].write_bytes(b"x")
    renderer = ThumbnailRenderer(lambda p: _FakeSession(p, fail=p.stem == "broken"))
    got, nice = [], []

    def on_image(job, sid, tile):
        if sys.platform.startswith("linux"):
            nice.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
        got.append((job.out_side, sid, tile))

    loop = ThumbnailLoop(renderer, on_image, gap_s=0.0)
    loop.start()
    frame = np.full((360, 640, 3), 10, np.uint8)
    styles = (("", ""), ("broken", str(models["broken"])), ("a", str(models["a"])), ("b", str(models["b"])))
    loop.submit(ThumbnailJob(square_crop(frame), styles, 64, 32))
    deadline = time.monotonic() + 10
    while len(got) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    loop.submit(ThumbnailJob(square_crop(frame), styles[2:3], 64, 48))
    while not any(side == 48 for side, _, _ in got) and time.monotonic() < deadline:
        time.sleep(0.01)
    loop.stop()
    assert not loop.running
    assert [sid for side, sid, _ in got if side == 32] == ["", "a", "b"]  # the broken one skipped
    assert got[0][2].shape == (32, 32, 3) and int(got[0][2][0, 0, 0]) == 10  # Original: the frame itself
    assert int(got[1][2][0, 0, 0]) == 245  # the style's output
    assert renderer.session_count == 1  # the next job only lists "a": the others' sessions are dropped
    if sys.platform.startswith("linux"):
        assert set(nice) == {NICE}
    assert threading.get_ident() not in renderer.threads_used


def test_inference_side_follows_the_live_scale():
    assert inference_side((640, 360), 360) == 360
    assert inference_side((1280, 720), 360) == 360
    assert inference_side((1920, 1080), 540) == 360  # capped
    assert inference_side((640, 360), 720) == 360  # never upscaled
    assert inference_side((360, 640), 360) == 200  # a portrait frame: its width at the live scale
    mirrored = square_crop(np.arange(2 * 4 * 3, dtype=np.uint8).reshape(2, 4, 3), mirror=True)
    assert mirrored.shape == (2, 2, 3) and mirrored[0, 0, 0] == 6
