"""A still image as a source: the same picture handed out as a ~30 fps stream."""

from __future__ import annotations

import time
from pathlib import Path

import cv2
import numpy as np

from vst_desktop.capture.base import FrameSource, SourceInfo
from vst_desktop.core.errors import SourceError
from vst_desktop.core.frame import Frame


def read_image(path: Path) -> np.ndarray:
    """BGR uint8 pixels of an image file, or SourceError. Reads bytes first so non-ASCII paths work."""
    try:
        data = np.fromfile(path, dtype=np.uint8)
    except OSError as exc:
        raise SourceError(f"Cannot open the image {path}: {exc.strerror or exc}",
                          "Check the path, or choose another file.") from exc
    pixels = cv2.imdecode(data, cv2.IMREAD_COLOR) if data.size else None
    if pixels is None:
        raise SourceError(f"{path.name} is not an image OpenCV can read.",
                          "Choose a PNG, JPEG, BMP, WebP or TIFF file.")
    return pixels


class ImageSource(FrameSource):
    """No reader thread: `read_latest` waits until the next frame is due and returns the same pixels.

    The pixel array is shared between frames and marked read-only, so a consumer that writes into its
    input fails loudly instead of corrupting every later frame.
    """

    FPS = 30.0

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._pixels: np.ndarray | None = None
        self._index = 0
        self._next_due = 0.0

    def open(self) -> None:
        if self._pixels is not None:
            return
        if not self.path.is_file():
            raise SourceError(f"Image file not found: {self.path}", "Check the path, or choose another file.")
        pixels = read_image(self.path)
        pixels.flags.writeable = False
        self._pixels = pixels
        self._next_due = time.monotonic()

    @property
    def info(self) -> SourceInfo:
        h, w = self._pixels.shape[:2] if self._pixels is not None else (0, 0)
        return SourceInfo("image", self.path.name, int(w), int(h), self.FPS, None)

    def read_latest(self, timeout: float = 1.0) -> Frame | None:
        if self._pixels is None:
            raise SourceError(f"{self.path.name} is not open.", "Call open() first (this is a bug).")
        now = time.monotonic()
        wait = self._next_due - now
        if wait > timeout:
            time.sleep(max(0.0, timeout))
            return None
        if wait > 0:
            time.sleep(wait)
        now = time.monotonic()
        # Pace from the due time, but never run ahead to catch up after a slow consumer.
        self._next_due = max(self._next_due + 1.0 / self.FPS, now)
        frame = Frame(self._pixels, now, self._index)
        self._index += 1
        return frame

    def close(self) -> None:
        self._pixels = None
