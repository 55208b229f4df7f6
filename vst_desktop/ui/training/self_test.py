"""`vst-desktop --self-test training`: the training dialog driven end to end, offscreen.

A tiny real run (a few steps on small crops) of the munch_scream folder from the shared data (or, where
that is absent, e.g. in a packaged app, a few bundled photos standing in for style images) is started from
the dialog, followed to the end, and its style is checked: installed, listed by the library and the
gallery, and able to stylize a real frame. Everything happens in a temporary user folder, so the person's
own styles and runs are untouched. One summary line is printed; the return value is the exit code.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

import cv2

from vst_desktop.core import paths
from vst_desktop.core.errors import VstError
from vst_desktop.ui.common.waiting import wait_until

TINY_SETTINGS = ("crop_size=64 batch_size=2 max_image_side=256 log_every=1 sample_every=4 checkpoint_every=4 "
                 "val_photos=2")
STEPS = 8
TIMEOUT_S = 600.0


class TrainingSelfTestFailure(Exception):
    """A check that did not pass; the message is the summary line's reason."""


def _style_folder(tmp: Path) -> Path:
    shared = paths.shared_data_dir()
    if shared is not None and (shared / "styles" / "munch_scream").is_dir():
        return shared / "styles" / "munch_scream"
    folder = tmp / "style"
    folder.mkdir()
    for photo in sorted((paths.resources_dir() / "content").glob("*.jpg"))[:3]:
        shutil.copy2(photo, folder / photo.name)
    return folder


def _run(tmp: Path) -> str:
    from vst_desktop.inference.session import StyleSession
    from vst_desktop.styles.library import StyleLibrary
    from vst_desktop.ui.live.gallery import StyleGallery
    from vst_desktop.ui.training.dialog import TrainingDialog

    dialog = TrainingDialog(None, measure_speed=False, reattach=False)
    installed: list[str] = []
    dialog.style_installed.connect(installed.append)
    dialog.show()
    try:
        folder = _style_folder(tmp)
        dialog.set_style_folder(folder)
        if not wait_until(lambda: dialog.style_scan is not None, 60.0):
            raise TrainingSelfTestFailure(f"the style folder {folder} was not checked within 60 s")
        if not dialog.style_scan.ok:
            raise TrainingSelfTestFailure(f"the style folder was refused: {dialog.style_scan.problem}")
        dialog.setup_page.name_edit.setText("Self Test Style")
        dialog.setup_page.iterations_spin.setValue(STEPS)
        dialog.setup_page.extra_edit.setText(TINY_SETTINGS)
        dialog.evaluate = False  # metrics take minutes on 2 cores; this checks the dialog and the package
        t0 = time.monotonic()
        if not dialog.start_training():
            raise TrainingSelfTestFailure(f"training did not start: {dialog.setup_page.setup_error.text()}")
        if not wait_until(lambda: not dialog.state.active, TIMEOUT_S):
            raise TrainingSelfTestFailure(f"training did not finish within {TIMEOUT_S:.0f} s")
        seconds = time.monotonic() - t0
        if dialog.state != "done" or not installed:
            tail = " | ".join((dialog.end_info.get("stderr_tail") or [])[-3:])
            raise TrainingSelfTestFailure(f"training ended as {dialog.state}: {dialog.end_info.get('message', '')} "
                                          f"{tail}".strip())
        progress = dialog.events_seen.get("progress", 0)
        if progress < 1 or dialog.run_page.sample_view.path is None or not dialog.run_page.loss_plot.series():
            raise TrainingSelfTestFailure(f"the dialog showed {progress} progress events and "
                                          f"{'a' if dialog.run_page.sample_view.path else 'no'} sample")
        style_id = installed[0]
        library = StyleLibrary()
        pkg = library.get(style_id)
        gallery = StyleGallery()
        gallery.set_styles(library.list())
        if not gallery.select_id(style_id, notify=False):
            raise TrainingSelfTestFailure(f"the gallery does not list the new style {style_id}")
        gallery.deleteLater()
        photo = cv2.imread(str(paths.resources_dir() / "content" / "faces_cc0_001.jpg"))
        if photo is None:
            raise TrainingSelfTestFailure("the bundled test photo is missing")
        frame = cv2.resize(photo, (320, 184))
        session = StyleSession(pkg.onnx_path, prefer_gpu=False)
        t1 = time.perf_counter()
        out = session.run(frame)
        ms = (time.perf_counter() - t1) * 1000
        if out.shape != frame.shape:
            raise TrainingSelfTestFailure(f"the new style returned a {out.shape} picture for a {frame.shape} frame")
        return (f"training self-test passed: trained '{pkg.meta.name}' ({STEPS} steps, {progress} progress events, "
                f"sample {dialog.run_page.sample_view.path.name}) in {seconds:.0f} s, installed as {style_id}, "
                f"stylized a 320x184 frame in {ms:.0f} ms")
    finally:
        dialog.process.kill()
        dialog.shutdown()
        dialog.hide()
        dialog.deleteLater()


def run_training_self_test(app) -> int:  # noqa: ARG001 - the QApplication must exist; kept for symmetry
    """Train a tiny style from the dialog and check it; prints one line, returns 0 (passed) or 1."""
    previous = os.environ.get("VST_DESKTOP_HOME")
    with tempfile.TemporaryDirectory(prefix="vst-training-self-test-") as tmp:
        os.environ["VST_DESKTOP_HOME"] = str(Path(tmp) / "home")  # the child process inherits it
        try:
            print(_run(Path(tmp)))
            return 0
        except TrainingSelfTestFailure as exc:
            print(f"training self-test FAILED: {exc}")
            return 1
        except VstError as exc:
            print(f"training self-test FAILED: {exc.message}")
            return 1
        finally:
            if previous is None:
                os.environ.pop("VST_DESKTOP_HOME", None)
            else:
                os.environ["VST_DESKTOP_HOME"] = previous
