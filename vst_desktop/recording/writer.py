"""H.264 MP4 writer for live recordings and offline stylize (PyAV + libx264).

The MP4 is fragmented (`frag_keyframe+empty_moov`): the index is written with every fragment instead of
once at the end, so a crash or power loss still leaves a playable file up to the last keyframe. A keyframe
starts a fragment at least every second of capture time, and each finished fragment is fsync'ed, so a
killed recording loses at most its last second.
"""

from __future__ import annotations

import logging
import os
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np

from vst_desktop.core.errors import RecordingError

log = logging.getLogger(__name__)

# 90 kHz is the usual video clock: fine enough for any frame rate, and for capture-time jitter.
TIME_BASE = Fraction(1, 90000)
# Fragments end at keyframes, so the keyframe interval bounds what a crash loses (at most 1 s).
KEYFRAME_SECONDS = 1.0
_HINT = "Check that the recordings folder exists and is writable, or choose another one in Settings."


def even_size(width: int, height: int) -> tuple[int, int]:
    """yuv420p needs even dimensions: drop the odd last column/row rather than resample."""
    return max(2, width - width % 2), max(2, height - height % 2)


class Mp4Writer:
    """Encode BGR frames into `path`. `write(pixels, timestamp)`; `close()` finalises (also on `with`)."""

    def __init__(self, path: str | Path, width: int, height: int, fps: float, *, crf: int = 23,
                 preset: str = "veryfast") -> None:
        self.path = Path(path)
        self.width, self.height = even_size(int(width), int(height))
        self.fps = float(fps) if fps and fps > 0 else 30.0
        self.frames_written = 0
        self._first_ts: float | None = None
        self._last_pts = -1
        self._last_key_pts: int | None = None
        self._warned_resize = False
        self._sync_file = None
        try:
            # FFmpeg opens the file only at the first frame: find a bad folder now, not mid-recording. The
            # handle stays open to fsync each finished fragment (any handle on the file flushes its data).
            self._sync_file = open(self.path, "ab")  # noqa: SIM115 - closed in close()
            self._container = av.open(str(self.path), "w", format="mp4",
                                      options={"movflags": "frag_keyframe+empty_moov", "flush_packets": "1"})
        except (av.error.FFmpegError, OSError) as exc:
            self._close_sync_file()
            raise RecordingError(f"Could not create the video file {self.path}: {exc}", _HINT) from exc
        try:
            self._stream = self._add_stream(crf, preset)
        except (av.error.FFmpegError, ValueError) as exc:
            self._container.close()
            self._close_sync_file()
            raise RecordingError(f"Could not start the H.264 encoder for {self.path.name}: {exc}",
                                 "Reinstall the app: its FFmpeg build should include libx264.") from exc

    def _add_stream(self, crf: int, preset: str):
        rate = Fraction(self.fps).limit_denominator(1001)
        stream = self._container.add_stream("libx264", rate=rate, options={
            "crf": str(crf), "preset": preset,
            # No B-frames or look-ahead: each frame leaves the encoder at once (low latency, small loss).
            "tune": "zerolatency",
            "forced-idr": "1",  # a keyframe forced by capture time (write()) must start a fragment
        })
        stream.width, stream.height = self.width, self.height
        stream.pix_fmt = "yuv420p"
        stream.time_base = TIME_BASE
        stream.codec_context.time_base = TIME_BASE
        stream.codec_context.gop_size = max(1, round(self.fps * KEYFRAME_SECONDS))
        return stream

    def _fit(self, pixels: np.ndarray) -> np.ndarray:
        h, w = pixels.shape[:2]
        if (w, h) == (self.width, self.height):
            return pixels
        if even_size(w, h) == (self.width, self.height):
            return pixels[: self.height, : self.width]
        if not self._warned_resize:  # e.g. the camera changed resolution mid-recording
            log.warning("frame size %dx%d differs from recording size %dx%d: resizing",
                        w, h, self.width, self.height)
            self._warned_resize = True
        return cv2.resize(pixels, (self.width, self.height), interpolation=cv2.INTER_AREA)

    def _next_pts(self, timestamp: float) -> int:
        if self._first_ts is None:
            self._first_ts = timestamp
        pts = round((timestamp - self._first_ts) / TIME_BASE)
        pts = max(pts, self._last_pts + 1)  # MP4 needs strictly increasing pts, whatever the clock did
        self._last_pts = pts
        return pts

    def write(self, pixels: np.ndarray, timestamp: float) -> None:
        """Encode one BGR uint8 `[H, W, 3]` frame captured at `timestamp` seconds (any origin)."""
        if self._container is None:
            raise RecordingError(f"{self.path.name} is already closed.", "Start a new recording.")
        frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(self._fit(pixels)), format="bgr24")
        frame = frame.reformat(format="yuv420p")
        frame.pts = self._next_pts(float(timestamp))
        frame.time_base = TIME_BASE
        # gop_size counts frames at the nominal rate; a live source that delivers fewer (a slow style)
        # would stretch the GOP, so a keyframe is also forced once a second of capture time has passed.
        if self._last_key_pts is None or frame.pts - self._last_key_pts >= KEYFRAME_SECONDS / TIME_BASE:
            frame.pict_type = av.video.frame.PictureType.I
        try:
            for packet in self._stream.encode(frame):
                self._container.mux(packet)
                if packet.is_keyframe:  # zerolatency: the packet out is the frame just put in
                    self._last_key_pts = frame.pts
                    self._sync()  # the keyframe closed the previous fragment: it is in the file now
        except (av.error.FFmpegError, OSError) as exc:
            raise RecordingError(f"Writing {self.path.name} failed: {exc}", _HINT) from exc
        self.frames_written += 1

    def _sync(self) -> None:
        """Ask the OS to put the written fragments on the disk (power loss; a killed process needs no more)."""
        if self._sync_file is None or self.frames_written == 0:
            return
        try:
            os.fsync(self._sync_file.fileno())
        except OSError as exc:  # some filesystems (pipes, network shares) refuse fsync: the data is written
            log.debug("fsync of %s failed: %s", self.path.name, exc)

    def _close_sync_file(self) -> None:
        sync_file, self._sync_file = self._sync_file, None
        if sync_file is not None:
            sync_file.close()

    @property
    def bytes_written(self) -> int:
        try:
            return self.path.stat().st_size
        except OSError:
            return 0

    def close(self) -> None:
        """Flush the encoder and finish the file. Safe to call twice."""
        container, self._container = self._container, None
        if container is None:
            return
        try:
            for packet in self._stream.encode(None):
                container.mux(packet)
        except (av.error.FFmpegError, OSError) as exc:
            raise RecordingError(f"Finishing {self.path.name} failed: {exc}", _HINT) from exc
        finally:
            container.close()
            self._sync()  # the last fragment too
            self._close_sync_file()

    def __enter__(self) -> Mp4Writer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
