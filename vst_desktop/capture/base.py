"""The one interface every frame source shares: open, read_latest, close, info, error."""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Literal

from vst_desktop.core.errors import VstError
from vst_desktop.core.frame import Frame

SourceKind = Literal["camera", "video", "image", "demo"]


@dataclass(frozen=True)
class SourceInfo:
    kind: SourceKind
    name: str
    width: int
    height: int
    fps: float
    frame_count: int | None = None


class FrameSource(ABC):
    """A start/read/stop source that hands out the newest frame (vidgear style).

    `open()` may be called more than once (later calls do nothing), so a source returned already open by
    `open_source()` can still be used in a `with` block.
    """

    _error: VstError | None = None

    @abstractmethod
    def open(self) -> None: ...

    @abstractmethod
    def read_latest(self, timeout: float = 1.0) -> Frame | None:
        """The newest frame not handed out before, waiting up to `timeout` s; None when none came."""

    @abstractmethod
    def close(self) -> None: ...

    @property
    @abstractmethod
    def info(self) -> SourceInfo: ...

    @property
    def error(self) -> VstError | None:
        """Set while a live source is failing (e.g. camera unplugged); None when all is well."""
        return self._error

    @property
    def dropped_frames(self) -> int:
        """Frames replaced before anyone read them (latest frame wins)."""
        return 0

    def __enter__(self) -> FrameSource:
        self.open()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class LatestFrameSlot:
    """A one-frame mailbox between a reader thread and a consumer: a new frame replaces an unread one.

    Keeping only the newest frame is what keeps latency flat: a slow consumer skips frames instead of
    working through a backlog. Replaced frames are counted in `dropped`.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._frame: Frame | None = None
        self._closed = False
        self.dropped = 0

    def put(self, frame: Frame) -> None:
        with self._cond:
            if self._frame is not None:
                self.dropped += 1
            self._frame = frame
            self._cond.notify_all()

    def take(self, timeout: float) -> Frame | None:
        with self._cond:
            self._cond.wait_for(lambda: self._frame is not None or self._closed, timeout=max(0.0, timeout))
            frame, self._frame = self._frame, None
            return frame

    def has_frame(self) -> bool:
        with self._cond:
            return self._frame is not None

    def close(self) -> None:
        """Wake any waiting reader: the producer has ended."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
