"""File names that never overwrite, and PNG snapshots."""

from __future__ import annotations

from datetime import datetime

import cv2
import numpy as np

from vst_desktop.recording.naming import unique_path
from vst_desktop.recording.snapshot import save_snapshot


def test_unique_path_adds_counter_and_never_overwrites(tmp_path):
    now = datetime(2024, 5, 6, 7, 8, 9)
    existing = tmp_path / "vst-20240506-070809.mp4"
    existing.write_bytes(b"precious")
    first = unique_path(tmp_path, "vst", "mp4", now=now)
    second = unique_path(tmp_path, "vst", ".mp4", now=now)
    assert first.name == "vst-20240506-070809-1.mp4"
    assert second.name == "vst-20240506-070809-2.mp4"
    assert existing.read_bytes() == b"precious"


def test_unique_path_creates_folder(tmp_path):
    path = unique_path(tmp_path / "a" / "b", "snapshot", ".png")
    assert path.parent.is_dir() and path.exists()


def test_snapshots_are_png_and_distinct(tmp_path):
    img = np.random.default_rng(0).integers(0, 255, (37, 53, 3), dtype=np.uint8)
    a = save_snapshot(img, tmp_path)
    b = save_snapshot(img, tmp_path)
    assert a != b and a.suffix == b.suffix == ".png"
    np.testing.assert_array_equal(cv2.imread(str(a)), img)
