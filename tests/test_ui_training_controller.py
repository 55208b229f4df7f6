"""The training dialog's controller, without widgets: folder checks, capture, estimates, the run's state
from its progress events, and what a new run is started with."""

from __future__ import annotations

import time

import cv2
import numpy as np
import pytest
from _helpers import camera_grab

from vst_desktop.core import paths
from vst_desktop.trainspec.presets import STROKE_AMP_DEFAULT, TEMPORAL_DEFAULTS
from vst_desktop.ui.training.controller import RunRequest, RunState, TrainingController, knob_overrides
from vst_desktop.ui.training.estimate import SpeedMeasurement, store


@pytest.fixture
def controller(qtbot):
    c = TrainingController(None, measure_speed=False)
    yield c
    c.shutdown()
    c.deleteLater()


def _photos(folder, count: int):
    folder.mkdir(parents=True, exist_ok=True)
    photo = cv2.imread(str(paths.resources_dir() / "content" / "faces_cc0_001.jpg"))
    for i in range(count):
        cv2.imwrite(str(folder / f"p{i}.jpg"), np.roll(photo, 9 * i, axis=1))
    return folder


def test_a_folder_check_reports_once_through_a_signal_and_the_newest_folder_wins(qtbot, controller, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    good = _photos(tmp_path / "good", 3)
    reported = []
    controller.scanned.connect(lambda kind, scan, thumbs: reported.append((kind, scan.folder.name, len(thumbs))))
    controller.scan("style", str(empty))
    controller.scan("style", str(good))  # chosen before the first check came back: only this one counts
    qtbot.waitUntil(lambda: controller.style_scan is not None, timeout=30_000)
    qtbot.wait(50)  # a late report of the first folder would arrive now
    assert reported == [("style", "good", 3)] and controller.style_scan.ok
    assert not controller.scanning()

    controller.scan("content", str(empty))
    qtbot.waitUntil(lambda: controller.content_scan is not None, timeout=30_000)
    assert not controller.content_scan.ok and reported[-1] == ("content", "empty", 0)


def test_progress_events_become_the_run_state(qtbot, controller):
    states, lines, installed = [], [], []
    controller.state_changed.connect(states.append)
    controller.log_line.connect(lambda text, colour: lines.append((text, colour)))
    controller.style_installed.connect(installed.append)
    controller.set_state(RunState.RUNNING)
    events = [{"event": "start", "step": 0, "total": 8, "device": "cpu"},
              {"event": "marks", "chosen": "dabs"},
              {"event": "progress", "step": 1, "total": 8, "losses": {"g_total": 0.5}},
              {"event": "warning", "kind": "collapse", "message": "flat output"},
              {"event": "warning", "kind": "collapse", "message": "still flat"},
              {"event": "warning", "kind": "skipped_file", "message": "a.png is too small"},
              {"event": "done", "status": "done", "step": 8}]
    for event in events:
        controller.handle_event(event)
    assert controller.events_seen == {"start": 1, "marks": 1, "progress": 1, "warning": 3, "done": 1}
    assert controller.marks_chosen == "dabs" and controller.last_progress["step"] == 1
    assert controller.recent_warnings() == ["still flat", "a.png is too small"]  # one per kind, the newest
    assert ("Warning: flat output", "#e2c46a") in lines

    controller.handle_end("done", {"style_id": "tiny", "seconds": 12})
    assert controller.state is RunState.DONE and controller.state == "done" and not controller.state.active
    assert installed == ["tiny"] and states == ["running", "done"]
    for outcome, state in (("interrupted", RunState.INTERRUPTED), ("error", RunState.ERROR),
                           ("crashed", RunState.CRASHED), ("something new", RunState.CRASHED)):
        controller.handle_end(outcome, {})
        assert controller.state is state
    assert installed == ["tiny"]


def test_a_run_needs_usable_style_images_and_ready_photos(controller):
    assert "usable style images" in controller.problem_before_start(content_ready=True)
    assert not controller.start(RunRequest(name="x"))
    assert controller.state is RunState.SETUP and not controller.following()
    assert not controller.stop()  # nothing to stop


def test_only_changed_knobs_are_passed_on():
    temporal = TEMPORAL_DEFAULTS["balanced"]
    assert knob_overrides("balanced", STROKE_AMP_DEFAULT, "auto", temporal, "") == {}
    assert knob_overrides("quick", 0.5, "planes", temporal, "crop_size=64 junk lr_g=0.001") == {
        "stroke_amp": 0.5, "marks": "planes", "w_temporal": temporal, "crop_size": "64", "lr_g": "0.001"}


def test_estimates_come_from_measurements_and_say_when_unknown(controller):
    store(SpeedMeasurement("quick", "cpu", 0.5, 10.0, 1500, measured_at=time.time()), device="")
    text, tip = controller.estimate_text("quick", "", None)
    assert "here (CPU)" in text and "0.50 s per step" in tip and "1500 steps" in tip
    assert controller.estimate_text("balanced", "", None) == ("not measured yet", "")
    controller.measure_failed["balanced"] = "the engine is not installed"
    assert controller.estimate_text("balanced", "", None) == ("time unknown", "the engine is not installed")
    assert controller.measure_next("quick", "") == ""  # measure_speed=False: nothing is started
    controller.forget_measurements()
    assert not controller.measurements and not controller.measure_failed


def test_capture_takes_the_frames_into_a_content_folder(qtbot, tmp_path):
    grab = camera_grab()
    c = TrainingController(None, grab, measure_speed=False, capture_frames=3, capture_seconds=0.06)
    progress = []
    c.capture_progress.connect(progress.append)
    try:
        with qtbot.waitSignal(c.capture_finished, timeout=30_000) as finished:
            assert c.start_capture() and c.capturing() and not c.start_capture()
        scan = finished.args[0]
        assert scan.ok and len(scan.images) == 3 and c.content_scan is scan and not c.capturing()
        assert sorted(p.name for p in c.captured_dir.glob("frame_*.jpg")) == [f"frame_00{i}.jpg" for i in range(3)]
        assert progress[-1] == 3 and progress.count(1) == 2  # the empty grab took no frame
    finally:
        c.shutdown()
        c.deleteLater()
