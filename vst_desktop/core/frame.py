"""The unit that travels through the live path."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class Frame:
    """One video frame: BGR uint8 pixels `[H, W, 3]`, when it was captured and its position in the stream.

    `timestamp` is `time.monotonic()` seconds at capture for live sources, or the presentation time of
    the frame for files; the recorder derives its pts from it.
    """

    pixels: np.ndarray
    timestamp: float
    index: int

    @property
    def width(self) -> int:
        return int(self.pixels.shape[1])

    @property
    def height(self) -> int:
        return int(self.pixels.shape[0])

    @property
    def size(self) -> tuple[int, int]:
        return self.width, self.height
