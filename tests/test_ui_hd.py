"""720p in the real window on a CPU: what is shown, recorded and snapshotted has the source's size while the
network runs at 360p. The source is a real 720p H.264 clip made from a validation photo (a slow pan)."""

from __future__ import annotations

import time
from pathlib import Path

import av
import cv2
import numpy as np
import pytest
from _helpers import window_settings
from PySide6.QtCore import Qt

from vst_desktop.recording.writer import Mp4Writer

TIMEOUT_MS = 90_000


@pytest.fixture
def clip_720p(shared_data, tmp_path) -> Path:
    photo = cv2.imread(str(shared_data / "content" / "val" / "whitehouse_obama_biden_blue_room.jpg"))
    big = cv2.resize(photo, (1500, 880), interpolation=cv2.INTER_CUBIC)
    path = tmp_path / "pan_720p.mp4"
    writer = Mp4Writer(path, 1280, 720, 30)
    for i in range(60):
        writer.write(np.ascontiguousarray(big[40:760, 2 * i:2 * i + 1280]), i / 30)
    writer.close()
    return path


def _styled_result(qtbot, window, style_id: str):
    gallery = window.panel.gallery
    qtbot.mouseClick(gallery.view.viewport(), Qt.MouseButton.LeftButton, pos=gallery.tile_rect(style_id).center())
    qtbot.waitUntil(lambda: window.last_result is not None and window.last_result.style_id == style_id,
                    timeout=TIMEOUT_MS)
    return window.last_result


def test_720p_source_is_shown_recorded_and_snapshotted_at_720p(qtbot, make_window, library, clip_720p, tmp_path):
    settings = window_settings(tmp_path, inference_preset="Quality 720p")
    window = make_window(str(clip_720p), settings)
    style_id = next(p.id for p in library.list() if p.meta.kind == "gan")
    result = _styled_result(qtbot, window, style_id)
    assert result.pixels.shape == (720, 1280, 3)
    assert result.stats.output_size == (1280, 720) and result.stats.inference_size == (640, 360)

    with qtbot.waitSignal(window.engine.worker.snapshot_saved, timeout=TIMEOUT_MS) as snap:
        qtbot.keyClick(window.view, Qt.Key.Key_S)
    assert cv2.imread(snap.args[0]).shape == (720, 1280, 3)

    with qtbot.waitSignal(window.engine.worker.recording_started, timeout=TIMEOUT_MS):
        qtbot.keyClick(window.view, Qt.Key.Key_Space)
    started = time.monotonic()
    qtbot.waitUntil(lambda: time.monotonic() - started >= 2.0, timeout=10_000)
    with qtbot.waitSignal(window.engine.worker.recording_stopped, timeout=TIMEOUT_MS):
        window.act_record.trigger()
    recording = window.last_recording
    assert recording.error is None and recording.frames > 0
    with av.open(str(recording.path)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        assert (stream.codec_context.width, stream.codec_context.height) == (1280, 720)
        assert sum(1 for _ in container.decode(video=0)) == recording.frames


def test_the_360p_rung_shows_a_720p_source_at_360p(qtbot, make_window, library, clip_720p, tmp_path):
    window = make_window(str(clip_720p), window_settings(tmp_path, inference_preset="Fast 360p"))
    style_id = next(p.id for p in library.list() if p.meta.kind == "gan")
    result = _styled_result(qtbot, window, style_id)
    assert result.pixels.shape == (360, 640, 3) and result.stats.inference_size == (640, 360)
    # The person picks 720p: the next frames are 720p, the network still at 360p.
    window.panel.preset.setCurrentIndex(window.panel.preset.findData("Quality 720p"))
    window.panel.preset.activated.emit(window.panel.preset.currentIndex())
    qtbot.waitUntil(lambda: window.last_result.pixels.shape == (720, 1280, 3), timeout=TIMEOUT_MS)
    assert window.settings.inference_preset == "Quality 720p"
