"""The latest-result slot between the pipeline worker and the GUI (DESIGN.md section 2).

The worker overwrites the slot with every new result; the GUI takes whatever is newest when it gets
round to painting. A frame the GUI never saw is counted as a display drop instead of being queued, so a
slow GUI shows fewer frames but never older ones.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import numpy as np

from vst_desktop.core.stats import Stats


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


class LatestSlot:
    """A one-element mailbox: `put` replaces, `take` empties. `put` says whether a wake-up is needed."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._result: LiveResult | None = None
        self._unseen = False
        self.display_dropped = 0

    def put(self, result: LiveResult) -> bool:
        """Store the newest result; True when the GUI has to be notified (nothing was waiting)."""
        with self._lock:
            if self._unseen:
                self.display_dropped += 1  # overwritten before the GUI painted it
            notify = not self._unseen
            self._result = result
            self._unseen = True
            return notify

    def take(self) -> LiveResult | None:
        """The newest result not yet taken, or None."""
        with self._lock:
            if not self._unseen:
                return None
            self._unseen = False
            return self._result

    def peek(self) -> LiveResult | None:
        """The newest result, taken or not (for snapshots and tests)."""
        with self._lock:
            return self._result
