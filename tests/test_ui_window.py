"""The real main window, driven like a person would: demo clip and real clips from ../shared/data/video.

Frames are checked where the GUI receives them (`window.last_result`), after the whole live path:
source -> worker thread -> Pipeline -> latest-result slot -> view.
"""

from __future__ import annotations

import json
import threading
import time
import zipfile
from dataclasses import replace
from pathlib import Path

import av
import numpy as np
import pytest
from _helpers import window_settings
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from vst_desktop.capture.base import FrameSource
from vst_desktop.capture.video import VideoFileSource
from vst_desktop.core.errors import CameraError
from vst_desktop.core.settings import load_settings
from vst_desktop.styles.library import StyleLibrary
from vst_desktop.ui.common.qt_workarounds import emit
from vst_desktop.ui.live.main_window import MainWindow
from vst_desktop.ui.live.self_test import mean_difference

TIMEOUT_MS = 90_000  # CPU warm-up of a style on a busy 2-core machine can take a while


@pytest.fixture
def clip(shared_data) -> Path:
    return shared_data / "video" / "bottle-detection.mp4"  # 640x360, 29.83 fps


def _wait_for_style(qtbot, window: MainWindow, style_id: str, frames: int = 3):
    """Wait until `frames` fresh results with `style_id` reached the window; return the newest."""
    seen = []

    def on_shown():
        if window.last_result.style_id == style_id:
            seen.append(window.last_result)

    window.result_shown.connect(on_shown)
    qtbot.waitUntil(lambda: len(seen) >= frames, timeout=TIMEOUT_MS)
    window.result_shown.disconnect(on_shown)
    return seen[-1]


def _click_style(qtbot, window: MainWindow, style_id: str) -> None:
    gallery = window.panel.gallery
    qtbot.mouseClick(gallery.view.viewport(), Qt.MouseButton.LeftButton, pos=gallery.tile_rect(style_id).center())
    assert gallery.current_id() == style_id


def test_choosing_styles_in_the_gallery_changes_the_output(qtbot, make_window, library):
    window = make_window()
    original = _wait_for_style(qtbot, window, "")
    assert mean_difference(original) == 0
    styles = [p.id for p in library.list() if p.builtin][:2]
    assert styles, "built-in styles are required"
    outputs = {}
    for style_id in styles:
        _click_style(qtbot, window, style_id)
        result = _wait_for_style(qtbot, window, style_id)
        assert result.stats.inference_ms > 0
        assert mean_difference(result) > 2.0, f"{style_id} did not change the picture"
        outputs[style_id] = result
    assert window.windowTitle().startswith(window.panel.gallery.name_of(styles[-1]))


def test_strength_zero_gives_the_original(qtbot, make_window, library):
    window = make_window()
    style_id = next(p.id for p in library.list() if p.builtin)
    _click_style(qtbot, window, style_id)
    assert mean_difference(_wait_for_style(qtbot, window, style_id)) > 2.0
    window.panel.strength.setValue(0)
    qtbot.waitUntil(lambda: window.last_result.strength == 0.0, timeout=TIMEOUT_MS)
    result = _wait_for_style(qtbot, window, style_id, frames=2)
    assert result.strength == 0.0
    assert mean_difference(result) == 0
    assert window.settings.strength == 0.0


def _decoded(path: Path) -> tuple[int, float, str]:
    """Frame count, media duration (first to last pts plus one frame) and codec name of a recording."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        codec = stream.codec_context.name
        pts = [f.time for f in container.decode(video=0)]
    duration = (pts[-1] - pts[0]) + (pts[-1] - pts[0]) / max(1, len(pts) - 1) if len(pts) > 1 else 0.0
    return len(pts), duration, codec


def test_record_and_stop_gives_a_decodable_h264_file_of_the_right_length(qtbot, make_window, clip):
    window = make_window(str(clip))
    fps = window.source_info.fps
    with qtbot.waitSignal(window.engine.worker.recording_started, timeout=TIMEOUT_MS):
        qtbot.keyClick(window.view, Qt.Key.Key_Space)
    started = time.monotonic()
    assert window.is_recording()
    qtbot.waitUntil(lambda: time.monotonic() - started >= 3.0, timeout=10_000)
    with qtbot.waitSignal(window.engine.worker.recording_stopped, timeout=TIMEOUT_MS):
        window.act_record.trigger()
    wall = time.monotonic() - started
    result = window.last_recording
    assert result.error is None and result.path.is_file()
    assert result.path.parent == Path(window.settings.recordings_dir)
    frames, media_s, codec = _decoded(result.path)
    assert codec == "h264"
    assert frames == result.frames
    assert abs(frames / fps - wall) / wall < 0.10, (frames, fps, wall)
    assert abs(media_s - wall) / wall < 0.10, (media_s, wall)
    assert window.act_record.text() == "Record"


class UnpluggableCamera(FrameSource):
    """A real clip posing as a camera that can be unplugged and plugged back in by the test."""

    def __init__(self, path: Path) -> None:
        self.inner = VideoFileSource(path, loop=True, realtime=True)
        self.unplugged = threading.Event()

    def open(self) -> None:
        self.inner.open()

    def read_latest(self, timeout: float = 1.0):
        if self.unplugged.is_set():
            time.sleep(min(timeout, 0.02))
            return None
        return self.inner.read_latest(timeout)

    @property
    def error(self):
        if self.unplugged.is_set():
            return CameraError("The camera stopped sending pictures (unplugged?).", "Reconnect it.")
        return None

    def close(self) -> None:
        self.inner.close()

    @property
    def info(self):
        return replace(self.inner.info, kind="camera", name="Test camera")


def test_unplugged_camera_shows_a_message_and_recovers(qtbot, make_window, shared_data):
    camera = UnpluggableCamera(shared_data / "video" / "classroom.gif")
    window = make_window("camera:0", open_source=lambda spec, size, fps: camera)
    camera.unplugged.set()
    qtbot.waitUntil(lambda: "camera-lost" in window.banners.keys(), timeout=TIMEOUT_MS)
    assert "unplugged" in window.banners.text("camera-lost")
    assert "reconnect" in window.banners.text("camera-lost").lower()
    shown = window.frames_shown
    camera.unplugged.clear()
    qtbot.waitUntil(lambda: "camera-lost" not in window.banners.keys(), timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: window.frames_shown > shown + 3, timeout=TIMEOUT_MS)


def test_a_source_that_cannot_open_falls_back_to_the_demo(qtbot, make_window, tmp_path):
    window = make_window()
    window.choose_source(str(tmp_path / "missing.mp4"))
    qtbot.waitUntil(lambda: "source" in window.banners.keys(), timeout=TIMEOUT_MS)
    assert "demo clip plays instead" in window.banners.text("source")
    qtbot.waitUntil(lambda: window.source_info is not None and window.source_info.kind == "demo",
                    timeout=TIMEOUT_MS)


def test_settings_round_trip(qtbot, make_window, tmp_path, library, clip):
    path = tmp_path / "settings.json"
    style_id = [p.id for p in library.list() if p.builtin][-1]
    window = make_window(settings=window_settings(tmp_path, mirror=False, compare=False), persist=True,
                         settings_path=path)
    window.resize(760, 540)  # within the offscreen screen (800x600): restoreGeometry clamps to it
    _click_style(qtbot, window, style_id)
    window.panel.strength.setValue(40)
    window.act_mirror.setChecked(True)
    window.act_compare.setChecked(True)
    window.choose_source(str(clip))
    window.panel.set_preset("Quality 720p")
    window.panel.preset.activated.emit(window.panel.preset.currentIndex())  # as if picked by hand
    window.settings.recordings_dir = str(tmp_path / "elsewhere")
    window.close()

    loaded = load_settings(path)
    assert loaded.warning == ""
    s = loaded.settings
    assert (s.style, s.strength, s.mirror, s.compare, s.camera) == (style_id, 0.4, True, True, str(clip))
    assert s.inference_preset == "Quality 720p" and s.recordings_dir == str(tmp_path / "elsewhere")
    assert s.window_geometry

    again = make_window(str(clip), settings=s, persist=True, settings_path=path)
    assert again.panel.gallery.current_id() == style_id
    assert again.panel.strength.value() == 40
    assert again.act_mirror.isChecked() and again.act_compare.isChecked()
    assert again.panel.current_preset() == "Quality 720p"
    assert again.panel.source.currentData() == str(clip)
    assert (again.width(), again.height()) == (760, 540)


def test_corrupt_settings_file_still_starts_with_a_banner(qtbot, isolated_home):
    from vst_desktop.app import build_main_window
    from vst_desktop.core import paths

    paths.settings_file().write_text("{not json", encoding="utf-8")
    window = build_main_window(source="demo")
    qtbot.addWidget(window)
    try:
        assert "settings" in window.banners.keys()
        assert "defaults are used" in window.banners.text("settings")
    finally:
        window.close()


def test_shortcuts_toggle_compare_mirror_and_step_through_styles(qtbot, make_window, library):
    window = make_window()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    ids = window.panel.gallery.style_ids()
    qtbot.keyClick(window.view, Qt.Key.Key_Right)
    assert window.panel.gallery.current_id() == ids[1]
    qtbot.keyClick(window.view, Qt.Key.Key_Left)
    assert window.panel.gallery.current_id() == ""
    qtbot.keyClick(window.view, Qt.Key.Key_C)
    assert window.act_compare.isChecked()
    qtbot.waitUntil(lambda: window.last_result.original is not None, timeout=TIMEOUT_MS)
    qtbot.keyClick(window.view, Qt.Key.Key_M)
    assert window.act_mirror.isChecked()
    result = _wait_for_style(qtbot, window, "", frames=2)
    assert np.array_equal(result.pixels, result.input_pixels[:, ::-1])
    with qtbot.waitSignal(window.engine.worker.snapshot_saved, timeout=TIMEOUT_MS) as snap:
        qtbot.keyClick(window.view, Qt.Key.Key_S)
    assert Path(snap.args[0]).suffix == ".png" and Path(snap.args[0]).is_file()


def _renamed_package(library: StyleLibrary, style_id: str, new_id: str, new_name: str, dest: Path) -> Path:
    """A .vststyle of a built-in style under another id: what a person gets from a friend."""
    exported = library.export(style_id, dest / "original.vststyle")
    target = dest / f"{new_id}.vststyle"
    with zipfile.ZipFile(exported) as src, zipfile.ZipFile(target, "w") as dst:
        for name in src.namelist():
            data = src.read(name)
            suffix = Path(name).suffix
            if suffix == ".json":
                meta = json.loads(data)
                meta.update(id=new_id, name=new_name)
                data = json.dumps(meta).encode()
            dst.writestr(f"{new_id}{suffix}", data)
    return target


def _drop(window: MainWindow, path: Path) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    event = QDropEvent(QPointF(50, 50), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    window.dropEvent(event)


def test_dropping_a_style_package_installs_it_and_it_can_be_removed(qtbot, make_window, library, tmp_path):
    window = make_window()
    builtin = next(p for p in library.list() if p.builtin)
    package = _renamed_package(library, builtin.id, "friends_film", "Friend's film", tmp_path)
    _drop(window, package)
    assert window.banners.text("import") == ""
    assert window.panel.gallery.current_id() == "friends_film"
    assert "friends_film" in window.panel.gallery.style_ids()
    assert mean_difference(_wait_for_style(qtbot, window, "friends_film")) > 2.0

    assert window.remove_style("friends_film")
    assert "friends_film" not in window.panel.gallery.style_ids()
    assert window.panel.gallery.current_id() == ""


def test_bad_style_files_are_named_and_skipped(qtbot, make_window, library, tmp_path, isolated_home):
    from vst_desktop.core import paths

    broken = tmp_path / "broken.vststyle"
    broken.write_bytes(b"not a zip")
    window = make_window()
    _drop(window, broken)
    assert "broken.vststyle" in window.banners.text("import")
    # A corrupt package already in the styles folder is listed as a problem, once, by name.
    user = paths.user_styles_dir()
    (user / "halfcopied.json").write_text("{", encoding="utf-8")
    window.reload_styles()
    assert "halfcopied" in window.banners.text("style-problems")
    assert "halfcopied" not in window.panel.gallery.style_ids()


def test_disk_low_while_recording_stops_safely_and_keeps_the_file(qtbot, make_window, monkeypatch):
    from vst_desktop.recording import disk

    free = {"bytes": 50 * 2**30}
    monkeypatch.setattr(disk, "free_bytes", lambda _path: free["bytes"])
    window = make_window()
    with qtbot.waitSignal(window.engine.worker.recording_started, timeout=TIMEOUT_MS):
        window.start_recording()
    qtbot.waitUntil(lambda: "00:01" in window.act_record.text(), timeout=TIMEOUT_MS)
    free["bytes"] = 10 * 2**20  # the disk fills up while recording
    qtbot.waitUntil(lambda: window.last_recording is not None, timeout=TIMEOUT_MS)
    result = window.last_recording
    assert result.error is not None
    assert "kept" in window.banners.text("recording")
    assert not window.is_recording() and window.act_record.text() == "Record"
    frames, _, codec = _decoded(result.path)
    assert codec == "h264" and frames > 0 and frames == result.frames


def test_gpu_fallback_is_explained_once(qtbot, make_window):
    window = make_window()
    reason = "CUDA was requested but onnxruntime fell back to the CPU: libcublasLt.so.13 was not found."
    ready = window.engine.worker.style_ready  # as the worker reports a session that fell back
    emit(ready, "", "CPUExecutionProvider", reason)
    assert reason in window.banners.text("gpu-fallback")
    window.banners.clear("gpu-fallback")
    emit(ready, "", "CPUExecutionProvider", reason)
    assert "gpu-fallback" not in window.banners.keys()  # dismissed stays dismissed


def test_full_screen_hides_the_panels_and_escape_leaves(qtbot, make_window):
    window = make_window()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    qtbot.keyClick(window.view, Qt.Key.Key_F)
    qtbot.waitUntil(window.isFullScreen, timeout=5000)
    assert window.panel.isHidden() and window.toolbar.isHidden()
    qtbot.keyClick(window.view, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not window.isFullScreen(), timeout=5000)
    assert window.panel.isVisible() and window.toolbar.isVisible()


def test_self_test_passes(qtbot, capsys):
    from PySide6.QtWidgets import QApplication

    from vst_desktop.ui.live.self_test import run_self_test

    assert run_self_test(QApplication.instance()) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and out[0].startswith("self-test passed")


def test_a_style_that_fails_while_running_falls_back_to_original(qtbot, make_window, library, monkeypatch):
    from vst_desktop.core.errors import InferenceError
    from vst_desktop.inference.session import StyleSession

    window = make_window()
    style_id = next(p.id for p in library.list() if p.builtin)

    def broken_run(self, bgr, strength=1.0):
        raise InferenceError("The style failed on a 640x360 frame.", "Try another inference size.")

    monkeypatch.setattr(StyleSession, "warmup", lambda self, w, h, runs=3: 1.0)
    monkeypatch.setattr(StyleSession, "run", broken_run)
    _click_style(qtbot, window, style_id)
    qtbot.waitUntil(lambda: "style" in window.banners.keys(), timeout=TIMEOUT_MS)
    assert "could not be loaded" in window.banners.text("style") or "failed" in window.banners.text("style")
    assert window.panel.gallery.current_id() == ""
    shown = window.frames_shown
    qtbot.waitUntil(lambda: window.frames_shown > shown + 2, timeout=TIMEOUT_MS)  # the video keeps going
    assert window.last_result.style_id == ""


def test_closing_while_recording_finalises_the_file(qtbot, make_window, tmp_path):
    window = make_window()
    with qtbot.waitSignal(window.engine.worker.recording_started, timeout=TIMEOUT_MS) as started:
        window.start_recording()
    qtbot.waitUntil(lambda: "00:01" in window.act_record.text(), timeout=TIMEOUT_MS)
    window.close()
    assert not window.engine.thread.isRunning()
    frames, media_s, codec = _decoded(Path(started.args[0]))
    assert codec == "h264" and frames > 10 and media_s > 0.5


def test_a_style_finished_by_the_training_dialog_is_listed_and_selected(qtbot, make_window, library):
    from PySide6.QtCore import QObject, Signal

    class FakeTrainingDialog(QObject):  # the real dialog emits the same signal
        style_installed = Signal(str)

    window = make_window()
    dialog = FakeTrainingDialog()
    window.adopt_training_dialog(dialog)
    window.adopt_training_dialog(dialog)  # adopting twice must not connect twice
    style_id = [p.id for p in library.list()][-1]
    selections = []
    window.panel.gallery.style_selected.connect(selections.append)
    dialog.style_installed.emit(style_id)
    assert window.panel.gallery.current_id() == style_id
    assert selections == [style_id]
    assert window.act_train.shortcut().toString() == "Ctrl+T"
