"""Live recording: a bounded queue in front of an encoder thread, so the preview never waits on disk.

Recording keeps every frame it is given (unlike the live path, where the latest frame wins) but only up
to about two seconds of backlog: past that it drops, counts and warns rather than block the preview.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from vst_desktop.core.errors import DiskFullError, RecordingError, VstError
from vst_desktop.core.frame import Frame
from vst_desktop.recording import disk
from vst_desktop.recording.naming import unique_path
from vst_desktop.recording.writer import Mp4Writer

log = logging.getLogger(__name__)

DEFAULT_MIN_FREE_BYTES = 500 * 1024 * 1024
_FREE_HINT = "Free some disk space or choose another recordings folder in Settings."


@dataclass(frozen=True)
class RecordingResult:
    path: Path
    frames: int
    dropped: int
    duration_s: float
    bytes: int
    error: VstError | None


class Recorder:
    """Record frames to `<folder>/vst-<timestamp>.mp4`: `start(w, h)`, `submit(frame)`..., `stop()`."""

    def __init__(self, folder: str | Path, fps: float, min_free_bytes: int = DEFAULT_MIN_FREE_BYTES, *,
                 queue_seconds: float = 2.0, disk_check_interval_s: float = 1.0, prefix: str = "vst",
                 writer_factory: Callable[..., Mp4Writer] = Mp4Writer) -> None:
        self.folder = Path(folder)
        self.fps = float(fps) if fps and fps > 0 else 30.0
        self.min_free_bytes = int(min_free_bytes)
        self.prefix = prefix
        self._queue_size = max(2, round(self.fps * queue_seconds))
        self._disk_check_interval_s = disk_check_interval_s
        self._writer_factory = writer_factory
        self._thread: threading.Thread | None = None
        self._reset()

    def _reset(self) -> None:
        """Fresh per-recording state: one Recorder can make several recordings in turn."""
        self._queue: queue.Queue[Frame] = queue.Queue(self._queue_size)
        self._writer: Mp4Writer | None = None
        self._stop_requested = threading.Event()
        self._accepting = False
        self._error: VstError | None = None
        self._path: Path | None = None
        self._started_at = 0.0
        self._stopped_at: float | None = None
        self._frames = 0
        self._dropped = 0
        self._first_ts: float | None = None
        self._last_ts: float | None = None

    # -- state -------------------------------------------------------------------------------
    @property
    def error(self) -> VstError | None:
        """Why the recording stopped on its own (disk full, encoder failure); None otherwise."""
        return self._error

    @property
    def is_recording(self) -> bool:
        return self._accepting

    @property
    def path(self) -> Path | None:
        return self._path

    @property
    def elapsed_s(self) -> float:
        if self._path is None:
            return 0.0
        end = self._stopped_at if self._stopped_at is not None else time.monotonic()
        return end - self._started_at

    @property
    def bytes_written(self) -> int:
        return self._writer.bytes_written if self._writer is not None else 0

    @property
    def frames_written(self) -> int:
        return self._frames

    @property
    def dropped(self) -> int:
        return self._dropped

    # -- control -----------------------------------------------------------------------------
    def _check_free_space(self) -> None:
        free = disk.free_bytes(self.folder)
        if free < self.min_free_bytes:
            raise DiskFullError(
                f"Not enough free disk space to record in {self.folder}: {disk.format_bytes(free)} free, "
                f"{disk.format_bytes(self.min_free_bytes)} needed.", _FREE_HINT)

    def start(self, width: int, height: int) -> Path:
        """Open a new file and the encoder thread; returns the file's path."""
        if self._thread is not None and (self._thread.is_alive() or self._accepting):
            raise RecordingError("A recording is already running.", "Stop it before starting another.")
        self._reset()
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise RecordingError(f"Cannot create the recordings folder {self.folder}: {exc}",
                                 "Choose another recordings folder in Settings.") from exc
        self._check_free_space()
        try:
            path = unique_path(self.folder, self.prefix, ".mp4")
        except OSError as exc:
            raise RecordingError(f"Cannot create a file in {self.folder}: {exc}",
                                 "Choose another recordings folder in Settings.") from exc
        self._writer = self._writer_factory(path, width, height, self.fps)
        self._path = path
        self._started_at = time.monotonic()
        self._accepting = True
        self._thread = threading.Thread(target=self._encode_loop, name="recorder-encoder", daemon=True)
        self._thread.start()
        log.info("recording %dx%d @ %.2f fps to %s", width, height, self.fps, path)
        return path

    def submit(self, frame: Frame) -> bool:
        """Queue `frame` for encoding without ever blocking. False when not recording or the queue is full.

        The recorder keeps a reference to `frame.pixels`: the caller must not modify them afterwards.
        """
        if not self._accepting:
            return False
        try:
            self._queue.put_nowait(frame)
        except queue.Full:
            self._dropped += 1
            if self._dropped == 1 or self._dropped % 100 == 0:
                log.warning("recorder queue full (encoder too slow): %d frames dropped", self._dropped)
            return False
        return True

    def stop(self) -> RecordingResult:
        """Encode what is queued, finish the file and report. Safe to call after a self-stop."""
        if self._thread is None or self._path is None:
            raise RecordingError("No recording has been started.", "Start a recording first.")
        self._accepting = False
        self._stop_requested.set()
        self._thread.join()
        if self._stopped_at is None:
            self._stopped_at = time.monotonic()
        return RecordingResult(self._path, self._frames, self._dropped, self._media_duration(),
                               self.bytes_written, self._error)

    def _media_duration(self) -> float:
        if self._first_ts is None or self._last_ts is None:
            return 0.0
        return self._last_ts - self._first_ts + 1.0 / self.fps

    # -- encoder thread ----------------------------------------------------------------------
    def _encode_loop(self) -> None:
        writer = self._writer
        assert writer is not None
        next_disk_check = time.monotonic() + self._disk_check_interval_s
        try:
            while True:
                try:
                    frame = self._queue.get(timeout=0.05)
                except queue.Empty:
                    if self._stop_requested.is_set():
                        break
                    continue
                writer.write(frame.pixels, frame.timestamp)
                self._frames += 1
                self._first_ts = frame.timestamp if self._first_ts is None else self._first_ts
                self._last_ts = frame.timestamp
                if time.monotonic() >= next_disk_check:
                    next_disk_check = time.monotonic() + self._disk_check_interval_s
                    self._stop_if_disk_full()
                    if self._error is not None:
                        break
        except RecordingError as exc:
            log.error("recording to %s failed: %s", self._path, exc.message)
            self._error = exc
        finally:
            self._accepting = False
            self._stopped_at = time.monotonic()
            self._finish(writer)

    def _stop_if_disk_full(self) -> None:
        free = disk.free_bytes(self.folder)
        if free >= self.min_free_bytes:
            return
        name = self._path.name if self._path else "the recording"
        self._error = DiskFullError(
            f"Recording stopped: the disk is almost full ({disk.format_bytes(free)} free). "
            f"The file {name} was kept.", _FREE_HINT)
        log.warning("%s", self._error.message)

    def _finish(self, writer: Mp4Writer) -> None:
        try:
            writer.close()
        except RecordingError as exc:
            log.error("finishing %s failed: %s", self._path, exc.message)
            self._error = self._error or exc
