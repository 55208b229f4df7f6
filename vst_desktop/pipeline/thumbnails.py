"""Live gallery thumbnails: every style painted on the person's own current frame, off the frame path.

`ThumbnailRenderer` crops a source frame to its centre square, brings it to the scale the live view
infers at (so the strokes have the size they will have live; capped at `MAX_SIDE`), runs the style's
own small session and shrinks the result to the tile. Each style gets its own `StyleSession` with one
intra-op thread: onnxruntime then runs it on the calling thread, so that thread's priority is the
priority of all the work. `ThumbnailLoop` is that thread: lowest priority, one style at a time with a
pause between styles, and a newer request replaces an unfinished one (newest frame wins).
"""

from __future__ import annotations

import collections
import logging
import os
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from vst_desktop.core.memory import release_freed_memory
from vst_desktop.pipeline.sizing import CPU_NETWORK_HEIGHT, round8

log = logging.getLogger(__name__)

# The square at the live scale is 360x360 for a 360p view: ~10 ms a style on one thread (udnie 13 ms).
# Larger presets would cost up to 9x more for a tile that shows 96 pixels; strokes are then a bit coarser.
MAX_SIDE = 360
# ~15 MB each (measured: 161 MB for the 11 built-in styles); beyond this many, the least recently used go.
MAX_SESSIONS = 16
GAP_S = 0.05  # pause between two styles: never hold a core for long, even at the lowest priority
NICE = 19


def square_crop(pixels: np.ndarray, mirror: bool = False) -> np.ndarray:
    """The centre square of a frame (a copy), mirrored like the view when `mirror`."""
    h, w = pixels.shape[:2]
    s = min(h, w)
    y, x = (h - s) // 2, (w - s) // 2
    crop = pixels[y:y + s, x:x + s]
    return cv2.flip(crop, 1) if mirror else crop.copy()


def inference_side(frame_size: tuple[int, int], inference_height: int) -> int:
    """The centre square's side at the scale the live view runs the style at (`sizing.fit_height`)."""
    w, h = frame_size
    scale = min(inference_height, h) / h  # the live view never upscales the frame
    return round8(min(MAX_SIDE, min(w, h) * scale))


def live_network_height(stats_inference_size: tuple[int, int], preset_height: int) -> int:
    """The height the live view's network runs at: the newest frame's own, else the preset's on a CPU
    (taller presets are enlarged after the network, so strokes keep their 360p size)."""
    if stats_inference_size[1] > 0:
        return int(stats_inference_size[1])
    return min(preset_height, CPU_NETWORK_HEIGHT)


def _resize(img: np.ndarray, side: int) -> np.ndarray:
    if img.shape[0] == side and img.shape[1] == side:
        return img
    interp = cv2.INTER_AREA if side < img.shape[0] else cv2.INTER_LINEAR
    return cv2.resize(img, (side, side), interpolation=interp)


def lower_thread_priority() -> bool:
    """Give the calling thread (only) the lowest priority; False where the system offers no way."""
    if sys.platform.startswith("linux"):
        try:  # on Linux every thread has its own nice value, addressed by its thread id
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), NICE)
            return True
        except OSError as exc:
            log.info("could not lower the thumbnail thread's priority: %s", exc)
            return False
    if sys.platform == "win32":
        import ctypes

        kernel = ctypes.windll.kernel32
        return bool(kernel.SetThreadPriority(kernel.GetCurrentThread(), -2))  # THREAD_PRIORITY_LOWEST
    return False  # macOS: setpriority would lower the whole process, the live view included


class ThumbnailRenderer:
    """Renders one tile at a time; not thread-safe (one thread uses it). Sessions are kept per style."""

    def __init__(self, session_factory: Callable[[Path], object] | None = None) -> None:
        self._factory = session_factory or _cpu_session
        self._sessions: collections.OrderedDict[str, tuple[tuple[str, int], object]] = collections.OrderedDict()
        self.threads_used: set[int] = set()  # idents of the threads that ran a style (the tests check them)

    def render(self, style_id: str, onnx_path: str | Path, square: np.ndarray, side: int,
               out_side: int) -> np.ndarray:
        """The tile for one style (BGR, out_side x out_side); an empty `onnx_path` is the original."""
        small = np.ascontiguousarray(_resize(square, side))
        if onnx_path:
            self.threads_used.add(threading.get_ident())
            small = self._session(style_id, Path(onnx_path)).run(small, 1.0)
        return _resize(small, out_side)

    def _session(self, style_id: str, path: Path):
        # The file's identity too: a style replaced under the same id gets a new session.
        key = (str(path), path.stat().st_mtime_ns)
        cached = self._sessions.get(style_id)
        if cached is not None and cached[0] == key:
            self._sessions.move_to_end(style_id)
            return cached[1]
        session = self._factory(path)
        self._sessions[style_id] = (key, session)
        self._sessions.move_to_end(style_id)
        if len(self._sessions) > MAX_SESSIONS:
            while len(self._sessions) > MAX_SESSIONS:
                self._sessions.popitem(last=False)
            release_freed_memory()
        return session

    def keep_only(self, style_ids) -> None:
        """Drop the sessions of styles no longer listed (removed or replaced)."""
        gone = set(self._sessions) - set(style_ids)
        for sid in gone:
            del self._sessions[sid]
        if gone:
            release_freed_memory()

    @property
    def session_count(self) -> int:
        return len(self._sessions)


def _cpu_session(path: Path):
    from vst_desktop.inference.session import StyleSession

    # The CPU, one thread: the GPU (if any) and the other cores belong to the live view.
    return StyleSession(path, prefer_gpu=False, threads=1)


@dataclass(frozen=True)
class ThumbnailJob:
    square: np.ndarray  # the frame's centre square; the loop only reads it
    styles: tuple[tuple[str, str], ...]  # (style id, model path; "" = the original), in rendering order
    side: int  # the square's side for the style (`inference_side`)
    out_side: int  # the tile's side in device pixels


class ThumbnailLoop:
    """The low-priority thread. `on_image(job, style_id, bgr)` is called from it for every finished tile."""

    def __init__(self, renderer: ThumbnailRenderer, on_image: Callable[[ThumbnailJob, str, np.ndarray], None],
                 gap_s: float = GAP_S) -> None:
        self.renderer = renderer
        self._on_image = on_image
        self._gap_s = gap_s
        self._cond = threading.Condition()
        self._job: ThumbnailJob | None = None
        self._stop = threading.Event()
        self._failed: set[tuple[str, str]] = set()
        self.rendered = 0
        self._thread = threading.Thread(target=self._run, name="live-thumbnails", daemon=True)

    def start(self) -> None:
        self._thread.start()

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def submit(self, job: ThumbnailJob) -> None:
        """Render `job` next; an unfinished older job is abandoned (its frame is stale)."""
        with self._cond:
            self._job = job
            self._cond.notify()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        with self._cond:
            self._cond.notify()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    def _next_job(self) -> ThumbnailJob | None:
        with self._cond:
            self._cond.wait_for(lambda: self._job is not None or self._stop.is_set())
            job, self._job = self._job, None
            return None if self._stop.is_set() else job

    def _newer_job_waiting(self) -> bool:
        with self._cond:
            return self._job is not None

    def _run(self) -> None:
        lower_thread_priority()
        while (job := self._next_job()) is not None:
            self.renderer.keep_only(sid for sid, _ in job.styles)
            for style_id, path in job.styles:
                if self._stop.is_set() or self._newer_job_waiting():
                    break
                if (style_id, path) in self._failed:
                    continue
                try:
                    tile = self.renderer.render(style_id, path, job.square, job.side, job.out_side)
                except Exception:  # noqa: BLE001 - a broken style must not end the thumbnails of the others
                    log.warning("live thumbnail of %s failed; it keeps its fixed thumbnail", style_id,
                                exc_info=True)
                    self._failed.add((style_id, path))
                    continue
                self.rendered += 1
                self._on_image(job, style_id, tile)
                self._stop.wait(self._gap_s)
