"""The one interface every frame source shares: open, read_latest, close, info, error."""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Generic, Literal, TypeVar

from vst_desktop.core.errors import VstError
from vst_desktop.core.frame import Frame

SourceKind = Literal["camera", "video", "image", "demo"]
T = TypeVar("T")


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


class LatestSlot(Generic[T]):
    """A one-value mailbox between a producer thread and a consumer: a new value replaces an unread one.

    Keeping only the newest value is what keeps latency flat: a slow consumer skips values instead of
    working through a backlog. Used twice on the frame path: a source's reader thread hands frames to the
    pipeline worker, and the worker hands results to the GUI (ui/live/engine.py). Values replaced before
    anyone took them are counted in `dropped`.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._value: T | None = None
        self._unread = False
        self._closed = False
        self.dropped = 0

    def put(self, value: T) -> bool:
        """Store the newest value; True when the consumer has to be woken (nothing unread was waiting)."""
        with self._cond:
            if self._unread:
                self.dropped += 1
            wake = not self._unread
            self._value, self._unread = value, True
            self._cond.notify_all()
            return wake

    def take(self, timeout: float = 0.0) -> T | None:
        """The newest value not taken before, waiting up to `timeout` s for one; None when none came."""
        with self._cond:
            if timeout > 0:
                self._cond.wait_for(lambda: self._unread or self._closed, timeout=timeout)
            if not self._unread:
                return None
            self._unread = False
            return self._value

    def peek(self) -> T | None:
        """The newest value, taken or not (snapshots, recordings and thumbnails read the shown frame)."""
        with self._cond:
            return self._value

    def has_value(self) -> bool:
        """True while a value waits to be taken."""
        with self._cond:
            return self._unread

    def close(self) -> None:
        """Wake any waiting consumer: the producer has ended."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()


def stop_reader_thread(stop: threading.Event, slot: LatestSlot, thread: threading.Thread | None,
                       timeout: float) -> None:
    """End a source's reader thread: tell it to stop, wake a consumer waiting on its slot, and wait for it
    (unless the reader itself is closing its source)."""
    stop.set()
    slot.close()
    if thread is not None and thread is not threading.current_thread():
        thread.join(timeout=timeout)
