"""Small helpers shared by several test files (pytest puts this folder on sys.path)."""

from __future__ import annotations

import time
from pathlib import Path

import cv2
import numpy as np

from vst_desktop.core.paths import resources_dir
from vst_desktop.core.settings import Settings


def wait_for(condition, timeout: float = 10.0) -> bool:
    """Poll `condition` until it holds (True) or `timeout` seconds pass (False): for worker threads."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def coffee_photo(shared_data: Path, size: tuple[int, int]) -> np.ndarray:
    """A real validation photo, resized to `size` (w, h)."""
    img = cv2.imread(str(shared_data / "content" / "val" / "skimage_coffee.png"), cv2.IMREAD_COLOR)
    assert img is not None
    return cv2.resize(img, size, interpolation=cv2.INTER_AREA)


def window_settings(tmp_path: Path, **kw) -> Settings:
    """The main window's settings for a test: demo clip, no mirror or split view, Fast 360p, recordings in tmp."""
    base = dict(camera="demo", mirror=False, compare=False, inference_preset="Fast 360p",
                recordings_dir=str(tmp_path / "recordings"))
    base.update(kw)
    return Settings(**base)


def camera_grab():
    """A live view's `grab_frame` for the capture tests: a real photo moved 7 pixels further on each call,
    with no frame ready on the second call (the worker had none yet)."""
    photo = cv2.imread(str(resources_dir() / "content" / "faces_cc0_001.jpg"))
    calls = 0

    def grab() -> np.ndarray | None:
        nonlocal calls
        calls += 1
        return None if calls == 2 else np.roll(photo, calls * 7, axis=1)

    return grab
