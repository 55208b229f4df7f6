"""`Pipeline.step(frame)`: mirror, resize to the inference size, run the style, steady it against the previous
output (inference/temporal.py), resize to the output size.

Everything per-pixel happens in OpenCV or inside the ONNX graph; Python only moves array references.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Protocol

import cv2
import numpy as np

from vst_desktop.core.frame import Frame
from vst_desktop.core.stats import Stats
from vst_desktop.inference.temporal import TemporalStabilizer


class Stylizer(Protocol):
    provider: str

    def run(self, bgr: np.ndarray, strength: float = 1.0) -> np.ndarray: ...


@dataclass(slots=True)
class StylizedFrame:
    pixels: np.ndarray
    source: Frame
    stats: Stats


def _resize(img: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    w, h = size
    if img.shape[1] == w and img.shape[0] == h:
        return img
    # INTER_AREA avoids aliasing when shrinking; bilinear is cheaper and sharp enough when growing.
    interp = cv2.INTER_AREA if w < img.shape[1] else cv2.INTER_LINEAR
    return cv2.resize(img, (w, h), interpolation=interp)


class Pipeline:
    """Synchronous and single-threaded; the GUI worker and the CLI call `step` from their own loops."""

    def __init__(self, session: Stylizer | None = None, inference_size: tuple[int, int] | None = None,
                 output_size: tuple[int, int] | None = None, strength: float = 1.0,
                 mirror: bool = False, stabilize: bool = True) -> None:
        self.session = session
        self.inference_size = inference_size
        self.output_size = output_size
        self.strength = float(strength)
        self.mirror = mirror
        self._stabilizer = TemporalStabilizer() if stabilize else None

    @property
    def stabilize(self) -> bool:
        return self._stabilizer is not None

    def set_stabilize(self, on: bool) -> None:
        if bool(on) != self.stabilize:
            self._stabilizer = TemporalStabilizer() if on else None

    def reset_temporal(self) -> None:
        """Forget the previous frame: call it at a cut (another source, the next still image)."""
        if self._stabilizer is not None:
            self._stabilizer.reset()

    def set_session(self, session: Stylizer | None) -> None:
        if session is not self.session:
            self.reset_temporal()  # another style's strokes must not be blended into this one's
        self.session = session

    def set_strength(self, strength: float) -> None:
        self.strength = min(1.0, max(0.0, float(strength)))

    def set_inference_size(self, size: tuple[int, int] | None) -> None:
        self.inference_size = size

    def set_output_size(self, size: tuple[int, int] | None) -> None:
        self.output_size = size

    def set_mirror(self, mirror: bool) -> None:
        self.mirror = bool(mirror)

    def step(self, frame: Frame, captured_at: float | None = None) -> StylizedFrame:
        t0 = time.perf_counter()
        stats = Stats()
        if captured_at is not None:
            stats.capture_age_ms = (time.monotonic() - captured_at) * 1000.0
        img = frame.pixels
        if self.mirror:
            img = cv2.flip(img, 1)
        out_size = self.output_size or (img.shape[1], img.shape[0])
        session = self.session
        if session is None or self.strength <= 0.0:
            # "Original" and strength 0 skip the network entirely: the cheapest correct answer.
            self.reset_temporal()  # and the stylized past is no longer on screen
            t1 = time.perf_counter()
            out = _resize(img, out_size)
            t3 = time.perf_counter()
            stats.postprocess_ms = (t3 - t1) * 1000.0
            stats.provider = ""
            stats.inference_size = (0, 0)
        else:
            inf_size = self.inference_size or (img.shape[1], img.shape[0])
            small = np.ascontiguousarray(_resize(img, inf_size))
            t1 = time.perf_counter()
            styled = session.run(small, self.strength)
            t2 = ts = time.perf_counter()
            if self._stabilizer is not None:
                styled = self._stabilizer(small, styled)
                ts = time.perf_counter()
            out = _resize(styled, out_size)
            t3 = time.perf_counter()
            stats.preprocess_ms = (t1 - t0) * 1000.0
            stats.inference_ms = (t2 - t1) * 1000.0
            stats.stabilize_ms = (ts - t2) * 1000.0
            stats.postprocess_ms = (t3 - ts) * 1000.0
            stats.provider = getattr(session, "provider", "")
            stats.inference_size = (int(inf_size[0]), int(inf_size[1]))
        stats.total_ms = (time.perf_counter() - t0) * 1000.0
        return StylizedFrame(out, frame, stats)
