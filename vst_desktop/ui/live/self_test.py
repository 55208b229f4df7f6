"""`vst-desktop --self-test`: the real window, offscreen, driven through every built-in style and a recording.

Each check runs the application's own event loop (see waiting.py) and fails with a sentence saying what
did not happen. One summary line is printed; the return value is the exit code (0 ok, 1 failed).
"""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import av
import cv2
import numpy as np

from vst_desktop.core.errors import VstError
from vst_desktop.core.settings import Settings
from vst_desktop.ui.common.waiting import wait_for, wait_until
from vst_desktop.ui.live.video_view import short_provider

log = logging.getLogger(__name__)

FRAMES_PER_STYLE = 3
RECORD_SECONDS = 2.0
MIN_STYLE_DIFFERENCE = 2.0  # mean absolute grey levels between input and output; identity scores 0


class SelfTestFailure(Exception):
    """A check that did not pass; the message is the summary line's reason."""


@dataclass
class Report:
    styles: list[str] = field(default_factory=list)
    inference_ms: list[float] = field(default_factory=list)
    provider: str = ""
    recorded_frames: int = 0
    decoded_frames: int = 0
    recorded_seconds: float = 0.0


def mean_difference(result) -> float:
    """How far the shown picture is from the input frame (same size and orientation: mirror is off)."""
    out, src = result.pixels, result.input_pixels
    if src.shape != out.shape:
        src = cv2.resize(src, (out.shape[1], out.shape[0]), interpolation=cv2.INTER_AREA)
    return float(np.abs(out.astype(np.int16) - src.astype(np.int16)).mean())


def decoded_frame_count(path: Path) -> int:
    with av.open(str(path)) as container:
        return sum(1 for _ in container.decode(video=0))


class _FrameCounter:
    """Counts frames shown with a given style, so a check waits for fresh output, not a stale frame."""

    def __init__(self, window) -> None:
        self.window, self.style_id, self.count = window, None, 0
        window.result_shown.connect(self._on_shown)

    def expect(self, style_id: str) -> None:
        self.style_id, self.count = style_id, 0

    def _on_shown(self) -> None:
        r = self.window.last_result
        if r is not None and r.style_id == self.style_id:
            self.count += 1


def _check_styles(window, packages, report: Report) -> None:
    counter = _FrameCounter(window)
    for pkg in packages:
        counter.expect(pkg.id)
        window.panel.gallery.select_id(pkg.id)
        if not wait_until(lambda: counter.count >= FRAMES_PER_STYLE, 120.0):
            raise SelfTestFailure(f"style {pkg.id} produced no frames within 120 s")
        result = window.last_result
        diff = mean_difference(result)
        if diff < MIN_STYLE_DIFFERENCE:
            raise SelfTestFailure(f"style {pkg.id} left the picture unchanged (mean difference {diff:.2f})")
        report.styles.append(pkg.id)
        report.inference_ms.append(result.stats.inference_ms)
        report.provider = result.stats.provider
    counter.expect("")
    window.panel.gallery.select_id("")
    if not wait_until(lambda: counter.count >= FRAMES_PER_STYLE, 30.0):
        raise SelfTestFailure("switching back to Original produced no frames")
    if mean_difference(window.last_result) > 0.5:
        raise SelfTestFailure("Original does not show the input picture")


def _check_recording(window, report: Report) -> None:
    window.start_recording()
    if not wait_until(lambda: bool(window.recording.path) or not window.is_recording(), 15.0):
        raise SelfTestFailure("recording did not start within 15 s")
    if not window.is_recording():
        raise SelfTestFailure(f"recording could not start: {window.banners.text('recording')}")
    wait_for(RECORD_SECONDS)
    window.stop_recording()
    if not wait_until(lambda: window.last_recording is not None, 30.0):
        raise SelfTestFailure("the recording did not finish within 30 s")
    result = window.last_recording
    if result.error is not None:
        raise SelfTestFailure(f"recording failed: {result.error.message}")
    report.recorded_frames, report.recorded_seconds = result.frames, result.duration_s
    try:
        report.decoded_frames = decoded_frame_count(result.path)
    except (av.error.FFmpegError, OSError) as exc:
        raise SelfTestFailure(f"the recording {result.path.name} does not decode: {exc}") from exc
    if report.decoded_frames == 0:
        raise SelfTestFailure(f"the recording {result.path.name} holds no frames")


def run_self_test(app, kind: str = "app") -> int:
    """Open the window on the demo clip, check every built-in style and a 2 s recording; 0 when all pass."""
    if kind == "training":
        from vst_desktop.ui.training.self_test import run_training_self_test

        return run_training_self_test(app)
    if kind != "app":
        print(f"self-test FAILED: unknown self-test {kind!r} (this build knows 'app' and 'training')")
        return 1
    from vst_desktop.styles.library import StyleLibrary
    from vst_desktop.ui.live.main_window import MainWindow

    report = Report()
    with tempfile.TemporaryDirectory(prefix="vst-self-test-") as tmp:
        settings = Settings(camera="demo", mirror=False, compare=False, inference_preset="Fast 360p",
                            recordings_dir=tmp, style="")
        try:
            library = StyleLibrary()
            builtins = [p for p in library.list() if p.builtin]
        except VstError as exc:
            print(f"self-test FAILED: styles could not be read: {exc.message}")
            return 1
        window = MainWindow(settings, library, "demo", cameras=[], persist=False)
        window.show()
        try:
            if not builtins:
                raise SelfTestFailure("no built-in styles were found")
            if not wait_until(lambda: window.last_result is not None, 60.0):
                raise SelfTestFailure("the demo clip produced no frames within 60 s")
            _check_styles(window, builtins, report)
            _check_recording(window, report)
        except SelfTestFailure as exc:
            print(f"self-test FAILED: {exc}")
            return 1
        finally:
            window.close()
            window.deleteLater()  # the menus and popups are top-level widgets too: they go with it
    ms = float(np.median(report.inference_ms)) if report.inference_ms else 0.0
    print(f"self-test passed: {len(report.styles)} built-in styles changed the demo clip "
          f"(median inference {ms:.1f} ms on {short_provider(report.provider)}), recorded "
          f"{report.recorded_seconds:.1f} s = {report.decoded_frames} decodable H.264 frames")
    return 0
