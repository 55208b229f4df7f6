"""Video files (mp4, gif, anything FFmpeg reads) via PyAV: a live looping source and offline helpers."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

from vst_desktop.capture.base import FrameSource, LatestSlot, SourceInfo, SourceKind, stop_reader_thread
from vst_desktop.core.errors import SourceError
from vst_desktop.core.frame import Frame

log = logging.getLogger(__name__)

_FALLBACK_FPS = 30.0
_DAMAGED_HINT = ("The file may be damaged or in a format FFmpeg cannot read; "
                 "try converting it to MP4 (H.264), or choose another file.")
# When the reader falls this far behind the clock (suspend, heavy load), restart the clock instead of
# racing through the backlog.
_MAX_LAG_S = 0.5


@dataclass(frozen=True)
class VideoInfo:
    width: int
    height: int
    fps: float
    frame_count: int | None
    has_audio: bool


def _reason(exc: BaseException) -> str:
    """FFmpeg's own words ("Invalid data found when processing input") without errno and path."""
    return getattr(exc, "strerror", None) or str(exc)


def _open_container(path: Path) -> av.container.InputContainer:
    if not path.exists():
        raise SourceError(f"Video file not found: {path}", "Check the path, or choose another file.")
    if not path.is_file():
        raise SourceError(f"{path} is not a file.", "Choose a video file such as an MP4 or GIF.")
    try:
        container = av.open(str(path))
    except (av.error.FFmpegError, OSError, UnicodeDecodeError) as exc:
        raise SourceError(f"Cannot read {path.name} as a video ({_reason(exc)}).", _DAMAGED_HINT) from exc
    if not container.streams.video:
        container.close()
        raise SourceError(f"{path.name} holds no video track.", "Choose a file with video in it.")
    return container


def _stream_fps(stream: av.video.stream.VideoStream) -> float:
    for rate in (stream.average_rate, stream.guessed_rate, stream.base_rate):
        if rate and float(rate) > 0:
            return float(rate)
    return _FALLBACK_FPS


def _decoded(container: av.container.InputContainer, path: Path) -> Iterator[tuple[np.ndarray, float | None]]:
    """(BGR pixels, presentation time in seconds or None) for each frame of the first video stream."""
    stream = container.streams.video[0]
    stream.thread_type = "AUTO"  # frame threads: decoding keeps up with 1080p on small CPUs
    try:
        for frame in container.decode(stream):
            yield frame.to_ndarray(format="bgr24"), frame.time
    except av.error.FFmpegError as exc:
        raise SourceError(f"Decoding {path.name} failed ({_reason(exc)}).", _DAMAGED_HINT) from exc


def probe_video(path: str | Path) -> VideoInfo:
    """Size, rate, frame count (None when the container does not say) and audio presence of a video.

    Decodes the first frame too, so a file FFmpeg opens but cannot decode is reported here.
    """
    path = Path(path)
    with _open_container(path) as container:
        stream = container.streams.video[0]
        fps = _stream_fps(stream)
        frames = stream.frames or None
        if frames is None and container.duration:
            frames = round(container.duration / av.time_base * fps) or None
        frames_iter = _decoded(container, path)
        first = next(frames_iter, None)
        frames_iter.close()
        if first is None:
            raise SourceError(f"{path.name} holds no decodable video frames.", _DAMAGED_HINT)
        height, width = first[0].shape[:2]
        return VideoInfo(width, height, fps, frames, bool(container.streams.audio))


def iter_video_frames(path: str | Path) -> Iterator[Frame]:
    """Every frame in order, for offline use; `timestamp` is the presentation time in seconds."""
    path = Path(path)
    with _open_container(path) as container:
        fps = _stream_fps(container.streams.video[0])
        for index, (pixels, t) in enumerate(_decoded(container, path)):
            yield Frame(pixels, t if t is not None else index / fps, index)


class VideoFileSource(FrameSource):
    """A video file as a live source.

    `realtime`: frames come out at the file's pace and carry `time.monotonic()` timestamps, like a
    camera; otherwise the reader decodes as fast as it can and timestamps are media seconds (growing
    across loops). `loop`: start again at the end; otherwise `finished` turns True once the last frame
    has been read and `read_latest` returns None.
    """

    kind: SourceKind = "video"

    def __init__(self, path: str | Path, loop: bool = True, realtime: bool = True) -> None:
        self.path = Path(path)
        self.loop = loop
        self.realtime = realtime
        self._slot = LatestSlot()
        self._stop = threading.Event()
        self._reader_done = threading.Event()
        self._thread: threading.Thread | None = None
        self._probe: VideoInfo | None = None
        self._loops = 0

    def _display_name(self) -> str:
        return self.path.name

    def open(self) -> None:
        if self._thread is not None:
            return
        self._probe = probe_video(self.path)
        self._thread = threading.Thread(target=self._run, name=f"video-reader-{self.path.name}", daemon=True)
        self._thread.start()

    @property
    def info(self) -> SourceInfo:
        p = self._probe or probe_video(self.path)
        return SourceInfo(self.kind, self._display_name(), p.width, p.height, p.fps, p.frame_count)

    @property
    def finished(self) -> bool:
        """True once a non-looping file has ended and its last frame was handed out."""
        return self._reader_done.is_set() and not self._slot.has_value()

    @property
    def loops_completed(self) -> int:
        return self._loops

    @property
    def dropped_frames(self) -> int:
        return self._slot.dropped

    def read_latest(self, timeout: float = 1.0) -> Frame | None:
        if self.finished:
            return None
        return self._slot.take(timeout)

    def close(self) -> None:
        stop_reader_thread(self._stop, self._slot, self._thread, timeout=2.0)

    # -- reader thread -----------------------------------------------------------------------
    def _run(self) -> None:
        try:
            self._play()
        except SourceError as exc:
            log.error("%s", exc.message)
            self._error = exc
        finally:
            self._reader_done.set()
            self._slot.close()

    def _play(self) -> None:
        assert self._probe is not None
        frame_period = 1.0 / self._probe.fps
        index = 0
        offset = 0.0  # media time at which the current pass starts, so time keeps growing across loops
        clock_start = time.monotonic()
        while not self._stop.is_set():
            media = offset
            first_t: float | None = None
            frames_this_pass = 0
            with _open_container(self.path) as container:
                for pixels, t in _decoded(container, self.path):
                    if self._stop.is_set():
                        return
                    t = t if t is not None else frames_this_pass * frame_period
                    first_t = t if first_t is None else first_t
                    media = offset + (t - first_t)
                    timestamp = media
                    if self.realtime:
                        clock_start = self._wait_until_due(clock_start, media)
                        timestamp = time.monotonic()
                    self._slot.put(Frame(pixels, timestamp, index))
                    index += 1
                    frames_this_pass += 1
            if frames_this_pass == 0:
                raise SourceError(f"{self.path.name} holds no decodable video frames.", _DAMAGED_HINT)
            if not self.loop:
                return
            self._loops += 1
            offset = media + frame_period

    def _wait_until_due(self, clock_start: float, media: float) -> float:
        """Sleep until `media` seconds after `clock_start`; returns the (possibly restarted) clock start."""
        delay = clock_start + media - time.monotonic()
        if delay < -_MAX_LAG_S:
            return time.monotonic() - media
        if delay > 0:
            self._stop.wait(delay)
        return clock_start
