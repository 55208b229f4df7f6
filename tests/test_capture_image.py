"""Still images as a frame source."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from vst_desktop.capture.image import ImageSource
from vst_desktop.core.errors import SourceError


def _some_photo(shared_data):
    return next(p for p in sorted((shared_data / "content" / "val").iterdir()) if p.suffix.lower() in
                {".png", ".jpg", ".jpeg"})


def test_image_repeats_as_frames(shared_data):
    path = _some_photo(shared_data)
    expected = cv2.imread(str(path), cv2.IMREAD_COLOR)
    with ImageSource(path) as src:
        assert src.info.kind == "image" and (src.info.height, src.info.width) == expected.shape[:2]
        a, b = src.read_latest(), src.read_latest()
    assert a is not None and b is not None
    assert (a.index, b.index) == (0, 1) and b.timestamp > a.timestamp
    np.testing.assert_array_equal(a.pixels, expected)
    assert not a.pixels.flags.writeable


def test_unreadable_image(tmp_path):
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"\x89PNG not really")
    with pytest.raises(SourceError, match="broken.png"):
        ImageSource(bad).open()
    with pytest.raises(SourceError, match="not found"):
        ImageSource(tmp_path / "missing.jpg").open()
