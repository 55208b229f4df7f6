"""The window's parts on their own: latest-result slot, preset choice, video view painting, gallery, banner."""

from __future__ import annotations

import sys
import types

import cv2
import numpy as np
import pytest
from PySide6.QtCore import QObject, QPoint, QRectF, Qt, Signal

from vst_desktop.capture.base import LatestSlot
from vst_desktop.core.stats import Stats
from vst_desktop.pipeline.live_result import LiveResult
from vst_desktop.pipeline.speed_test import choose_preset
from vst_desktop.recording.disk import format_bytes
from vst_desktop.ui.common.notify import BannerArea
from vst_desktop.ui.common.qt_workarounds import emit
from vst_desktop.ui.live.gallery import StyleGallery
from vst_desktop.ui.live.recording_controls import format_elapsed
from vst_desktop.ui.live.video_view import CompareMode, VideoView, fit_rect


def _result(i: int) -> LiveResult:
    px = np.full((4, 4, 3), i, np.uint8)
    return LiveResult(px, None, px, Stats(), "", 1.0, 30.0, i)


def test_latest_slot_keeps_only_the_newest_and_counts_what_the_gui_never_saw():
    slot = LatestSlot()
    assert slot.put(_result(1)) is True  # nothing waiting: wake the GUI
    assert slot.put(_result(2)) is False  # a wake-up is already on its way: no second signal
    assert slot.put(_result(3)) is False
    assert slot.take().index == 3
    assert slot.take() is None
    assert slot.dropped == 2
    assert slot.peek().index == 3


def test_preset_is_the_largest_that_fits_the_budget():
    assert choose_preset({"Fast 360p": 9.0, "Balanced 540p": 20.0, "Quality 720p": 35.0}) == "Balanced 540p"
    assert choose_preset({"Fast 360p": 40.0}) == "Fast 360p"  # nothing fits: the fastest
    assert choose_preset({}) == "Fast 360p"


def test_emit_survives_many_calls():
    class Emitter(QObject):
        ping = Signal(int)

    e, seen = Emitter(), []
    e.ping.connect(seen.append)
    before = sys.getrefcount(True)
    for i in range(3000):  # PySide6 6.12 on CPython 3.11 aborts after a few hundred plain emits
        emit(e.ping, i)
    assert len(seen) == 3000
    assert abs(sys.getrefcount(True) - before) < 50


def test_fit_rect_keeps_the_aspect_ratio():
    r = fit_rect(640, 360, QRectF(0, 0, 1000, 1000))
    assert r.width() == pytest.approx(1000) and r.height() == pytest.approx(562.5)
    assert r.y() == pytest.approx((1000 - 562.5) / 2)


def _video_view(qtbot, width: int, height: int) -> VideoView:
    """A view of that size without the stats overlay, which would cover the pixels the tests read."""
    view = VideoView()
    qtbot.addWidget(view)
    view.resize(width, height)
    view.set_stats_visible(False)
    return view


def _pixel(img, x, y):
    c = img.pixelColor(x, y)
    return c.red(), c.green(), c.blue()


def test_split_compare_shows_original_left_of_a_draggable_divider(qtbot):
    view = _video_view(qtbot, 400, 225)
    stylized = np.zeros((90, 160, 3), np.uint8)
    stylized[:] = (0, 0, 255)  # BGR red
    original = np.zeros_like(stylized)
    original[:] = (255, 0, 0)  # BGR blue
    view.set_frame(stylized, original, Stats(), 30.0, 0, "Red")
    view.set_compare_mode(CompareMode.SPLIT)
    view.show()
    img = view.grab().toImage()
    y = 200
    assert _pixel(img, 60, y) == (0, 0, 255)  # left of the divider: the original (blue)
    assert _pixel(img, 340, y) == (255, 0, 0)  # right: stylized (red)
    qtbot.mousePress(view, Qt.MouseButton.LeftButton, pos=QPoint(300, 112))
    qtbot.mouseMove(view, QPoint(350, 112))
    qtbot.mouseRelease(view, Qt.MouseButton.LeftButton, pos=QPoint(350, 112))
    assert view.divider() == pytest.approx(350 / 400, abs=0.01)
    img = view.grab().toImage()
    assert _pixel(img, 340, y) == (0, 0, 255)  # the original now reaches further right


def test_view_letterboxes_and_shows_the_frame_without_compare(qtbot):
    view = _video_view(qtbot, 400, 400)
    px = np.full((90, 160, 3), 200, np.uint8)
    view.set_frame(px, None)
    img = view.grab().toImage()
    assert _pixel(img, 200, 200) == (200, 200, 200)
    assert _pixel(img, 200, 10)[0] < 30  # bars above a wide frame


def _pkg(style_id: str, name: str):
    meta = types.SimpleNamespace(name=name, description=f"{name} look", kind="filter")
    return types.SimpleNamespace(id=style_id, meta=meta, png_path=None, builtin=True)


def test_gallery_lists_original_first_filters_and_navigates(qtbot):
    g = StyleGallery()
    qtbot.addWidget(g)
    g.set_styles([_pkg("a", "Black & white film"), _pkg("b", "Classic film"), _pkg("c", "Van Gogh")])
    assert g.style_ids() == ["", "a", "b", "c"]
    assert g.current_id() == ""
    with qtbot.waitSignal(g.style_selected) as sig:
        g.select_next(1)
    assert sig.args == ["a"]
    g.select_next(-1)
    g.select_next(-1)
    assert g.current_id() == "c"  # wraps around
    qtbot.keyClicks(g.search, "film")
    assert g.visible_ids() == ["a", "b"]
    g.select_next(1)
    assert g.current_id() == "a"
    g.search.clear()
    g.set_styles([_pkg("b", "Classic film")])  # "a" was removed: back to Original
    assert g.current_id() == ""


def test_the_style_selected_at_start_up_is_scrolled_fully_into_view(qtbot):
    g = StyleGallery()
    qtbot.addWidget(g)
    g.set_styles([_pkg(f"s{i}", f"Style {i}") for i in range(12)])
    g.resize(280, 300)
    g.select_id("s8", notify=False)  # as the window does with the saved style, before it is shown
    g.show()
    qtbot.waitExposed(g)

    def fully_visible() -> bool:
        return g.view.viewport().rect().contains(g.tile_rect("s8"))

    qtbot.waitUntil(fully_visible, timeout=2000)


def test_banner_shows_each_problem_once_and_can_be_dismissed(qtbot):
    area = BannerArea()
    qtbot.addWidget(area)
    assert area.show_message("gpu", "Running on the CPU.", "info", once=True)
    area.clear("gpu")
    assert not area.show_message("gpu", "Running on the CPU.", "info", once=True)
    area.show_message("camera", "x" * 1000, "warning")
    assert area.text("camera") == "x" * 1000 and "camera" in area.keys()
    assert not area.isHidden()
    area.clear("camera")
    assert area.isHidden()


def test_formatting_for_the_record_button():
    assert format_elapsed(75.4) == "01:15"
    assert format_bytes(4_300_000) == "4.1 MB"


def test_worker_scales_for_the_view_so_the_gui_only_copies_pixels():
    from vst_desktop.pipeline.live_result import DISPLAY_CHANNELS, scale_for_display

    frame = np.zeros((360, 640, 3), np.uint8)
    assert scale_for_display(frame, None, (0, 0)) == (None, None)  # no view size known yet: no scaling
    display, original = scale_for_display(frame, frame, (800, 800))
    channels = DISPLAY_CHANNELS
    assert display.shape == (450, 800, channels) and original.shape == (450, 800, channels)
    display, original = scale_for_display(frame, None, (640, 500))
    assert display.shape == (360, 640, channels) and original is None


def test_bgra_frames_paint_like_bgr_frames(qtbot):
    view = _video_view(qtbot, 320, 180)
    bgr = np.zeros((90, 160, 3), np.uint8)
    bgr[:, :80] = (255, 0, 0)
    bgr[:, 80:] = (0, 128, 255)
    view.set_frame(cv2.cvtColor(bgr, cv2.COLOR_BGR2BGRA))
    img = view.grab().toImage()
    assert _pixel(img, 40, 90) == (0, 0, 255)
    assert _pixel(img, 280, 90) == (255, 128, 0)
