"""What the live path hands to the window for each frame: a LiveResult, already scaled for the view.

The GUI's pipeline worker puts every result into a capture.base.LatestSlot; the GUI takes whatever is newest
when it gets round to painting. A frame the GUI never saw is counted as a display drop instead of being
queued, so a slow GUI shows fewer frames but never older ones.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

import cv2
import numpy as np

from vst_desktop.core.stats import Stats

# Qt's Format_RGB32 is B, G, R, 255 in memory on little-endian machines: the backing store's own format.
DISPLAY_CHANNELS = 4 if sys.byteorder == "little" else 3


@dataclass(slots=True)
class LiveResult:
    """One processed frame as the GUI sees it."""

    pixels: np.ndarray  # stylized BGR, what is shown and recorded
    original: np.ndarray | None  # the input at the same size and orientation (for compare), else None
    input_pixels: np.ndarray  # the source frame as captured (tests and the self-test compare against it)
    stats: Stats
    style_id: str  # "" = Original
    strength: float
    fps: float  # frames per second leaving the worker, smoothed
    index: int  # worker's running count of results
    source_timestamp: float = 0.0
    # The same pictures already scaled to the view's device pixels by the worker (cv2 is much cheaper
    # than scaling in the GUI thread, which competes with inference for the CPU); None = not scaled.
    display: np.ndarray | None = None
    display_original: np.ndarray | None = None
    extra: dict = field(default_factory=dict)


def scale_for_display(pixels, original, area: tuple[int, int]):
    """The pictures scaled to fit `area` (the view's device pixels) in the screen's own 32-bit format.

    Done in the worker: the GUI thread then copies the picture 1:1 (a memcpy) instead of scaling and
    converting it. (None, None) while the view's size is not known yet.
    """
    aw, ah = area
    h, w = pixels.shape[:2]
    if aw <= 0 or ah <= 0:
        return None, None
    scale = min(aw / w, ah / h)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    # Area averaging only below half size, where bilinear would alias: at a non-integer scale it costs
    # ~6 ms on a 720p frame against ~1 ms for bilinear, which at 0.5-1x shows no aliasing on screen.
    interp = cv2.INTER_AREA if scale < 0.5 else cv2.INTER_LINEAR

    def prepare(img):
        if img is None:
            return None
        if DISPLAY_CHANNELS == 4:
            img = cv2.cvtColor(img, cv2.COLOR_BGR2BGRA)  # before resizing: fewer pixels to convert
        return img if size == (w, h) else cv2.resize(img, size, interpolation=interp)

    return prepare(pixels), prepare(original)
