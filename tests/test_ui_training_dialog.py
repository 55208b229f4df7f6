"""The real training dialog driving real `vst-desktop train` processes (tiny runs on the shared data).

Runs are made tiny through the dialog's own "Extra settings" field (small crops, batch 2, a few steps), so
each takes well under a minute of CPU; the timeouts are generous because the test machine is shared.
"""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest
from _helpers import camera_grab

from vst_desktop.core import paths
from vst_desktop.trainspec import runs
from vst_desktop.trainspec.presets import TEMPORAL_DEFAULTS
from vst_desktop.ui.training.dialog import TrainingDialog, open_training_dialog

TINY = ("crop_size=64 batch_size=2 max_image_side=256 threads=1 log_every=1 sample_every=4 checkpoint_every=4 "
        "val_photos=2")
RUN_TIMEOUT_MS = 300_000


@pytest.fixture
def make_dialog(qtbot):
    made = []

    def make(**kwargs):
        kwargs.setdefault("measure_speed", False)
        d = TrainingDialog(None, **kwargs)
        qtbot.addWidget(d)
        made.append(d)
        return d

    yield make
    for d in made:  # never leave a trainer behind
        d.process.kill()
        d.shutdown()


def _setup_tiny(qtbot, d: TrainingDialog, shared_data, name: str, steps: int) -> None:
    d.set_style_folder(shared_data / "styles" / "munch_scream")
    qtbot.waitUntil(lambda: d.style_scan is not None, timeout=30_000)
    assert d.style_scan.ok and "1 image</b> will be used" in d.setup_page.folder_status.text()
    assert d.setup_page.thumbs.count() == 1 and d.setup_page.start_button.isEnabled()
    d.setup_page.name_edit.setText(name)
    d.setup_page.advanced.setChecked(True)
    d.setup_page.iterations_spin.setValue(steps)
    d.setup_page.extra_edit.setText(TINY)
    d.evaluate = False  # the style metrics are evaluation's tests; here they would only add minutes


def test_bad_folder_shows_its_message(qtbot, make_dialog, tmp_path):
    d = make_dialog()
    d.show()
    empty = tmp_path / "empty"
    empty.mkdir()
    d.set_style_folder(empty)
    qtbot.waitUntil(lambda: d.style_scan is not None, timeout=30_000)
    assert "is empty" in d.setup_page.folder_status.text() and not d.setup_page.start_button.isEnabled()

    junk = tmp_path / "junk"
    junk.mkdir()
    (junk / "readme.txt").write_text("not a picture")
    cv2.imwrite(str(junk / "icon.png"), np.zeros((32, 32, 3), np.uint8))
    d.set_style_folder(junk)
    qtbot.waitUntil(lambda: d.style_scan is not None, timeout=30_000)
    text = d.setup_page.folder_status.text()
    assert "holds no usable images" in text and "icon.png: too small" in text and "readme.txt" in text
    assert not d.setup_page.start_button.isEnabled() and d.setup_page.thumbs.count() == 0
    assert not d.start_training() and "usable style images" in d.setup_page.setup_error.text()

    d.setup_page.rb_folder.setChecked(True)
    d.set_content_folder(tmp_path / "nowhere")
    qtbot.waitUntil(lambda: d.content_scan is not None, timeout=30_000)
    assert "does not exist" in d.setup_page.content_status.text()


def test_tiny_run_reports_progress_and_installs_a_working_style(qtbot, make_dialog, shared_data):
    from vst_desktop.inference.session import StyleSession
    from vst_desktop.styles.library import StyleLibrary
    from vst_desktop.ui.live.gallery import StyleGallery

    d = make_dialog()
    d.show()
    _setup_tiny(qtbot, d, shared_data, "Tiny Munch", steps=8)
    with qtbot.waitSignal(d.style_installed, timeout=RUN_TIMEOUT_MS) as installed:
        assert d.start_training()
        assert d.state == "running" and d.pages.currentIndex() == 1
    style_id = installed.args[0]
    assert style_id == "tiny-munch" and d.state == "done"
    assert d.events_seen.get("start") == 1 and d.events_seen.get("progress", 0) >= 8
    # marks="auto": the critic of this one-painting folder chose the teacher's marks before step 0
    assert d.controller.marks_chosen in ("strokes", "dabs", "planes") and d.events_seen.get("marks") == 1
    assert d.run_page.progress_bar.value() == d.run_page.progress_bar.maximum() == 8
    assert d.run_page.sample_view.path is not None and d.run_page.sample_view.path.name == "step_000008.png"
    assert "g_total" in d.run_page.loss_plot.series() and len(d.run_page.loss_plot.series()["g_total"][0]) >= 8
    assert "is in your gallery" in d.run_page.done_notice.text()
    assert d.process.pid is not None and not runs.pid_alive(d.process.pid)

    pkg = StyleLibrary().get(style_id)
    assert not pkg.builtin and pkg.meta.name == "Tiny Munch"
    assert json.loads(pkg.json_path.read_text())["training"]["config"]["marks"] == d.controller.marks_chosen  # resolved
    photo = cv2.imread(str(paths.resources_dir() / "content" / "faces_cc0_001.jpg"))
    frame = cv2.resize(photo, (320, 184))
    out = StyleSession(pkg.onnx_path, prefer_gpu=False).run(frame)
    assert out.shape == frame.shape and out.dtype == np.uint8
    gallery = StyleGallery()
    qtbot.addWidget(gallery)
    gallery.set_styles(StyleLibrary().list())
    assert gallery.select_id(style_id)


def test_background_reattach_cancel_and_resume(qtbot, make_dialog, shared_data, monkeypatch):
    first = make_dialog()
    first.show()
    _setup_tiny(qtbot, first, shared_data, "Resumed Munch", steps=400)
    first.setup_page.marks_combo.setCurrentIndex(first.setup_page.marks_combo.findData("strokes"))  # no critic: only the run matters
    assert first.start_training()
    qtbot.waitUntil(lambda: first.events_seen.get("progress", 0) >= 2, timeout=RUN_TIMEOUT_MS)
    run_dir = first.run_dir

    # Closing while training asks; "keep training" hides the window and the trainer goes on.
    monkeypatch.setattr(first, "ask_close_choice", lambda: "background")
    first.close()
    assert first.isHidden() and first.state == "running"
    # The app closes (keep training): the window stops following, the process lives on.
    assert first.confirm_app_close()
    assert runs.pid_alive(runs.read_pid(run_dir)) and [r.run_dir for r in runs.running_runs()] == [run_dir]

    # Next start of the app: the dialog finds the run and follows it again.
    second = make_dialog()
    assert second.state == "running" and second.run_dir == run_dir
    qtbot.waitUntil(lambda: second.events_seen.get("progress", 0) >= 1, timeout=RUN_TIMEOUT_MS)
    seen = second.events_seen["progress"]
    qtbot.waitUntil(lambda: second.events_seen["progress"] > seen, timeout=RUN_TIMEOUT_MS)  # live, not a replay

    # Stop asks first; no means it keeps going.
    monkeypatch.setattr(second, "confirm_stop", lambda: False)
    assert not second.cancel_training() and second.state == "running"
    monkeypatch.setattr(second, "confirm_stop", lambda: True)
    assert second.cancel_training()
    qtbot.waitUntil(lambda: second.state == "interrupted", timeout=RUN_TIMEOUT_MS)
    stopped_at = second.end_info["step"]
    assert 0 < stopped_at < 400 and second.run_page.resume_run_button.isVisible()
    info = runs.run_info(run_dir)
    assert info.resumable and info.checkpoint_step == stopped_at
    second.show_setup()
    assert second.setup_page.resume_box.isVisibleTo(second) and second.setup_page.resume_list.count() == 1
    assert str(run_dir) == second.setup_page.resume_list.item(0).data(256)

    # Resume with a few more steps than were done; it finishes and installs the style.
    second.setup_page.iterations_spin.setValue(stopped_at + 3)
    with qtbot.waitSignal(second.style_installed, timeout=RUN_TIMEOUT_MS) as installed:
        second.setup_page.resume_button.click()
        assert second.state == "running"
    assert installed.args[0] == "resumed-munch" and second.state == "done"
    assert second.run_page.progress_bar.value() == stopped_at + 3
    assert runs.unfinished_runs() == []


def test_open_training_dialog_reuses_the_parents_dialog(qtbot):
    from PySide6.QtWidgets import QWidget

    parent = QWidget()
    qtbot.addWidget(parent)
    installed = []
    d1 = open_training_dialog(parent, on_style_installed=installed.append, measure_speed=False)
    assert not d1.setup_page.rb_camera.isEnabled()  # no live view to capture from
    d2 = open_training_dialog(parent, grab_frame=lambda: None, on_style_installed=installed.append)
    assert d1 is d2 and d1.isVisible() and d1.setup_page.rb_camera.isEnabled()
    d1.style_installed.emit("x")
    assert installed == ["x"]  # connected once
    d1.close()
    d1.shutdown()


def test_capture_from_camera_writes_a_content_folder(qtbot, make_dialog):
    grab = camera_grab()
    d = make_dialog(grab_frame=grab, capture_frames=4, capture_seconds=0.4)
    d.setup_page.rb_camera.setChecked(True)
    assert d.start_capture()
    qtbot.waitUntil(lambda: d.captured_dir is not None and not d.controller.capturing(), timeout=30_000)
    assert len(list(d.captured_dir.glob("frame_*.jpg"))) == 4 and d.content_dir() == str(d.captured_dir)
    assert "4 frames captured" in d.setup_page.capture_status.text()


def test_temporal_knob_follows_the_preset_until_the_person_sets_it(make_dialog):
    d = make_dialog()
    assert d.setup_page.temporal_spin.value() == TEMPORAL_DEFAULTS["quick"] and d.overrides() == {}
    d.setup_page.preset_buttons["balanced"].setChecked(True)
    assert d.setup_page.temporal_spin.value() == TEMPORAL_DEFAULTS["balanced"] and d.overrides() == {}
    d.setup_page.temporal_spin.setValue(3.0)
    d.setup_page.preset_buttons["quick"].setChecked(True)
    assert d.setup_page.temporal_spin.value() == 3.0 and d.overrides() == {"w_temporal": 3.0}
    d.setup_page.marks_combo.setCurrentIndex(d.setup_page.marks_combo.findData("planes"))
    assert d.overrides() == {"w_temporal": 3.0, "marks": "planes"}
